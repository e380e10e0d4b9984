// Elementwise ops: each kernel call sits next to its gradient, written in ops.
import type { Backend, BinaryOp, UnaryOp } from '../backend.js';
import { isFloat, type DType } from '../dtype.js';
import { argumentError } from '../errors.js';
import { defineOp, type ForwardResult } from '../op.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { cast } from './movement.js';
import { asFloat, broadcastPair, checkTensor, expandTo } from './prepare.js';

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

function unaryKernel(backend: Backend, op: UnaryOp, x: Tensor): ForwardResult {
  return { storage: backend.unary(op, x), shape: x.shape, dtype: x.dtype };
}

function binaryKernel(backend: Backend, op: BinaryOp, a: Tensor, b: Tensor, comparison = false): ForwardResult {
  const dtype = comparison ? 'bool' : a.dtype;
  return { storage: backend.binary(op, a, b, dtype), shape: a.shape, dtype };
}

type UnaryGradient = (x: Tensor, out: Tensor, dy: Tensor) => Tensor | null;

/** A unary op on floats (integer inputs are computed in float32). */
function unaryOp(name: UnaryOp, gradient: UnaryGradient, floatOnly = true) {
  const op = defineOp({
    name,
    forward: (backend, [x]) => unaryKernel(backend, name, x!),
    gradient: ([x], out, dy) => [gradient(x!, out, dy)],
  });
  return (x: Tensor): Tensor => {
    checkTensor(name, 'x', x);
    return op([floatOnly ? asFloat(x) : x], undefined);
  };
}

export const neg = unaryOp('neg', (_x, _out, dy) => dy.neg(), false);
export const exp = unaryOp('exp', (_x, out, dy) => dy.mul(out)); // d/dx eˣ = eˣ: reuse the output
export const log = unaryOp('log', (x, _out, dy) => dy.div(x));
export const sqrt = unaryOp('sqrt', (_x, out, dy) => dy.div(out.mul(2)));
export const abs = unaryOp('abs', (x, _out, dy) => dy.mul(x.sign()), false);
export const sign = unaryOp('sign', () => null, false);
export const tanh = unaryOp('tanh', (_x, out, dy) => dy.mul(out.mul(out).neg().add(1)));
export const sigmoid = unaryOp('sigmoid', (_x, out, dy) => dy.mul(out.mul(out.neg().add(1))));
export const relu = unaryOp('relu', (x, _out, dy) => where(x.gt(0), dy, 0), false);
export const erf = unaryOp('erf', (x, _out, dy) => dy.mul(x.mul(x).neg().exp().mul(TWO_OVER_SQRT_PI)));
export const reciprocal = unaryOp('reciprocal', (_x, out, dy) => dy.mul(out.mul(out)).neg());

/** 1/√x, composed: its gradient comes from sqrt and reciprocal. */
export const rsqrt = (x: Tensor): Tensor => reciprocal(sqrt(x));

type BinaryGradient = (a: Tensor, b: Tensor, out: Tensor, dy: Tensor) => [Tensor | null, Tensor | null];

