import { Tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Optimizer, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled decay: p ← p·(1 − lr·wd) before the Adam step (default 0.01, as PyTorch). */
  weightDecay?: number;
}

interface Moments {
  first: Tensor;
  second: Tensor;
  steps: number;
}

/**
 * Adam with decoupled weight decay, as torch.optim.AdamW: p ← p(1 − lr·wd);
 * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·(m/(1−β₁ᵗ)) / (sqrt(v/(1−β₂ᵗ)) + ε).
 * Parameter groups let biases and LayerNorm weights skip decay (see `weightDecayGroups`).
 * @example
 *   const optimizer = new AdamW(weightDecayGroups(model, 0.01), { lr: 1e-3 });
 */
export class AdamW extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly moments = new Map<Tensor, Moments>();

  constructor(params: ParamsInput, options: AdamWOptions = {}) {
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01 }, 'AdamW');
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    for (const [name, beta] of [['betas[0]', this.beta1], ['betas[1]', this.beta2]] as const) {
      if (!(beta >= 0 && beta < 1)) throw argumentError('AdamW', name, beta, 'a number in [0, 1)');
    }
    if (!(this.eps >= 0)) throw argumentError('AdamW', 'eps', this.eps, 'a non-negative number');
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup): void {
    const previous = this.moments.get(param);
    const steps = (previous?.steps ?? 0) + 1;
    const first = previous === undefined ? grad.mul(1 - this.beta1) : previous.first.mul(this.beta1).add(grad.mul(1 - this.beta1));
    const squared = grad.mul(grad);
    const second = previous === undefined ? squared.mul(1 - this.beta2) : previous.second.mul(this.beta2).add(squared.mul(1 - this.beta2));
    this.moments.set(param, { first, second, steps });
    const firstCorrection = 1 - this.beta1 ** steps;
    const secondCorrection = 1 - this.beta2 ** steps;
    const decayed = group.weightDecay !== 0 ? param.mul(1 - group.lr * group.weightDecay) : param;
    const denominator = second.div(secondCorrection).sqrt().add(this.eps);
    param.assign(decayed.sub(first.div(denominator).mul(group.lr / firstCorrection)));
  }
}
