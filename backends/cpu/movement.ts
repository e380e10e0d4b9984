// Copies between layouts: contiguous, cast, scatter into a view, concat and pad.
import type { Layout, View } from '../../engine/backend.js';
import { allocate, type DType, type TypedArray } from '../../engine/dtype.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import { forEachRun } from './strided.js';

type Storage = TypedArray;

/** Copies src's elements into `out` at the positions of `target` (same shape as src). */
function copyInto(out: Storage, target: Layout, src: View<Storage>, convert?: (x: number) => number): void {
  const S = src.storage;
  forEachRun(src.shape, [target, src], (bases, length, _o, steps) => {
    let io = bases[0]!;
    let is = bases[1]!;
    const so = steps[0]!;
    const ss = steps[1]!;
    if (convert) for (let j = 0; j < length; j++, io += so, is += ss) out[io] = convert(S[is]!);
    else for (let j = 0; j < length; j++, io += so, is += ss) out[io] = S[is]!;
  });
}

function rowMajor(shape: readonly number[], offset = 0): Layout {
  return { shape, strides: contiguousStrides(shape), offset };
}

export function contiguous(x: View<Storage>): Storage {
  const out = allocate(x.dtype, sizeOf(x.shape));
  copyInto(out, rowMajor(x.shape), x);
  return out;
}

export function cast(x: View<Storage>, dtype: DType): Storage {
  const out = allocate(dtype, sizeOf(x.shape));
  // NOTE: bool keeps "is non-zero"; int32 truncates toward zero (and NaN becomes 0), as typed arrays do.
  copyInto(out, rowMajor(x.shape), x, dtype === 'bool' ? (v) => (v !== 0 ? 1 : 0) : undefined);
  return out;
}

export function scatterView(size: number, target: Layout, src: View<Storage>): Storage {
  const out = allocate(src.dtype, size);
  const S = src.storage;
  forEachRun(src.shape, [target, src], (bases, length, _o, steps) => {
    for (let j = 0, io = bases[0]!, is = bases[1]!; j < length; j++, io += steps[0]!, is += steps[1]!) out[io]! += S[is]!;
  });
  return out;
}

export function concat(xs: readonly View<Storage>[], axis: number): Storage {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((total, x) => total + x.shape[axis]!, 0);
  const strides = contiguousStrides(shape);
  const out = allocate(xs[0]!.dtype, sizeOf(shape));
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
  const out = allocate(x.dtype, sizeOf(shape));
  if (value !== 0) out.fill(value);
  const offset = pads.reduce((total, [before], axis) => total + before * strides[axis]!, 0);
  copyInto(out, { shape: x.shape, strides, offset }, x);
  return out;
}

export function full(size: number, value: number, dtype: DType): Storage {
  const out = allocate(dtype, size);
  if (value !== 0) out.fill(value);
  return out;
}

export function read(x: View<Storage>): Storage {
  return contiguous(x);
}
