import { Tensor, noGrad } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm`, as
 * torch.nn.utils.clip_grad_norm_ (factor maxNorm / (norm + 1e-6), only when below 1).
 * Returns the norm before clipping.
 * @example
 *   loss.backward();
 *   const norm = clipGradNorm(model.parameters(), 1.0);
 */
export function clipGradNorm(params: Tensor[], maxNorm: number): number {
  if (!(typeof maxNorm === 'number' && maxNorm > 0)) throw argumentError('clipGradNorm', 'maxNorm', maxNorm, 'a positive number');
  return noGrad(() => {
    let squaredSum = 0;
    for (const param of params) {
      if (param.grad !== null) squaredSum += param.grad.mul(param.grad).sum().item();
    }
    const totalNorm = Math.sqrt(squaredSum);
    const scale = maxNorm / (totalNorm + 1e-6);
    if (scale < 1) {
      for (const param of params) if (param.grad !== null) param.grad = param.grad.mul(scale);
    }
    return totalNorm;
  });
}
