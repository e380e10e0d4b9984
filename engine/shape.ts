// Pure shape math shared by the engine and every backend. No imports besides errors.
import { argumentError, describe, opError } from './errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let expected = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    if (shape[axis] !== 1 && strides[axis] !== expected) return false;
    expected *= shape[axis]!;
  }
  return true;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

/** Validates a shape: non-negative integers. */
export function checkShape(fn: string, argument: string, shape: unknown): Shape {
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw argumentError(fn, argument, shape, 'an array of non-negative integers');
  }
  if (sizeOf(shape) > 2 ** 31 - 1) throw argumentError(fn, argument, shape, 'a shape of at most 2^31 - 1 elements');
  return shape as Shape;
}

/** An array of integers (a shape that may hold -1, a list of axes): anything else is an ArgumentError. */
export function checkIntegers(fn: string, argument: string, value: unknown): readonly number[] {
  if (!Array.isArray(value) || !value.every((item) => Number.isInteger(item))) throw argumentError(fn, argument, value, 'an array of integers');
  return value;
}

/** Resolves a possibly negative axis against a rank. */
export function normalizeAxis(fn: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw argumentError(fn, 'axis', axis, `an integer in [${-rank}, ${Math.max(rank, 1) - 1}] for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves reduction axes: undefined means all axes; duplicates are rejected. Returns them sorted. */
export function normalizeAxes(fn: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, axis) => axis);
  if (typeof axes !== 'number' && !Array.isArray(axes)) throw argumentError(fn, 'axes', axes, 'an axis, an array of axes, or nothing (all axes)');
  const list = typeof axes === 'number' ? [axes] : [...axes];
  const resolved = list.map((axis) => normalizeAxis(fn, axis, rank)).sort((a, b) => a - b);
  // NOTE: a scalar may name axis 0 (as in PyTorch); it has no axis to reduce, so it is its own result.
  if (rank === 0) return [];
  for (let i = 1; i < resolved.length; i++) {
    if (resolved[i] === resolved[i - 1]) throw argumentError(fn, 'axes', axes, 'distinct axes');
  }
  return resolved;
}

/** NumPy broadcasting of two shapes, aligned at the trailing axis. */
export function broadcastShapes(fn: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const dimA = a[a.length - i] ?? 1;
    const dimB = b[b.length - i] ?? 1;
    if (dimA !== dimB && dimA !== 1 && dimB !== 1) {
      throw opError(fn, `shapes ${describe(a)} and ${describe(b)} cannot be broadcast (axis -${i}: ${dimA} vs ${dimB})`);
    }
    out[rank - i] = dimA === 1 ? dimB : dimA;
  }
  return out;
}

/** The shape after removing (or keeping as 1) the reduced axes. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((dim, axis) => {
    if (!axes.includes(axis)) out.push(dim);
    else if (keepDim) out.push(1);
  });
  return out;
}
