// Copies between layouts: contiguous, cast, scatter into a view, concat and pad.
import type { Layout, View } from '../../engine/backend.js';
import { allocate, type DType, type TypedArray } from '../../engine/dtype.js';
import { NO_TRANSPOSE, onesOf, systemSgemm } from './blas.js';
import { newBuffer, newBufferToOverwrite } from './buffer-pool.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import { collapseAxes } from './strided.js';

type Storage = TypedArray;

/**
 * Visits every element of `shape` as planes: `rows` runs of `length` along the two innermost
 * merged axes, so short runs (a transposed or windowed view) cost no callback each.
 * `bases[k]` is operand k's offset at the plane start, `rowSteps[k]` and `steps[k]` its strides.
 */
function forEachPlane(
  shape: readonly number[],
  operands: readonly Layout[],
  visit: (bases: Int32Array, rows: number, length: number, rowSteps: Int32Array, steps: Int32Array) => void,
): void {
  if (sizeOf(shape) === 0) return;
  const { dims, strides } = collapseAxes(shape, operands.map((op) => op.strides));
  const count = operands.length;
  const bases = Int32Array.from(operands.map((op) => op.offset));
  const rank = dims.length;
  const length = rank > 0 ? dims[rank - 1]! : 1;
  const rows = rank > 1 ? dims[rank - 2]! : 1;
  const steps = Int32Array.from(strides.map((s) => (rank > 0 ? s[rank - 1]! : 0)));
  const rowSteps = Int32Array.from(strides.map((s) => (rank > 1 ? s[rank - 2]! : 0)));
  const outer = rank - 2;
  const counter = new Int32Array(Math.max(0, outer));
  const planes = sizeOf(dims.slice(0, Math.max(0, outer)));
  for (let plane = 0; plane < planes; plane++) {
    visit(bases, rows, length, rowSteps, steps);
    for (let axis = outer - 1; axis >= 0; axis--) {
      counter[axis]!++;
      for (let k = 0; k < count; k++) bases[k]! += strides[k]![axis]!;
      if (counter[axis]! < dims[axis]!) break;
      for (let k = 0; k < count; k++) bases[k]! -= strides[k]![axis]! * dims[axis]!;
      counter[axis] = 0;
    }
  }
}

/** Most rows a transposed scatterView walks innermost (one cache line of src each). */
const TRANSPOSE_ROWS = 256;

/** Runs at least this long and contiguous on both sides are copied with TypedArray.set. */
const BULK_COPY_LENGTH = 32;

/** Copies src's elements into `out` at the positions of `target` (same shape as src). */
function copyInto(out: Storage, target: Layout, src: View<Storage>, convert?: (x: number) => number): void {
  const S = src.storage;
  forEachPlane(src.shape, [target, src], (bases, rows, length, rowSteps, steps) => {
    const [so, ss, ro, rs] = [steps[0]!, steps[1]!, rowSteps[0]!, rowSteps[1]!];
    const bulk = !convert && so === 1 && ss === 1 && length >= BULK_COPY_LENGTH;
    for (let row = 0, rowOut = bases[0]!, rowSrc = bases[1]!; row < rows; row++, rowOut += ro, rowSrc += rs) {
      if (bulk) out.set(S.subarray(rowSrc, rowSrc + length), rowOut);
      else if (convert) for (let j = 0, io = rowOut, is = rowSrc; j < length; j++, io += so, is += ss) out[io] = convert(S[is]!);
      else for (let j = 0, io = rowOut, is = rowSrc; j < length; j++, io += so, is += ss) out[io] = S[is]!;
    }
  });
}

function rowMajor(shape: readonly number[], offset = 0): Layout {
  return { shape, strides: contiguousStrides(shape), offset };
}

export function contiguous(x: View<Storage>): Storage {
  const out = newBufferToOverwrite(x.dtype, sizeOf(x.shape));
  copyInto(out, rowMajor(x.shape), x);
  return out;
}

export function cast(x: View<Storage>, dtype: DType): Storage {
  const out = newBufferToOverwrite(dtype, sizeOf(x.shape));
  // NOTE: bool keeps "is non-zero"; int32 truncates toward zero (and NaN becomes 0), as typed arrays do.
  copyInto(out, rowMajor(x.shape), x, dtype === 'bool' ? (v) => (v !== 0 ? 1 : 0) : undefined);
  return out;
}

/**
 * Whether no two elements of the layout share a position: with the axes ordered by |stride|, each
 * stride steps past everything the smaller axes span. (Sufficient, not necessary: a layout that
 * fails the test is treated as overlapping, which is only slower.)
 */
