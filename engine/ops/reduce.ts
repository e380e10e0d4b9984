// Reductions over any axes. mean, variance and logSumExp are compositions of sum and max.
import type { ReduceOp } from '../backend.js';
import { argumentError, opError, optionsOf } from '../errors.js';
import { defineOp } from '../op.js';
import { normalizeAxes, normalizeAxis, reducedShape, sizeOf } from '../shape.js';
import type { Axes, Tensor } from '../tensor.js';
import { cast, expand, flatten, reshape } from './movement.js';
import { asFloat, checkTensor } from './prepare.js';
import { where } from './elementwise.js';

type ReduceParams = { axes: readonly number[] };

/** dy of a reduced tensor, broadcast back over x's shape. */
function spreadBack(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return expand(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

function reduceKernelOp(name: ReduceOp, gradient: (x: Tensor, out: Tensor, dy: Tensor, axes: readonly number[]) => Tensor) {
  return defineOp<ReduceParams>({
    name,
    forward: (backend, [x], { axes }) => ({ storage: backend.reduce(name, x!, axes), shape: reducedShape(x!.shape, axes, false), dtype: x!.dtype }),
    gradient: ([x], out, dy, { axes }) => [gradient(x!, out, dy, axes)],
  });
}

const sumOp = reduceKernelOp('sum', (x, _out, dy, axes) => spreadBack(dy, x, axes));
// The gradient of max/min is shared evenly among the entries that attain it.
const extremumGradient = (x: Tensor, out: Tensor, dy: Tensor, axes: readonly number[]) => {
  const hits = x.eq(spreadBack(out, x, axes)).cast(x.dtype);
  const count = spreadBack(sumOp([hits], { axes }), x, axes);
  return spreadBack(dy, x, axes).mul(hits).div(count);
};
const maxOp = reduceKernelOp('max', extremumGradient);
const minOp = reduceKernelOp('min', extremumGradient);

function reduceWith(op: typeof sumOp, fn: string, x: Tensor, axes: Axes | undefined, keepDim: boolean): Tensor {
  checkTensor(fn, 'x', x);
  const resolved = normalizeAxes(fn, axes, x.rank);
  const input = x.dtype === 'bool' ? cast(x, 'int32') : x;
  const out = resolved.length === 0 ? input : op([input], { axes: resolved });
  return keepDim ? reshape(out, reducedShape(x.shape, resolved, true)) : out;
}

/** @example x.sum(-1, true) sums the last axis and keeps it as size 1. */
export const sum = (x: Tensor, axes?: Axes, keepDim = false) => reduceWith(sumOp, 'sum', x, axes, keepDim);
export const max = (x: Tensor, axes?: Axes, keepDim = false) => reduceWith(maxOp, 'max', x, axes, keepDim);
export const min = (x: Tensor, axes?: Axes, keepDim = false) => reduceWith(minOp, 'min', x, axes, keepDim);

export function mean(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const resolved = normalizeAxes('mean', axes, x.rank);
  const count = sizeOf(resolved.map((a) => x.shape[a]!));
  return sum(asFloat(x), resolved, keepDim).div(count);
}

export interface VarianceOptions {
  /** Subtracted from the count in the denominator: 1 gives the unbiased estimate (the default, as torch.var). */
  correction?: number;
  keepDim?: boolean;
}

export function variance(x: Tensor, axes?: Axes, options?: VarianceOptions): Tensor {
  const { correction = 1, keepDim = false } = optionsOf('variance', options);
  const resolved = normalizeAxes('var', axes, x.rank);
  const count = sizeOf(resolved.map((a) => x.shape[a]!));
  const centered = asFloat(x).sub(mean(x, resolved, true));
  return sum(centered.mul(centered), resolved, keepDim).div(Math.max(0, count - correction));
}

/** log Σ exp(x), computed around the maximum so large inputs do not overflow. */
export function logSumExp(x: Tensor, axes?: Axes, keepDim = false): Tensor {
  const resolved = normalizeAxes('logSumExp', axes, x.rank);
  const peak = max(asFloat(x), resolved, true).detach();
  // NOTE: an all -Infinity row keeps shift 0 so it gives -Infinity, not NaN.
  const shift = where(peak.eq(-Infinity), 0, peak);
  const out = asFloat(x).sub(shift).exp().sum(resolved, true).log().add(shift);
  return keepDim ? out : reshape(out, reducedShape(x.shape, resolved, false));
}

const argReduceOp = (name: 'argmax' | 'argmin') =>
  defineOp<number>({
    name,
    forward: (backend, [x], axis) => ({ storage: backend.argReduce(name, x!, axis), shape: reducedShape(x!.shape, [axis], false), dtype: 'int32' }),
  });
const argmaxOp = argReduceOp('argmax');
const argminOp = argReduceOp('argmin');

function argReduce(op: typeof argmaxOp, fn: string, x: Tensor, axis: number | undefined, keepDim: boolean): Tensor {
  checkTensor(fn, 'x', x);
  if (axis === undefined) {
    if (x.size === 0) throw opError(fn, `x has shape [${x.shape}], no elements; expected at least one (an empty tensor has no largest or smallest entry)`);
    return op([flatten(x)], 0);
  }
  const a = normalizeAxis(fn, axis, x.rank);
  if (x.rank === 0) return op([flatten(x)], 0); // a scalar's axis 0: index 0
  if (x.shape[a] === 0) throw argumentError(fn, 'axis', axis, `an axis of non-zero length (axis ${a} of shape [${x.shape}] is empty)`);
  const out = op([x], a);
  return keepDim ? reshape(out, reducedShape(x.shape, [a], true)) : out;
}

/** int32 index of the largest entry along an axis (of the flattened tensor when no axis is given). */
export const argmax = (x: Tensor, axis?: number, keepDim = false) => argReduce(argmaxOp, 'argmax', x, axis, keepDim);
export const argmin = (x: Tensor, axis?: number, keepDim = false) => argReduce(argminOp, 'argmin', x, axis, keepDim);
