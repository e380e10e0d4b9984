// Runs rows.wat (softmax, layer norm, gelu_new and their gradients) on float32 arrays: the rows go
// through the module's memory a chunk at a time (copied in, computed, copied out), so the memory
// stays small and each chunk is still in cache when it is copied back. Where WebAssembly SIMD is
// missing, or LSGRAD_WASM=0, or the operands do not fit (not float32; a row width that is not a
// multiple of 4), every function returns null and the TypeScript kernels run instead.
import type { TypedArray } from '../../../engine/dtype.js';
import { instantiateStandalone, pickBuild } from './instantiate.js';
import { ROWS_WASM_BASE64 } from './rows-wasm.generated.js';

/**
 * Makes an output array of `floats` elements (the backend's buffer pool); the kernel overwrites
 * every element, so its contents on entry do not matter.
 */
export type NewOutput = (floats: number) => Float32Array;

/** A row-major float array: element i is data[start + i]. */
export interface Floats {
  readonly data: TypedArray;
  readonly start: number;
}

interface Exports {
  memory: WebAssembly.Memory;
  softmax(x: number, out: number, rows: number, width: number): void;
  softmaxBackward(y: number, dy: number, out: number, rows: number, width: number): void;
  layerNorm(x: number, weight: number, bias: number, out: number, rows: number, width: number, eps: number): void;
  layerNormBackward(x: number, weight: number, dy: number, dx: number, dweight: number, dbias: number, rows: number, width: number, eps: number): void;
  geluNew(x: number, out: number, vectors: number): void;
  geluNewBackward(x: number, dy: number, out: number, vectors: number): void;
}

const PAGE_BYTES = 65536;
/** Floats per operand per chunk (64 KiB): a chunk of every operand stays in the core's L2 cache. */
const CHUNK_FLOATS = 16384;

const load = (): Exports | null => instantiateStandalone<Exports>(pickBuild(ROWS_WASM_BASE64));

let loaded: Exports | null | undefined;

function kernel(): Exports | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** The module when it takes float32 operands with rows of this width (a positive multiple of 4). */
function kernelFor(operands: readonly (Floats | null)[], width: number): Exports | null {
  if (width <= 0 || width % 4 !== 0) return null;
  if (!operands.every((operand) => operand === null || operand.data instanceof Float32Array)) return null;
  return kernel();
}

const wholeVectors = (floats: number) => Math.ceil(floats / 4) * 4;

/** Addresses in the module's memory: `perChunk` arrays of a chunk each, then `perRow` arrays of one row each. */
interface ChunkLayout {
  readonly chunkRows: number;
  readonly chunk: number[];
  readonly row: number[];
}

function reserve(k: Exports, width: number, perChunk: number, perRow: number): ChunkLayout {
  const chunkRows = Math.max(1, Math.floor(CHUNK_FLOATS / width));
  const chunkBytes = wholeVectors(chunkRows * width) * 4;
  const rowBytes = wholeVectors(width) * 4;
  const chunk = Array.from({ length: perChunk }, (_, i) => i * chunkBytes);
  const row = Array.from({ length: perRow }, (_, i) => perChunk * chunkBytes + i * rowBytes);
  const bytes = perChunk * chunkBytes + perRow * rowBytes;
  const pages = Math.ceil(bytes / PAGE_BYTES) - k.memory.buffer.byteLength / PAGE_BYTES;
  if (pages > 0) k.memory.grow(pages);
  return { chunkRows, chunk, row };
}

/**
 * For every chunk of rows: copies the inputs' rows to layout.chunk[0…], calls `compute(rows)`, then
 * copies layout.chunk[inputs.length + j] out to outputs[j]: every element of every output is written.
 */
function eachChunk(k: Exports, layout: ChunkLayout, rows: number, width: number, inputs: readonly Floats[], outputs: readonly Float32Array[], compute: (rows: number) => void): void {
  for (let first = 0; first < rows; first += layout.chunkRows) {
    const count = Math.min(layout.chunkRows, rows - first);
    const floats = count * width;
    const heap = new Float32Array(k.memory.buffer);
    inputs.forEach(({ data, start }, i) => {
      const from = start + first * width;
      heap.set((data as Float32Array).subarray(from, from + floats), layout.chunk[i]! / 4);
    });
    compute(count);
    outputs.forEach((out, j) => {
      const at = layout.chunk[inputs.length + j]! / 4;
      out.set(heap.subarray(at, at + floats), first * width);
    });
  }
}

/** Writes a [width] parameter (or `fill` where there is none) at a byte address. */
function putRow(k: Exports, at: number, values: Floats | null, width: number, fill: number): void {
  const row = new Float32Array(k.memory.buffer, at, width);
  if (values) row.set((values.data as Float32Array).subarray(values.start, values.start + width));
  else row.fill(fill);
}

