/**
 * The safetensors file format, in and out, on plain typed arrays (no tensors, no file system).
 *
 * Layout (https://github.com/huggingface/safetensors): 8-byte little-endian header length N,
 * N bytes of JSON header `{ "__metadata__"?: {..}, name: { dtype, shape, data_offsets: [begin, end] } }`,
 * then the raw little-endian data; offsets are relative to the end of the header.
 *
 * Every check runs on the header before any tensor buffer is allocated, so a malformed or
 * hostile file fails with a clear message instead of a huge allocation.
 */
import { CheckpointError, ShapeError } from '../engine/errors.js';

/** Storage dtypes we read. F16 and BF16 are upcast to float32 on load; F64 stays float64. */
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** One decoded tensor: row-major values, upcast to float32 (or float64 for F64). */
export interface SafetensorsEntry {
  /** The dtype as stored in the file (before upcasting). */
  storedDtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** The largest header we accept; the reference library uses the same 100 MB bound. */
const MAX_HEADER_BYTES = 100_000_000;

function formatError(message: string): CheckpointError {
  return new CheckpointError('parseSafetensors', message);
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Validates one header record and returns it typed; throws naming the tensor and the field. */
function readHeaderEntry(name: string, raw: unknown, dataBytes: number): HeaderEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw formatError(`tensor "${name}": header entry is ${JSON.stringify(raw)}, expected an object with dtype, shape, data_offsets`);
  }
  const record = raw as Record<string, unknown>;
  const dtype = record.dtype;
  if (typeof dtype !== 'string' || !(SAFETENSORS_DTYPES as readonly string[]).includes(dtype)) {
    throw formatError(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)}, expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
  }
  const shape = record.shape;
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw formatError(`tensor "${name}": shape ${JSON.stringify(shape)} is not an array of non-negative integers`);
  }
  const offsets = record.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || (offsets[0] as number) > (offsets[1] as number)) {
    throw formatError(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not a pair [begin, end] of integers with begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataBytes) {
    throw formatError(`tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data section (${dataBytes} bytes)`);
  }
  const typedDtype = dtype as SafetensorsDtype;
  // NOTE: computed in floating point so a huge shape cannot overflow into a small matching number.
  const expectedBytes = shape.reduce((product: number, dim: number) => product * dim, 1) * BYTES_PER_ELEMENT[typedDtype];
  if (expectedBytes !== end - begin) {
    throw formatError(
      `tensor "${name}": shape [${shape.join(', ')}] × ${typedDtype} needs ${expectedBytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype: typedDtype, shape: [...shape], begin, end };
}

/** Parses the header and checks it fully against the file size; allocates nothing per tensor. */
function readHeader(bytes: Uint8Array): { entries: HeaderEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (bytes.length < 8) {
    throw formatError(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    throw formatError(`header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes after the length field)`);
  }
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw formatError(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (cause) {
    throw formatError(`header is not valid UTF-8 JSON (${(cause as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw formatError(`header is ${JSON.stringify(header)?.slice(0, 80)}, expected a JSON object`);
  }
  const dataBytes = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
        throw formatError(`__metadata__ is ${JSON.stringify(raw)}, expected an object of strings`);
      }
      for (const [key, value] of Object.entries(raw)) metadata[key] = String(value);
      continue;
    }
    entries.push(readHeaderEntry(name, raw, dataBytes));
  }
  checkOffsetsTile(entries, dataBytes);
  return { entries, metadata, dataStart };
}

/** The format requires the tensors to tile the data section: no overlap, no gap. */
function checkOffsetsTile(entries: HeaderEntry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of sorted) {
    if (entry.begin < cursor) {
      const previous = sorted[sorted.indexOf(entry) - 1]!;
      throw formatError(
        `tensor "${entry.name}" data_offsets [${entry.begin}, ${entry.end}] overlap tensor "${previous.name}" [${previous.begin}, ${previous.end}]`,
      );
    }
    if (entry.begin > cursor) {
      throw formatError(`bytes [${cursor}, ${entry.begin}) of the data section belong to no tensor (before "${entry.name}")`);
    }
    cursor = entry.end;
  }
  if (cursor !== dataBytes) {
    throw formatError(`data section is ${dataBytes} bytes but the tensors cover only ${cursor}`);
  }
}

/** IEEE half → float32; exact (every half is representable). */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function decodeEntry(bytes: Uint8Array, dataStart: number, entry: HeaderEntry): SafetensorsEntry {
  const start = dataStart + entry.begin;
  const count = (entry.end - entry.begin) / BYTES_PER_ELEMENT[entry.dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, entry.end - entry.begin);
  let data: Float32Array | Float64Array;
  // DataView reads little-endian regardless of the host, and copies off unaligned offsets.
  switch (entry.dtype) {
    case 'F32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift into place and reinterpret.
      const words = new Uint32Array(count);
      for (let i = 0; i < count; i++) words[i] = view.getUint16(2 * i, true) << 16;
      data = new Float32Array(words.buffer);
      break;
    }
  }
  return { storedDtype: entry.dtype, shape: entry.shape, data };
}

/**
 * Decodes a whole safetensors file held in memory.
 * @example
 *   const file = parseSafetensors(serializeSafetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } }));
 *   file.tensors.get('w')!.data; // Float32Array [1, 2]
 */
export function parseSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, metadata, dataStart } = readHeader(bytes);
  const tensors = new Map<string, SafetensorsEntry>();
  for (const entry of entries) tensors.set(entry.name, decodeEntry(bytes, dataStart, entry));
  return { tensors, metadata };
}

/** A tensor to write: float32 values are stored as F32, float64 values as F64. */
export interface SafetensorsInput {
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/**
 * Encodes tensors as a safetensors file: names in sorted order, data packed back to back,
 * the header space-padded to a multiple of 8 as the reference writer does.
 * @example
 *   const bytes = serializeSafetensors({ bias: { shape: [3], data: new Float32Array(3) } }, { format: 'pt' });
 */
export function serializeSafetensors(tensors: Record<string, SafetensorsInput>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name]!;
    const elementCount = shape.reduce((product, dim) => product * dim, 1);
    if (elementCount !== data.length) {
      throw new ShapeError('serializeSafetensors', `tensor "${name}" has shape [${shape.join(', ')}] (${elementCount} values) but ${data.length} values`);
    }
    const dtype: SafetensorsDtype = data instanceof Float64Array ? 'F64' : 'F32';
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let headerText = JSON.stringify(header);
  const headerBytesUnpadded = new TextEncoder().encode(headerText).length;
  headerText += ' '.repeat((8 - (headerBytesUnpadded % 8)) % 8);
  const headerBytes = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let cursor = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name]!;
    if (data instanceof Float64Array) {
      for (let i = 0; i < data.length; i++) view.setFloat64(cursor + 8 * i, data[i]!, true);
    } else {
      for (let i = 0; i < data.length; i++) view.setFloat32(cursor + 4 * i, data[i]!, true);
    }
    cursor += data.byteLength;
  }
  return out;
}
