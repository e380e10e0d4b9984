// Movement ops. Views (permute, slice, expand, flip, unfold, reshape when possible) share storage;
// the gradient of every view scatters dy back through the same layout map (repeats accumulate).
import type { Layout } from '../backend.js';
import { checkDtype, type DType } from '../dtype.js';
import { argumentError, opError } from '../errors.js';
import { defineOp, type ForwardResult } from '../op.js';
import { checkIntegers, contiguousStrides, isContiguous, normalizeAxes, normalizeAxis, sameShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';

export const rowMajor = contiguousStrides;

type LayoutMap<P> = (layout: Layout, params: P) => Layout;

const scatterViewOp = defineOp<{ size: number; shape: readonly number[]; target: Layout }>({
  name: 'scatterView',
  forward: (backend, [src], { size, shape, target }) => ({ storage: backend.scatterView(size, target, src!), shape, dtype: src!.dtype }),
  gradient: (_inputs, _out, dy, { target }) => {
    const dense = contiguous(dy);
    return [new Tensor({ ...dense, shape: target.shape, strides: target.strides, offset: dense.offset + target.offset })];
  },
});

/** A view op: forward maps the layout; backward scatters dy through the same map applied to a row-major input. */
function defineViewOp<P>(name: string, map: LayoutMap<P>) {
  return defineOp<P>({
    name,
    forward: (_backend, [x], params): ForwardResult => ({ storage: x!.storage, dtype: x!.dtype, ...map(x!, params) }),
    gradient: ([x], _out, dy, params) => {
      const target = map({ shape: x!.shape, strides: rowMajor(x!.shape), offset: 0 }, params);
      return [scatterViewOp([dy], { size: x!.size, shape: x!.shape, target })];
    },
  });
}

const permuteOp = defineViewOp<readonly number[]>('permute', (x, axes) => ({
  shape: axes.map((a) => x.shape[a]!),
  strides: axes.map((a) => x.strides[a]!),
  offset: x.offset,
}));

/** Reorders axes (a view). @example x.permute([0, 2, 1, 3]) */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  checkIntegers('permute', 'axes', axes);
  const resolved = axes.map((a) => normalizeAxis('permute', a, x.rank));
  if (resolved.length !== x.rank || new Set(resolved).size !== x.rank) {
    throw argumentError('permute', 'axes', axes, `a permutation of [0..${x.rank - 1}]`);
  }
  return resolved.every((a, i) => a === i) ? x : permuteOp([x], resolved);
}

export function transpose(x: Tensor, axisA = -2, axisB = -1): Tensor {
  const axes = Array.from({ length: x.rank }, (_, i) => i);
  const a = normalizeAxis('transpose', axisA, x.rank);
  const b = normalizeAxis('transpose', axisB, x.rank);
  [axes[a], axes[b]] = [axes[b]!, axes[a]!];
  return permute(x, axes);
}

const sliceOp = defineViewOp<{ axis: number; start: number; length: number; step: number }>('slice', (x, p) => ({
  shape: x.shape.map((d, a) => (a === p.axis ? p.length : d)),
  strides: x.strides.map((s, a) => (a === p.axis ? s * p.step : s)),
  offset: x.offset + p.start * x.strides[p.axis]!,
}));

/**
 * Elements start, start+step, … before end along one axis (a view). Negative start/end count from the end.
 * @example x.slice(-1, 0, 4); x.slice(1, 0, undefined, 2)
 */
export function slice(x: Tensor, axis: number, start: number, end?: number, step = 1): Tensor {
  const a = normalizeAxis('slice', axis, x.rank);
  const size = x.shape[a]!;
  if (!Number.isInteger(step) || step <= 0) throw argumentError('slice', 'step', step, 'a positive integer');
  if (!Number.isInteger(start)) throw argumentError('slice', 'start', start, 'an integer');
  if (end !== undefined && !Number.isInteger(end)) throw argumentError('slice', 'end', end, 'an integer or undefined');
  const clampIndex = (i: number) => Math.min(size, Math.max(0, i < 0 ? i + size : i));
  const from = clampIndex(start);
  const to = end === undefined ? size : clampIndex(end);
  const length = Math.max(0, Math.ceil((to - from) / step));
  if (from === 0 && length === size && step === 1) return x;
  return sliceOp([x], { axis: a, start: from, length, step });
}

/** `length` elements from `start` along an axis; unlike slice, the range must lie inside the tensor. */
export function narrow(x: Tensor, axis: number, start: number, length: number): Tensor {
  const a = normalizeAxis('narrow', axis, x.rank);
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > x.shape[a]!) {
    throw argumentError('narrow', 'start/length', [start, length], `a range inside axis ${a} of size ${x.shape[a]}`);
  }
  return slice(x, a, start, start + length);
}

const expandOp = defineViewOp<readonly number[]>('expand', (x, shape) => {
  const lead = shape.length - x.shape.length;
  return {
    shape,
    strides: shape.map((d, a) => (a < lead || (x.shape[a - lead] === 1 && d !== 1) ? 0 : x.strides[a - lead]!)),
    offset: x.offset,
  };
});

