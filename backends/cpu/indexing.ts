// Index kernels: gather, scatterAdd and topk along one axis.
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { newBufferToOverwrite } from './buffer-pool.js';
import { opError } from '../../engine/errors.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import { forEachRun } from './strided.js';
import { contiguous } from './movement.js';

type Storage = TypedArray;

/** Rows at least this long are copied with TypedArray.set. */
const BULK_COPY_LENGTH = 32;

function checkIndex(fn: string, index: number, size: number, axis: number): void {
  if (!(index >= 0 && index < size)) {
    throw opError(fn, `index ${index} is out of range for axis ${axis} of size ${size}`);
  }
}

/** x's layout walked at index's shape, with the indexed axis stepped by hand (stride 0 here). */
function alongIndex(x: { strides: readonly number[]; offset: number }, indexShape: readonly number[], axis: number) {
  return { shape: indexShape, strides: x.strides.map((s, a) => (a === axis ? 0 : s)), offset: x.offset };
}

/**
 * The length of the contiguous row that every index entry selects, when index is constant along
 * the axes after `axis` (an expanded row index, as indexSelect and embedding make) and x and
 * `others` are row-major there; 0 when the kernel must go element by element.
 */
function rowLength(x: View<Storage>, axis: number, index: View<Storage>, others: readonly { shape: readonly number[]; strides: readonly number[] }[] = []): number {
  let length = 1;
  for (let a = x.shape.length - 1; a > axis; a--) {
    const dim = index.shape[a]!;
    if (dim === 1) continue;
    const contiguousHere = (v: { shape: readonly number[]; strides: readonly number[] }) => v.shape[a] === dim && v.strides[a] === length;
    if (index.strides[a] !== 0 || !contiguousHere(x) || !others.every(contiguousHere)) return 0;
    length *= dim;
  }
  return length;
}

/** The outer part of a layout: the axes up to and including `axis`. */
function outerLayout(x: { strides: readonly number[]; offset: number }, shape: readonly number[], axis: number, axisStride?: number) {
  return { shape: shape.slice(0, axis + 1), strides: x.strides.slice(0, axis + 1).map((s, a) => (a === axis && axisStride !== undefined ? axisStride : s)), offset: x.offset };
}

export function gather(x: View<Storage>, axis: number, index: View<Storage>): Storage {
  const out = newBufferToOverwrite(x.dtype, sizeOf(index.shape));
  const X = x.storage;
  const I = index.storage;
  const axisStride = x.strides[axis]!;
  const axisSize = x.shape[axis]!;
  const row = rowLength(x, axis, index);
  if (row > 1) {
    // Whole rows: one index read and one block copy per selected row.
    const outer = index.shape.slice(0, axis + 1);
    forEachRun(outer, [outerLayout(index, outer, axis), outerLayout(x, outer, axis, 0)], (bases, length, o, steps) => {
      for (let j = 0, ii = bases[0]!, ix = bases[1]!; j < length; j++, ii += steps[0]!, ix += steps[1]!) {
        const position = I[ii]!;
        checkIndex('gather', position, axisSize, axis);
        const from = ix + position * axisStride;
        const to = (o + j) * row;
        // TypedArray.set costs about as much as 32 element copies (a subarray per call).
        if (row >= BULK_COPY_LENGTH) out.set(X.subarray(from, from + row), to);
        else for (let t = 0; t < row; t++) out[to + t] = X[from + t]!;
      }
    });
    return out;
  }
  forEachRun(index.shape, [index, alongIndex(x, index.shape, axis)], (bases, length, o, steps) => {
    for (let j = 0, ii = bases[0]!, ix = bases[1]!; j < length; j++, ii += steps[0]!, ix += steps[1]!) {
      const position = I[ii]!;
      checkIndex('gather', position, axisSize, axis);
      out[o + j] = X[ix + position * axisStride]!;
    }
  });
  return out;
}

export function scatterAdd(x: View<Storage>, axis: number, index: View<Storage>, src: View<Storage>): Storage {
  const out = contiguous(x);
  const strides = contiguousStrides(x.shape);
  const I = index.storage;
  const S = src.storage;
  const axisSize = x.shape[axis]!;
  const axisStride = strides[axis]!;
  const row = rowLength({ ...x, strides }, axis, index, [{ shape: index.shape, strides: src.strides }]);
  if (row > 1) {
    // Whole rows: one index read per row, then a run of adds.
    const outer = index.shape.slice(0, axis + 1);
    const target = outerLayout({ strides, offset: 0 }, outer, axis, 0);
    forEachRun(outer, [outerLayout(index, outer, axis), outerLayout(src, outer, axis), target], (bases, length, _o, steps) => {
      for (let j = 0, ii = bases[0]!, is = bases[1]!, io = bases[2]!; j < length; j++, ii += steps[0]!, is += steps[1]!, io += steps[2]!) {
        const position = I[ii]!;
        checkIndex('scatterAdd', position, axisSize, axis);
        for (let t = 0, at = io + position * axisStride; t < row; t++) out[at + t]! += S[is + t]!;
      }
    });
    return out;
  }
  const target = alongIndex({ strides, offset: 0 }, index.shape, axis);
  forEachRun(index.shape, [index, src, target], (bases, length, _o, steps) => {
    let ii = bases[0]!;
    let is = bases[1]!;
    let io = bases[2]!;
    for (let j = 0; j < length; j++, ii += steps[0]!, is += steps[1]!, io += steps[2]!) {
      const position = I[ii]!;
      checkIndex('scatterAdd', position, axisSize, axis);
      out[io + position * axisStride]! += S[is]!;
    }
  });
  return out;
}

export function topkIndices(x: View<Storage>, k: number, largest: boolean): Storage {
  const rows = contiguous(x);
  const length = x.shape[x.shape.length - 1]!;
  const rowCount = length === 0 ? 0 : rows.length / length;
  const out = new Int32Array(rowCount * k);
  const order = new Int32Array(length);
  for (let row = 0; row < rowCount; row++) {
    const base = row * length;
    for (let i = 0; i < length; i++) order[i] = i;
    // Ties keep the lower index first (a stable order), so results do not depend on the sort algorithm.
    const sorted = Array.from(order).sort((i, j) => {
      const difference = largest ? rows[base + j]! - rows[base + i]! : rows[base + i]! - rows[base + j]!;
      return difference !== 0 && !Number.isNaN(difference) ? difference : i - j;
    });
    for (let i = 0; i < k; i++) out[row * k + i] = sorted[i]!;
  }
  return out;
}
