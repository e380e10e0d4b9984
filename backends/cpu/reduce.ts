// Reductions: the reduced axes are moved last (a view), so each output is one consecutive segment.
import type { ArgReduceOp, ReduceOp, View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { newBufferToOverwrite, newFloat32Output } from './buffer-pool.js';
import { isContiguous, sizeOf } from '../../engine/shape.js';
import { rowMajorData } from './dense.js';
import { expFor } from './fast-exp.js';
import { wasmSoftmax, wasmSoftmaxGrad } from './wasm/rows-wasm.js';
import { forEachRun, permuteLayout } from './strided.js';

type Storage = TypedArray;

const INITIAL: Record<ReduceOp, number> = { sum: 0, max: -Infinity, min: Infinity };

/** Calls visit(outIndex, segmentStartInRun, …) for every segment of consecutive elements that share an output. */
function forEachSegment(
  x: View<Storage>,
  axes: readonly number[],
  visit: (outIndex: number, base: number, step: number, length: number, positionInGroup: number) => void,
): { outSize: number } {
  const kept = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const moved = permuteLayout(x, [...kept, ...axes]);
  const groupSize = sizeOf(axes.map((axis) => x.shape[axis]!));
  const outSize = sizeOf(kept.map((axis) => x.shape[axis]!));
  if (groupSize === 0) return { outSize };
  forEachRun(moved.shape, [moved], (bases, length, outStart, steps) => {
    const step = steps[0]!;
    let position = outStart;
    let base = bases[0]!;
    const end = outStart + length;
    while (position < end) {
      const outIndex = Math.floor(position / groupSize);
      const segmentEnd = Math.min((outIndex + 1) * groupSize, end);
      visit(outIndex, base, step, segmentEnd - position, position - outIndex * groupSize);
      base += (segmentEnd - position) * step;
      position = segmentEnd;
    }
  });
  return { outSize };
}

/** Whether `axes` are the last axes of x and x is row-major: then every output sums one consecutive segment. */
function reducesTrailingRows(x: View<Storage>, axes: readonly number[]): boolean {
  const rank = x.shape.length;
  return axes.length > 0 && axes.every((axis) => axis >= rank - axes.length) && isContiguous(x.shape, x.strides);
}

/**
 * A sum over consecutive segments of `groupSize` elements, in doubles, in the order of the general
 * loop below (so the same result): a norm over the last axis ran ~5× slower through the segment
 * callbacks.
 */
function sumTrailingRows(x: View<Storage>, groupSize: number, out: Storage): void {
  const src = x.storage;
  for (let row = 0, at = x.offset; row < out.length; row++) {
    let acc = 0;
    for (const end = at + groupSize; at < end; at++) acc += src[at]!;
    out[row] = acc;
  }
}

export function reduce(op: ReduceOp, x: View<Storage>, axes: readonly number[]): Storage {
  const outSize = sizeOf(x.shape.filter((_, axis) => !axes.includes(axis)));
  const out = newBufferToOverwrite(x.dtype, outSize);
  if (op === 'sum' && outSize > 0 && reducesTrailingRows(x, axes)) {
    sumTrailingRows(x, sizeOf(x.shape) / outSize, out);
    return out;
  }
  // Accumulate in doubles (JS numbers), then store once per output.
  const accumulator = new Float64Array(outSize).fill(INITIAL[op]);
  const src = x.storage;
  forEachSegment(x, axes, (outIndex, base, step, length) => {
    let acc = accumulator[outIndex]!;
    if (op === 'sum') for (let j = 0, i = base; j < length; j++, i += step) acc += src[i]!;
    else if (op === 'max') for (let j = 0, i = base; j < length; j++, i += step) acc = src[i]! > acc || Number.isNaN(src[i]!) ? src[i]! : acc;
    else for (let j = 0, i = base; j < length; j++, i += step) acc = src[i]! < acc || Number.isNaN(src[i]!) ? src[i]! : acc;
    accumulator[outIndex] = acc;
  });
  out.set(accumulator);
  return out;
}

export function argReduce(op: ArgReduceOp, x: View<Storage>, axis: number): Storage {
  const outSize = sizeOf(x.shape.filter((_, a) => a !== axis));
  const best = new Float64Array(outSize).fill(op === 'argmax' ? -Infinity : Infinity);
  const out = new Int32Array(outSize);
  const src = x.storage;
  const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
  forEachSegment(x, [axis], (outIndex, base, step, length, position) => {
    for (let j = 0, i = base; j < length; j++, i += step) {
      if (position + j === 0 || better(src[i]!, best[outIndex]!)) {
        best[outIndex] = src[i]!;
        out[outIndex] = position + j;
      }
    }
  });
  return out;
}

/**
 * Softmax along the last axis, one row at a time in doubles (max, exponentials, normalisation);
 * float32 rows use the fast exp, or rows.wat (SIMD) where it can: these loops are the fallback and reference.
 */
export function softmax(x: View<Storage>): Storage {
  const size = sizeOf(x.shape);
  const width = x.shape[x.shape.length - 1] ?? 1;
  const { data: rows, start } = rowMajorData(x);
  const fromWasm = wasmSoftmax({ data: rows, start }, size, width, newFloat32Output);
  if (fromWasm) return fromWasm;
  const out = newBufferToOverwrite(x.dtype, size);
  const exps = new Float64Array(width);
  const exp = expFor(out);
  for (let row = 0; row < size; row += width) {
    const base = start + row;
    let peak = -Infinity;
    for (let j = 0; j < width; j++) peak = Math.max(peak, rows[base + j]!);
    // NOTE: a row of all -Infinity gets shift 0, so it gives NaN as the composition does.
    const shift = peak === -Infinity ? 0 : peak;
    let total = 0;
    for (let j = 0; j < width; j++) total += exps[j] = exp(rows[base + j]! - shift);
    for (let j = 0; j < width; j++) out[row + j] = exps[j]! / total;
  }
  return out;
}

/** The softmax gradient along the last axis, y ⊙ (dy − Σ dy ⊙ y), one row at a time (the sum in doubles). */
export function softmaxGrad(y: View<Storage>, dy: View<Storage>): Storage {
  const ys = rowMajorData(y);
  const dys = rowMajorData(dy);
  const size = sizeOf(y.shape);
  const width = y.shape[y.shape.length - 1] ?? 1;
  const fromWasm = wasmSoftmaxGrad(ys, dys, size, width, newFloat32Output);
  if (fromWasm) return fromWasm;
  const out = newBufferToOverwrite(y.dtype, size);
  const Y = ys.data;
  const D = dys.data;
  for (let row = 0; row < size; row += width) {
    const yBase = ys.start + row;
    const dyBase = dys.start + row;
    let dot = 0;
    for (let j = 0; j < width; j++) dot += D[dyBase + j]! * Y[yBase + j]!;
    for (let j = 0; j < width; j++) out[row + j] = Y[yBase + j]! * (D[dyBase + j]! - dot);
  }
  return out;
}
