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
    const totalNorm = gradNorm(params);
    const scale = maxNorm / (totalNorm + 1e-6);
    if (scale < 1) {
      for (const param of params) if (param.grad !== null) param.grad = param.grad.mul(scale);
    }
    return totalNorm;
  });
}

/**
 * The global L2 norm of the parameters' gradients (those without one count as zero): NaN or
 * Infinity when any gradient entry is, so it also tells whether a step's gradients are finite.
 * @example
 *   loss.backward();
 *   if (!Number.isFinite(gradNorm(model.parameters()))) optimizer.zeroGrad(); // skip this step
 */
export function gradNorm(params: Tensor[]): number {
  return noGrad(() => {
    let squaredSum = 0;
    for (const param of params) {
      if (param.grad !== null) squaredSum += param.grad.mul(param.grad).sum().item();
    }
    return Math.sqrt(squaredSum);
  });
}