export function isInjective(layout: Layout): boolean {
  const axes = layout.shape.map((dim, axis) => ({ dim, stride: Math.abs(layout.strides[axis]!) })).filter(({ dim }) => dim > 1);
  axes.sort((a, b) => a.stride - b.stride);
  let span = 0; // the largest offset the axes so far reach
  for (const { dim, stride } of axes) {
    if (stride <= span) return false;
    span += (dim - 1) * stride;
  }
  return true;
}

/**
 * The gradient of a broadcast over leading axes (a bias's, when src is (rows, size) and target
 * repeats one (size) block): the column sums of src as one product onesᵀ · src on the system BLAS,
 * or null for any other layout or where there is none.
 * NOTE: why: the training step sums 13 such gradients of 0.5–1M floats; the loop below took
 * 1–5 ms each, the product a tenth of that.
 */
function columnSums(size: number, target: Layout, src: View<Storage>): Float32Array | null {
  const sgemm = src.storage instanceof Float32Array ? systemSgemm() : null;
  if (!sgemm || target.offset !== 0) return null;
  const { dims, strides } = collapseAxes(src.shape, [target.strides, src.strides]);
  if (dims.length !== 2 || dims[1] !== size) return null;
  const [[rowStep, step], [srcRowStep, srcStep]] = strides as [[number, number], [number, number]];
  if (rowStep !== 0 || step !== 1 || srcStep !== 1 || srcRowStep !== size) return null;
  const rows = dims[0]!;
  const out = newBufferToOverwrite('float32', size) as Float32Array;
  sgemm(NO_TRANSPOSE, NO_TRANSPOSE, 1, size, rows, 1, onesOf(rows), rows, (src.storage as Float32Array).subarray(src.offset), size, 0, out, size);
  return out;
}

export function scatterView(size: number, target: Layout, src: View<Storage>): Storage {
  const sums = columnSums(size, target, src);
  if (sums) return sums;
  const out = newBuffer(src.dtype, size);
  // A view's own gradient (slice, permute, reshape) lands each element once: a copy, with bulk runs.
  if (isInjective(target)) {
    copyInto(out, target, src);
    return out;
  }
  const S = src.storage;
  forEachPlane(src.shape, [target, src], (bases, rows, length, rowSteps, steps) => {
    const [so, ss, ro, rs] = [steps[0]!, steps[1]!, rowSteps[0]!, rowSteps[1]!];
    // Repeated target positions (expand, overlapping unfold windows) accumulate.
    if (ro === 1 && so !== 1 && so !== 0 && rows <= TRANSPOSE_ROWS) {
      // A transposed target (rows contiguous in out): rows innermost, so writes are sequential and
      // the `rows` source lines stay in cache. Not for expand's sums (so 0): they read src in order.
      for (let j = 0, colOut = bases[0]!, colSrc = bases[1]!; j < length; j++, colOut += so, colSrc += ss) {
        for (let row = 0, io = colOut, is = colSrc; row < rows; row++, io++, is += rs) out[io]! += S[is]!;
      }
      return;
    }
    for (let row = 0, rowOut = bases[0]!, rowSrc = bases[1]!; row < rows; row++, rowOut += ro, rowSrc += rs) {
      if (so === 1 && ss === 1) for (let j = 0; j < length; j++) out[rowOut + j]! += S[rowSrc + j]!;
      else for (let j = 0, io = rowOut, is = rowSrc; j < length; j++, io += so, is += ss) out[io]! += S[is]!;
    }
  });
  return out;
}

export function concat(xs: readonly View<Storage>[], axis: number): Storage {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((total, x) => total + x.shape[axis]!, 0);
  const strides = contiguousStrides(shape);
  const out = newBufferToOverwrite(xs[0]!.dtype, sizeOf(shape));
  let start = 0;
  for (const x of xs) {
    copyInto(out, { shape: x.shape, strides, offset: start * strides[axis]! }, x);
    start += x.shape[axis]!;
  }
  return out;
}

export function pad(x: View<Storage>, pads: readonly (readonly [number, number])[], value: number): Storage {
  const shape = x.shape.map((dim, axis) => dim + pads[axis]![0] + pads[axis]![1]);
  const strides = contiguousStrides(shape);
  const out = newBuffer(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  const offset = pads.reduce((total, [before], axis) => total + before * strides[axis]!, 0);
  copyInto(out, { shape: x.shape, strides, offset }, x);
  return out;
}

export function full(size: number, value: number, dtype: DType): Storage {
  const out = newBuffer(dtype, size);
  if (value !== 0) out.fill(value);
  return out;
}

export function read(x: View<Storage>): Storage {
  // NOTE: not from the buffer pool: the caller keeps the array, and may hand it back as a tensor's storage.
  const out = allocate(x.dtype, sizeOf(x.shape));
  copyInto(out, rowMajor(x.shape), x);
  return out;
}
