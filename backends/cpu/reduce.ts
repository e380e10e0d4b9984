// Reductions: the reduced axes are moved last (a view), so each output is one consecutive segment.
import type { ArgReduceOp, ReduceOp, View } from '../../engine/backend.js';
import { allocate, type TypedArray } from '../../engine/dtype.js';
import { sizeOf } from '../../engine/shape.js';
import { contiguous } from './movement.js';
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

export function reduce(op: ReduceOp, x: View<Storage>, axes: readonly number[]): Storage {
  const outSize = sizeOf(x.shape.filter((_, axis) => !axes.includes(axis)));
  const out = allocate(x.dtype, outSize);
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

/** Softmax along the last axis, one row at a time in doubles (max, exponentials, normalisation). */
export function softmax(x: View<Storage>): Storage {
  const rows = contiguous(x);
  const width = x.shape[x.shape.length - 1] ?? 1;
  const out = allocate(x.dtype, rows.length);
  const exps = new Float64Array(width);
  for (let base = 0; base < rows.length; base += width) {
    let peak = -Infinity;
    for (let j = 0; j < width; j++) peak = Math.max(peak, rows[base + j]!);
    // NOTE: a row of all -Infinity gets shift 0, so it gives NaN as the composition does.
    const shift = peak === -Infinity ? 0 : peak;
    let total = 0;
    for (let j = 0; j < width; j++) total += exps[j] = Math.exp(rows[base + j]! - shift);
    for (let j = 0; j < width; j++) out[base + j] = exps[j]! / total;
  }
  return out;
}