/** Broadcasts size-1 (and new leading) axes to `shape` without copying; -1 keeps a size. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  checkIntegers('expand', 'shape', shape);
  const lead = shape.length - x.rank;
  const resolved = shape.map((d, a) => (d === -1 && a >= lead ? x.shape[a - lead]! : d));
  const valid = lead >= 0 && resolved.every((d, a) => Number.isInteger(d) && d >= 0 && (a < lead || x.shape[a - lead] === d || x.shape[a - lead] === 1));
  if (!valid) throw argumentError('expand', 'shape', shape, `a shape that [${x.shape}] broadcasts to`);
  return sameShape(resolved, x.shape) ? x : expandOp([x], resolved);
}

const flipOp = defineViewOp<readonly number[]>('flip', (x, axes) => ({
  shape: x.shape,
  strides: x.strides.map((s, a) => (axes.includes(a) ? -s : s)),
  offset: axes.reduce((o, a) => o + Math.max(0, x.shape[a]! - 1) * x.strides[a]!, x.offset),
}));

/** Reverses the order along the given axes (a view with negative strides). */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  return flipOp([x], normalizeAxes('flip', axes, x.rank));
}

const unfoldOp = defineViewOp<{ axis: number; size: number; step: number }>('unfold', (x, { axis, size, step }) => ({
  shape: [...x.shape.map((d, a) => (a === axis ? Math.floor((d - size) / step) + 1 : d)), size],
  strides: [...x.strides.map((s, a) => (a === axis ? s * step : s)), x.strides[axis]!],
  offset: x.offset,
}));

/**
 * Sliding windows of `size` every `step` along an axis, as a new trailing axis (a view, as torch.Tensor.unfold).
 * @example arange(6).unfold(0, 3, 3).toArray() // [[0, 1, 2], [3, 4, 5]]
 */
export function unfold(x: Tensor, axis: number, size: number, step: number): Tensor {
  const a = normalizeAxis('unfold', axis, x.rank);
  if (!Number.isInteger(size) || size <= 0 || size > x.shape[a]!) throw argumentError('unfold', 'size', size, `an integer in [1, ${x.shape[a]}]`);
  if (!Number.isInteger(step) || step <= 0) throw argumentError('unfold', 'step', step, 'a positive integer');
  return unfoldOp([x], { axis: a, size, step });
}

/**
 * Strides that view x's storage with `shape`, or null when the element order forbids a view.
 * x's axes split into chunks that are contiguous among themselves; each chunk must map onto
 * whole new axes, which then take strides from the chunk's innermost stride.
 */
function viewStrides(x: Layout, shape: readonly number[]): number[] | null {
  if (sizeOf(shape) === 0 || x.shape.length === 0) return contiguousStrides(shape);
  const strides = new Array<number>(shape.length);
  let newAxis = shape.length - 1;
  let chunkStride = x.strides[x.shape.length - 1]!;
  let chunkSize = 1;
  let viewSize = 1;
  for (let axis = x.shape.length - 1; axis >= 0; axis--) {
    chunkSize *= x.shape[axis]!;
    const chunkEnds = axis === 0 || (x.shape[axis - 1] !== 1 && x.strides[axis - 1] !== chunkSize * chunkStride);
    if (!chunkEnds) continue;
    while (newAxis >= 0 && (viewSize < chunkSize || shape[newAxis] === 1)) {
      strides[newAxis] = viewSize * chunkStride;
      viewSize *= shape[newAxis]!;
      newAxis--;
    }
    if (viewSize !== chunkSize) return null;
    if (axis > 0) {
      chunkStride = x.strides[axis - 1]!;
      chunkSize = 1;
      viewSize = 1;
    }
  }
  return newAxis === -1 ? strides : null;
}

const reshapeOp = defineOp<readonly number[]>({
  name: 'reshape',
  forward: (backend, [x], shape) => {
    const strides = viewStrides(x!, shape);
    if (strides) return { storage: x!.storage, shape, strides, offset: x!.offset, dtype: x!.dtype };
    return { storage: backend.contiguous(x!), shape, dtype: x!.dtype };
  },
  gradient: ([x], _out, dy) => [reshape(dy, x!.shape)],
});

