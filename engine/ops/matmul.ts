// Batched matrix product with broadcasting over leading axes.
import { promoteTypes } from '../dtype.js';
import { opError } from '../errors.js';
import { defineOp } from '../op.js';
import { broadcastShapes, sizeOf } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { cast, reshape, squeeze, transpose, unsqueeze } from './movement.js';
import { checkTensor, expandTo } from './prepare.js';

const matmulOp = defineOp({
  name: 'matmul',
  forward: (backend, [a, b]) => ({
    storage: backend.matmul(a!, b!),
    shape: [...a!.shape.slice(0, -1), b!.shape[b!.rank - 1]!],
    dtype: a!.dtype,
  }),
  // Operands arrive broadcast to one batch shape, so expand's gradient sums over broadcast axes.
  // Only for an operand that requires a gradient (a product with a constant pays for one side).
  gradient: ([a, b], _out, dy) => [
    a!.requiresGrad ? matmul(dy, transpose(b!)) : null,
    b!.requiresGrad ? matmul(transpose(a!), dy) : null,
  ],
});

/**
 * Matrix product: [..., M, K] @ [..., K, N] → [..., M, N], broadcasting the leading axes; 1-D operands act as vectors.
 * @example matmul(randn([8, 128, 64]), randn([64, 128])).shape // [8, 128, 128]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkTensor('matmul', 'a', a);
  checkTensor('matmul', 'b', b);
  if (a.rank === 0 || b.rank === 0) throw opError('matmul', `a.shape [${a.shape}] and b.shape [${b.shape}] must both have at least one axis`);
  if (a.rank === 1 && b.rank === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, -1)), []);
  if (a.rank === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.rank === 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  const [M, K] = a.shape.slice(-2) as [number, number];
  const [K2, N] = b.shape.slice(-2) as [number, number];
  if (K !== K2) throw opError('matmul', `a.shape [${a.shape}] and b.shape [${b.shape}] disagree on the inner dimension (${K} vs ${K2})`);
  const dtype = promoteTypes(a.dtype, b.dtype);
  [a, b] = [cast(a, dtype), cast(b, dtype)];
  if (b.rank === 2 && a.rank > 2) {
    // A shared weight: fold the batch into rows, one large product instead of many small ones.
    const rows = reshape(a, [sizeOf(a.shape.slice(0, -1)), K]); // not -1: K may be 0
    return reshape(matmulOp([rows, b], undefined), [...a.shape.slice(0, -1), N]);
  }
  let batch: number[];
  try {
    batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw opError('matmul', `a.shape [${a.shape}] and b.shape [${b.shape}] have batch axes that do not broadcast ([${a.shape.slice(0, -2)}] vs [${b.shape.slice(0, -2)}])`);
  }
  return matmulOp([expandTo(a, [...batch, M, K]), expandTo(b, [...batch, K, N])], undefined);
}
