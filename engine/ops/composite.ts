// Ops composed from other ops (and softmax, fused where the backend has the kernel). GELU and
// layerNorm live in activations.ts and normalization.ts: fused ops with a composed fallback.
import { argumentError, opError, optionsOf } from '../errors.js';
import type { Rng } from '../random.js';
import { getDefaultRng } from '../random.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { fromStorageArray, fullLike } from '../creation.js';
import { allocate } from '../dtype.js';
import { where } from './elementwise.js';
import { gather } from './indexing.js';
import { reshape, transpose, unsqueeze } from './movement.js';
import { defineOp } from '../op.js';
import { gradientTensor } from './fused.js';
import { asFloat, checkTensor } from './prepare.js';

export const onesLike = (x: Tensor): Tensor => fullLike(x, 1);

// Fused where the backend has the kernels; kept exported from here, where they always lived.
export { gelu, geluNew } from './activations.js';
export { layerNorm } from './normalization.js';

const softmaxLastAxisOp = defineOp({
  name: 'softmax',
  forward: (backend, [x]) => ({ storage: backend.softmax!.forward(x!), shape: x!.shape, dtype: x!.dtype }),
  // dx = y ⊙ (dy − Σ dy ⊙ y) in one backward kernel.
  gradient: (_inputs, out, dy) => [gradientTensor(out.backend, out.backend.softmax!.backward(out, dy), out.shape, out.dtype)],
});

/** exp(x) / Σ exp(x) along an axis, shifted by the maximum for stability. */
export function softmax(x: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'x', x);
  const a = normalizeAxis('softmax', axis, x.rank);
  if (x.rank === 0) return softmax(x.reshape([1])).reshape([]); // a scalar's axis 0: one entry, weight 1
  const input = asFloat(x);
  if (input.backend.softmax) {
    if (a === x.rank - 1) return softmaxLastAxisOp([input], undefined);
    return transpose(softmaxLastAxisOp([transpose(input, a, -1)], undefined), a, -1);
  }
  const e = input.sub(input.max(a, true).detach()).exp();
  return e.div(e.sum(a, true));
}

/** log softmax(x), computed as x − logΣexp(x) so that it stays finite where softmax underflows. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const a = normalizeAxis('logSoftmax', axis, x.rank);
  return asFloat(x).sub(x.logSumExp(a, true));
}

export interface DropoutOptions {
  rng?: Rng;
  /** Dropout is the identity when false (evaluation). */
  training?: boolean;
}

/** Zeroes each element with probability p and scales the rest by 1/(1−p). The mask comes from a seeded rng. */
export function dropout(x: Tensor, p: number, dropoutOptions?: DropoutOptions): Tensor {
  const options = optionsOf('dropout', dropoutOptions);
  checkTensor('dropout', 'x', x);
  if (!(typeof p === 'number' && p >= 0 && p < 1)) throw argumentError('dropout', 'p', p, 'a probability in [0, 1)');
  if (options.training === false || p === 0) return x;
  const rng = options.rng ?? getDefaultRng();
  const keep = allocate(x.dtype, x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < keep.length; i++) keep[i] = rng.uniform() >= p ? scale : 0;
  const mask = fromStorageArray(keep, x.shape, x.dtype).toBackend(x.backend.name);
  return x.mul(mask);
}

export interface CrossEntropyOptions {
  /** Targets equal to this are left out of the loss and its mean (-100, as PyTorch). */
  ignoreIndex?: number;
  reduction?: 'mean' | 'sum' | 'none';
  /** Mixes the one-hot target with a uniform distribution over classes. */
  labelSmoothing?: number;
}

/**
 * Cross entropy of logits [..., C] against int32 class targets [...].
 * @example crossEntropy(logits, labels, { ignoreIndex: -100 })
 */
export function crossEntropy(logits: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const { ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = optionsOf('crossEntropy', options);
  checkTensor('crossEntropy', 'logits', logits);
  checkTensor('crossEntropy', 'target', target);
  if (target.dtype !== 'int32') throw argumentError('crossEntropy', 'target.dtype', target.dtype, "'int32' class indices");
  if (logits.rank !== target.rank + 1 || logits.shape.slice(0, -1).some((d, a) => d !== target.shape[a])) {
    throw opError('crossEntropy', `logits.shape [${logits.shape}] must be target.shape [${target.shape}] plus a class axis`);
  }
  if (!['mean', 'sum', 'none'].includes(reduction)) throw argumentError('crossEntropy', 'reduction', reduction, "'mean', 'sum' or 'none'");
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw argumentError('crossEntropy', 'labelSmoothing', labelSmoothing, 'a number in [0, 1]');
  const classes = logits.shape[logits.rank - 1]!;
  const logProbs = logSoftmax(reshape(logits, [-1, classes]), -1);
  const flatTarget = reshape(target, [-1]);
  const kept = flatTarget.ne(ignoreIndex);
  const safeTarget = where(kept, flatTarget, 0);
  let loss = gather(logProbs, 1, unsqueeze(safeTarget, 1)).neg().reshape([-1]);
  if (labelSmoothing > 0) loss = loss.mul(1 - labelSmoothing).add(logProbs.mean(-1).neg().mul(labelSmoothing));
  loss = where(kept, loss, 0);
  if (reduction === 'none') return reshape(loss, target.shape);
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(kept.sum().cast(loss.dtype));
}