/** Same elements, new shape (one -1 is inferred); a view when the layout allows, else a copy. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  checkIntegers('reshape', 'shape', shape);
  const known = shape.filter((d) => d !== -1);
  const inferred = shape.length - known.length;
  const knownSize = sizeOf(known);
  const valid = inferred <= 1 && known.every((d) => Number.isInteger(d) && d >= 0) && (inferred === 1 ? knownSize > 0 && x.size % knownSize === 0 : knownSize === x.size);
  if (!valid) throw argumentError('reshape', 'shape', shape, `a shape with ${x.size} elements (from [${x.shape}])`);
  const resolved = shape.map((d) => (d === -1 ? x.size / knownSize : d));
  return sameShape(resolved, x.shape) ? x : reshapeOp([x], resolved);
}

export function flatten(x: Tensor, startAxis = 0, endAxis = -1): Tensor {
  if (x.rank === 0) return reshape(x, [1]);
  const start = normalizeAxis('flatten', startAxis, x.rank);
  const end = normalizeAxis('flatten', endAxis, x.rank);
  if (end < start) throw argumentError('flatten', 'endAxis', endAxis, `an axis at or after startAxis ${startAxis}`);
  return reshape(x, [...x.shape.slice(0, start), sizeOf(x.shape.slice(start, end + 1)), ...x.shape.slice(end + 1)]);
}

export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normalizeAxis('unsqueeze', axis, x.rank + 1);
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
}

/** Removes one size-1 axis, or all of them when no axis is given. */
export function squeeze(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normalizeAxis('squeeze', axis, x.rank);
  if (x.shape[a] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

const contiguousOp = defineOp({
  name: 'contiguous',
  forward: (backend, [x]) => ({ storage: backend.contiguous(x!), shape: x!.shape, dtype: x!.dtype }),
  gradient: (_inputs, _out, dy) => [dy],
});

/** Row-major storage of its own, or x itself when it already is. */
export function contiguous(x: Tensor): Tensor {
  return isContiguous(x.shape, x.strides) ? x : contiguousOp([x], undefined);
}

const castOp = defineOp<DType>({
  name: 'cast',
  forward: (backend, [x], dtype) => ({ storage: backend.cast(x!, dtype), shape: x!.shape, dtype }),
  gradient: ([x], _out, dy) => [x!.dtype === 'float32' || x!.dtype === 'float64' ? cast(dy, x!.dtype) : null],
});

export function cast(x: Tensor, dtype: DType): Tensor {
  checkDtype('cast', dtype);
  return x.dtype === dtype ? x : castOp([x], dtype);
}

type Pads = readonly (readonly [number, number])[];

const padOp = defineOp<{ pads: Pads; value: number }>({
  name: 'pad',
  forward: (backend, [x], { pads, value }) => ({
    storage: backend.pad(x!, pads, value),
    shape: x!.shape.map((d, a) => d + pads[a]![0] + pads[a]![1]),
    dtype: x!.dtype,
  }),
  gradient: ([x], _out, dy, { pads }) => [pads.reduce((g, [before], a) => narrow(g, a, before, x!.shape[a]!), dy)],
});

/**
 * Pads with `value`: one [before, after] pair per axis.
 * @example x.pad([[0, 0], [1, 2]]) // a [2, 3] tensor becomes [2, 6]
 */
export function pad(x: Tensor, pads: Pads, value = 0): Tensor {
  const valid = Array.isArray(pads) && pads.length === x.rank && pads.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n >= 0));
  if (!valid) throw argumentError('pad', 'pads', pads, `${x.rank} pairs [before, after] of non-negative integers (one per axis of [${x.shape}])`);
  if (pads.every(([b, a]) => b === 0 && a === 0)) return x;
  return padOp([x], { pads, value });
}

const catOp = defineOp<number>({
  name: 'cat',
  forward: (backend, xs, axis) => {
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((total, x) => total + x.shape[axis]!, 0);
    return { storage: backend.concat(xs, axis), shape, dtype: xs[0]!.dtype };
  },
  gradient: (xs, _out, dy, axis) => {
    let start = 0;
    return xs.map((x) => narrow(dy, axis, (start += x.shape[axis]!) - x.shape[axis]!, x.shape[axis]!));
  },
});

/** Joins tensors along an existing axis. @example cat([a, b], -1) */
export function cat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw argumentError('cat', 'tensors', tensors, 'a non-empty array of Tensors');
  }
  const first = tensors[0]!;
  // NOTE: normalizeAxis lets a scalar's reductions name axis 0; a scalar has no axis to join along.
  if (first.rank === 0) throw argumentError('cat', 'tensors[0].shape', first.shape, 'at least one axis (a scalar has none to join along; use stack)');
  const a = normalizeAxis('cat', axis, first.rank);
  tensors.forEach((t, i) => {
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw opError('cat', `tensors[${i}].shape [${t.shape}] does not match tensors[0].shape [${first.shape}] outside axis ${a}`);
    }
    if (t.dtype !== first.dtype) throw opError('cat', `tensors[${i}] is ${t.dtype} but tensors[0] is ${first.dtype}`);
  });
  return tensors.length === 1 ? first : catOp(tensors, a);
}

/** Joins tensors of one shape along a new axis. */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0 || !tensors.every((t) => t instanceof Tensor)) {
    throw argumentError('stack', 'tensors', tensors, 'a non-empty array of Tensors');
  }
  const a = normalizeAxis('stack', axis, tensors[0]!.rank + 1);
  return cat(tensors.map((t) => unsqueeze(t, a)), a);
}