/** A broadcasting binary op. Operands are expanded views, so expand's gradient does the un-broadcasting. */
function binaryOp(name: BinaryOp, gradient: BinaryGradient | null) {
  const op = defineOp({
    name,
    forward: (backend, [a, b]) => binaryKernel(backend, name, a!, b!, gradient === null),
    ...(gradient && { gradient: ([a, b]: readonly Tensor[], out: Tensor, dy: Tensor) => gradient(a!, b!, out, dy) }),
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    let [ta, tb] = broadcastPair(name, a, b);
    const dtype = computeDtype(name, ta.dtype);
    if (dtype !== ta.dtype) [ta, tb] = [cast(ta, dtype), cast(tb, dtype)];
    return op([ta, tb], undefined);
  };
}

/** Division is true division (int operands compute in float32, as torch); bool arithmetic computes in int32. */
function computeDtype(name: BinaryOp, dtype: DType): DType {
  if (name === 'div' && !isFloat(dtype)) return 'float32';
  if (dtype === 'bool' && (name === 'add' || name === 'sub' || name === 'mul' || name === 'pow')) return 'int32';
  return dtype;
}

// NOTE: a gradient is computed only for an operand that requires one: scaling scores by a constant
// or masking them would otherwise pay full-size passes for a gradient that backward drops.
export const add = binaryOp('add', (_a, _b, _out, dy) => [dy, dy]);
export const sub = binaryOp('sub', (_a, b, _out, dy) => [dy, b.requiresGrad ? dy.neg() : null]);
export const mul = binaryOp('mul', (a, b, _out, dy) => [a.requiresGrad ? dy.mul(b) : null, b.requiresGrad ? dy.mul(a) : null]);
export const div = binaryOp('div', (a, b, out, dy) => [a.requiresGrad ? dy.div(b) : null, b.requiresGrad ? dy.mul(out).div(b).neg() : null]);
// NOTE: masked as torch does, so zeros do not give NaN: x⁰ has base gradient 0 (not 0·0⁻¹), and
// 0^b with b ≥ 0 has exponent gradient 0 (not 0·log 0).
export const pow = binaryOp('pow', (a, b, out, dy) => [
  a.requiresGrad ? dy.mul(where(b.eq(0), 0, b.mul(a.pow(b.sub(1))))) : null,
  b.requiresGrad ? dy.mul(where(a.eq(0), where(b.ge(0), 0, out.mul(a.log())), out.mul(a.log()))) : null,
]);
// NOTE: on ties the first operand takes the whole gradient (PyTorch splits it in halves).
export const maximum = binaryOp('maximum', (a, b, _out, dy) => {
  const first = a.ge(b);
  return [where(first, dy, 0), where(first, 0, dy)];
});
export const minimum = binaryOp('minimum', (a, b, _out, dy) => {
  const first = a.le(b);
  return [where(first, dy, 0), where(first, 0, dy)];
});

export const eq = binaryOp('eq', null);
export const ne = binaryOp('ne', null);
export const lt = binaryOp('lt', null);
export const le = binaryOp('le', null);
export const gt = binaryOp('gt', null);
export const ge = binaryOp('ge', null);

const whereOp = defineOp({
  name: 'where',
  forward: (backend, [cond, a, b]) => ({ storage: backend.where(cond!, a!, b!), shape: a!.shape, dtype: a!.dtype }),
  gradient: ([cond, a, b], _out, dy) => [null, a!.requiresGrad ? where(cond!, dy, 0) : null, b!.requiresGrad ? where(cond!, 0, dy) : null],
});

/**
 * Picks a where cond is true, else b, broadcasting all three.
 * @example where(x.gt(0), x, 0) // relu
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', 'cond', cond);
  const [ta, tb] = broadcastPair('where', a, b);
  const shape = broadcastShapes('where', cond.shape, ta.shape);
  return whereOp([expandTo(cond.cast('bool'), shape), expandTo(ta, shape), expandTo(tb, shape)], undefined);
}

/** x with `value` wherever mask is true. @example scores.maskedFill(padding, -1e9) */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  checkTensor('maskedFill', 'mask', mask);
  checkTensor('maskedFill', 'x', x);
  if (typeof value !== 'number') throw argumentError('maskedFill', 'value', value, 'a number');
  // As torch: the mask broadcasts to x, never x to a larger mask (the result keeps x's shape).
  if (!sameShape(broadcastShapes('maskedFill', mask.shape, x.shape), x.shape)) {
    throw argumentError('maskedFill', 'mask.shape', mask.shape, `a shape that broadcasts to x.shape [${x.shape}]`);
  }
  return where(mask, value, x);
}

/** Limits values to [min, max]; either bound may be omitted. */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let out = x;
  if (min !== undefined) out = maximum(out, min);
  if (max !== undefined) out = minimum(out, max);
  return out;
}
