import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseSafetensors, serializeSafetensors } from '../../nn/safetensors.js';

const FIXTURE = new URL('../fixtures/albert/dense_mlm_t48/model.safetensors', import.meta.url);

/** Builds a file from a raw header object and a data section, bypassing the writer's checks. */
function rawFile(header: unknown, dataBytes: number, headerLengthOverride?: bigint): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + headerBytes.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, headerLengthOverride ?? BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  return out;
}

function expectParseError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseSafetensors(bytes), (error: Error) => pattern.test(error.message) && error.message.startsWith('parseSafetensors:'));
}

test('reads the HuggingFace-written fixture', () => {
  const file = parseSafetensors(new Uint8Array(readFileSync(FIXTURE)));
  assert.is(file.metadata.format, 'pt');
  const word = file.tensors.get('albert.embeddings.word_embeddings.weight')!;
  assert.equal(word.shape, [100, 16]);
  assert.is(word.storedDtype, 'F32');
  assert.ok(word.data instanceof Float32Array);
  assert.is(file.tensors.size, 44);
});

test('write then read is identical, header padded to 8 bytes', () => {
  const a = new Float32Array([1.5, -2, 3.25, 1e-30, 7, 8]);
  const b = new Float64Array([Math.PI]);
  const bytes = serializeSafetensors({ 'x.weight': { shape: [2, 3], data: a }, 'y.bias': { shape: [1], data: b } });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.is(headerLength % 8, 0);
  const file = parseSafetensors(bytes);
  assert.equal(Array.from(file.tensors.get('x.weight')!.data), Array.from(a));
  assert.equal(file.tensors.get('x.weight')!.shape, [2, 3]);
  assert.is(file.tensors.get('y.bias')!.data[0], Math.PI);
  assert.is(file.tensors.get('y.bias')!.storedDtype, 'F64');
});

test('re-serializing the fixture reproduces its bytes exactly', () => {
  const original = new Uint8Array(readFileSync(FIXTURE));
  const file = parseSafetensors(original);
  const inputs = Object.fromEntries([...file.tensors].map(([name, entry]) => [name, entry]));
  const again = serializeSafetensors(inputs, file.metadata);
  assert.is(again.length, original.length);
  assert.ok(Buffer.from(again).equals(Buffer.from(original)));
});

test('F16 and BF16 are upcast to float32', () => {
  // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal = 0x0001.
  const half = [0x3c00, 0xc000, 0x7bff, 0x0001];
  // BF16: 1.0 = 0x3f80, -0.5 = 0xbf00, 3.140625 = 0x4049.
  const brain = [0x3f80, 0xbf00, 0x4049];
  const header = {
    h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] },
    b: { dtype: 'BF16', shape: [3], data_offsets: [8, 14] },
  };
  const bytes = rawFile(header, 14);
  const view = new DataView(bytes.buffer);
  const dataStart = bytes.length - 14;
  half.forEach((bits, i) => view.setUint16(dataStart + 2 * i, bits, true));
  brain.forEach((bits, i) => view.setUint16(dataStart + 8 + 2 * i, bits, true));
  const file = parseSafetensors(bytes);
  assert.equal(Array.from(file.tensors.get('h')!.data), [1, -2, 65504, 2 ** -24]);
  assert.equal(Array.from(file.tensors.get('b')!.data), [1, -0.5, 3.140625]);
  assert.is(file.tensors.get('h')!.storedDtype, 'F16');
});

test('malformed: too short, header length past the end', () => {
  expectParseError(new Uint8Array(5), /too short/);
  expectParseError(rawFile({}, 0, 2n ** 62n), /header length 4611686018427387904 runs past the end/);
});

test('malformed: header not JSON, not an object', () => {
  const bytes = rawFile({}, 0);
  bytes[8] = 0x7b; bytes[9] = 0x7b;
  expectParseError(bytes, /not valid UTF-8 JSON/);
  expectParseError(rawFile([1, 2], 0), /expected a JSON object/);
});

test('malformed: unknown dtype names the tensor and the allowed dtypes', () => {
  expectParseError(rawFile({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, 4), /tensor "w": unknown dtype "Q4", expected one of F32, F16, BF16, F64/);
});

test('malformed: offsets out of range, overlapping, with gaps', () => {
  expectParseError(rawFile({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8), /run past the end of the data section \(8 bytes\)/);
  expectParseError(rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, 8), /begin <= end/);
  expectParseError(
    rawFile({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12),
    /tensor "b" data_offsets \[4, 12\] overlap tensor "a" \[0, 8\]/,
  );
  expectParseError(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /bytes \[0, 4\) of the data section belong to no tensor/);
  expectParseError(rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, 8), /covers? only 4/);
});

test('malformed: shape × dtype disagrees with the byte length, without allocating the shape', () => {
  // A shape of 2^50 elements must fail on the header check, not on a 4-petabyte allocation.
  expectParseError(rawFile({ w: { dtype: 'F32', shape: [2 ** 25, 2 ** 25], data_offsets: [0, 8] } }, 8), /needs 4503599627370496 bytes but data_offsets \[0, 8\] hold 8/);
  expectParseError(rawFile({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, 8), /shape \[3\] × F32 needs 12 bytes/);
  expectParseError(rawFile({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 8] } }, 8), /not an array of non-negative integers/);
});

test('writer rejects a shape that does not match the data', () => {
  assert.throws(() => serializeSafetensors({ w: { shape: [3], data: new Float32Array(2) } }), /serializeSafetensors: tensor "w" has shape \[3\]/);
});

test.run();