/** softmax along rows of `width`, or null (see the file comment). */
export function wasmSoftmax(x: Floats, size: number, width: number, newOutput: NewOutput): Float32Array | null {
  const k = kernelFor([x], width);
  if (!k) return null;
  const out = newOutput(size);
  const layout = reserve(k, width, 2, 0);
  const [input, output] = layout.chunk as [number, number];
  eachChunk(k, layout, size / width, width, [x], [out], (rows) => k.softmax(input, output, rows, width));
  return out;
}

/** y ⊙ (dy − Σ dy ⊙ y) along rows of `width`, or null. */
export function wasmSoftmaxGrad(y: Floats, dy: Floats, size: number, width: number, newOutput: NewOutput): Float32Array | null {
  const k = kernelFor([y, dy], width);
  if (!k) return null;
  const out = newOutput(size);
  const layout = reserve(k, width, 3, 0);
  const [probabilities, upstream, output] = layout.chunk as [number, number, number];
  eachChunk(k, layout, size / width, width, [y, dy], [out], (rows) => k.softmaxBackward(probabilities, upstream, output, rows, width));
  return out;
}

/** Layer norm along rows of `width` (weight and bias [width], or null for none), or null. */
export function wasmLayerNorm(x: Floats, weight: Floats | null, bias: Floats | null, size: number, width: number, eps: number, newOutput: NewOutput): Float32Array | null {
  const k = kernelFor([x, weight, bias], width);
  if (!k) return null;
  const out = newOutput(size);
  const layout = reserve(k, width, 2, 2);
  const [input, output] = layout.chunk as [number, number];
  const [scale, shift] = layout.row as [number, number];
  putRow(k, scale, weight, width, 1);
  putRow(k, shift, bias, width, 0);
  eachChunk(k, layout, size / width, width, [x], [out], (rows) => k.layerNorm(input, scale, shift, output, rows, width, eps));
  return out;
}

/** The layer-norm gradients (dweight and dbias summed over chunks in doubles), or null. */
export function wasmLayerNormGrad(x: Floats, weight: Floats | null, dy: Floats, size: number, width: number, eps: number, newOutput: NewOutput): { dx: Float32Array; dweight: Float64Array; dbias: Float64Array } | null {
  const k = kernelFor([x, weight, dy], width);
  if (!k) return null;
  const dx = newOutput(size);
  const dweight = new Float64Array(width);
  const dbias = new Float64Array(width);
  const layout = reserve(k, width, 3, 3);
  const [input, upstream, output] = layout.chunk as [number, number, number];
  const [scale, weightSums, biasSums] = layout.row as [number, number, number];
  putRow(k, scale, weight, width, 1);
  eachChunk(k, layout, size / width, width, [x, dy], [dx], (rows) => {
    const sums = new Float32Array(k.memory.buffer, weightSums, 2 * width); // the two rows are adjacent
    sums.fill(0);
    k.layerNormBackward(input, scale, upstream, output, weightSums, biasSums, rows, width, eps);
    for (let j = 0; j < width; j++) {
      dweight[j]! += sums[j]!;
      dbias[j]! += sums[width + j]!;
    }
  });
  return { dx, dweight, dbias };
}

/** gelu_new elementwise, or null. */
export function wasmGeluNew(x: Floats, size: number, newOutput: NewOutput): Float32Array | null {
  const k = kernelFor([x], 4);
  if (!k) return null;
  const out = newOutput(size);
  const layout = reserve(k, 4, 2, 0);
  const [input, output] = layout.chunk as [number, number];
  // Elements as rows of one: a last chunk that is not whole vectors computes its tail lanes on
  // stale memory and copies out only its own elements.
  eachChunk(k, { ...layout, chunkRows: layout.chunkRows * 4 }, size, 1, [x], [out], (count) => k.geluNew(input, output, Math.ceil(count / 4)));
  return out;
}

/** dy ⊙ gelu_new′(x) elementwise, or null. */
export function wasmGeluNewGrad(x: Floats, dy: Floats, size: number, newOutput: NewOutput): Float32Array | null {
  const k = kernelFor([x, dy], 4);
  if (!k) return null;
  const out = newOutput(size);
  const layout = reserve(k, 4, 3, 0);
  const [input, upstream, output] = layout.chunk as [number, number, number];
  eachChunk(k, { ...layout, chunkRows: layout.chunkRows * 4 }, size, 1, [x, dy], [out], (count) => k.geluNewBackward(input, upstream, output, Math.ceil(count / 4)));
  return out;
}
