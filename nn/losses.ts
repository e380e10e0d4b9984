/**
 * Losses as PyTorch computes them, composed from engine ops (so gradients come free).
 */
import { crossEntropy as engineCrossEntropy, type CrossEntropyOptions, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';

export type Reduction = 'mean' | 'sum' | 'none';

export type { CrossEntropyOptions };

function reduce(values: Tensor, reduction: Reduction, count: Tensor | number): Tensor {
  if (reduction === 'none') return values;
  const total = values.sum();
  return reduction === 'sum' ? total : total.div(count);
}

/**
 * Cross entropy of logits `[N, C]` against class indices `[N]` (int32), as torch.nn.functional.cross_entropy
 * (ignoreIndex -100, labelSmoothing, reduction). The math is the engine's `crossEntropy`; this
 * layer only insists on PyTorch's 2-D shapes.
 * @example
 *   crossEntropy(tensor([[2, 0, -1]]), tensor([0], { dtype: 'int32' })).item(); // 0.1698...
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  if (logits.rank !== 2) throw argumentError('crossEntropy', 'logits.shape', logits.shape, '[N, C]');
  if (target.rank !== 1 || target.shape[0] !== logits.shape[0]) {
    throw argumentError('crossEntropy', 'target.shape', target.shape, `[${logits.shape[0]}] (one class index per row of logits)`);
  }
  return engineCrossEntropy(logits, target, options);
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
