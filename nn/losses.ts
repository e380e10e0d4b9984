/**
 * Losses as PyTorch computes them, composed from engine ops (so gradients come free).
 * Cross entropy is the engine's op (any leading shape), re-exported here beside the other losses.
 */
import type { Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';

export { crossEntropy, type CrossEntropyOptions } from '../engine/index.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(values: Tensor, reduction: Reduction, count: Tensor | number): Tensor {
  if (reduction === 'none') return values;
  const total = values.sum();
  return reduction === 'sum' ? total : total.div(count);
}

/**
 * Mean squared error, as torch.nn.functional.mse_loss (shapes must match).
 * @example
 *   mse(tensor([1, 2]), tensor([1, 4])).item(); // 2
 */
export function mse(prediction: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (prediction.shape.join(',') !== target.shape.join(',')) {
    throw argumentError('mse', 'target.shape', target.shape, `the prediction's shape [${prediction.shape.join(',')}]`);
  }
  const squared = prediction.sub(target).pow(2);
  return reduce(squared, reduction, Math.max(1, squared.size));
}

/**
 * Binary cross entropy on logits, as torch.nn.functional.binary_cross_entropy_with_logits:
 * max(x, 0) − x·y + log(1 + exp(−|x|)), stable for large |x|.
 * @example
 *   bceWithLogits(tensor([0]), tensor([1])).item(); // log 2
 */
export function bceWithLogits(logits: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  if (logits.shape.join(',') !== target.shape.join(',')) {
    throw argumentError('bceWithLogits', 'target.shape', target.shape, `the logits' shape [${logits.shape.join(',')}]`);
  }
  const y = target.cast(logits.dtype);
  const perValue = logits.relu().sub(logits.mul(y)).add(logits.abs().neg().exp().add(1).log());
  return reduce(perValue, reduction, Math.max(1, perValue.size));
}
