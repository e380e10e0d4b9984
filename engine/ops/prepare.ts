// Argument preparation shared by ops: numbers to scalars, dtype promotion, broadcasting.
import { isFloat, promoteTypes, type DType } from '../dtype.js';
import { argumentError } from '../errors.js';
import { broadcastShapes, sameShape } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { scalarLike } from '../creation.js';
import { cast, expand } from './movement.js';

export function checkTensor(fn: string, argument: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw argumentError(fn, argument, value, 'a Tensor');
  return value;
}

/** The dtype a number takes next to a tensor: the tensor's, unless a fraction meets an integer tensor. */
function numberDtype(value: number, other: DType): DType {
  return !isFloat(other) && !Number.isInteger(value) ? 'float32' : other === 'bool' ? 'int32' : other;
}

/** Two operands as tensors of one dtype and one broadcast shape (views, no copies). */
export function broadcastPair(fn: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) throw argumentError(fn, 'a', a, 'at least one Tensor operand');
  let ta = a instanceof Tensor ? a : scalarLike(checkNumber(fn, 'a', a), b as Tensor, numberDtype(a, (b as Tensor).dtype));
  let tb = b instanceof Tensor ? b : scalarLike(checkNumber(fn, 'b', b), ta, numberDtype(b, ta.dtype));
  const dtype = promoteTypes(ta.dtype, tb.dtype);
  ta = cast(ta, dtype);
  tb = cast(tb, dtype);
  const shape = broadcastShapes(fn, ta.shape, tb.shape);
  return [expandTo(ta, shape), expandTo(tb, shape)];
}

export function expandTo(x: Tensor, shape: readonly number[]): Tensor {
  return sameShape(x.shape, shape) ? x : expand(x, shape);
}

export function checkNumber(fn: string, argument: string, value: unknown): number {
  if (typeof value !== 'number') throw argumentError(fn, argument, value, 'a number or a Tensor');
  return value;
}

/** Floating operands stay as they are; integer and bool ones compute in float32 (e.g. for exp or mean). */
export function asFloat(x: Tensor): Tensor {
  return isFloat(x.dtype) ? x : cast(x, 'float32');
}
