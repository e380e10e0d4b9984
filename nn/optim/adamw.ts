import { zerosLike, type Tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Optimizer, checkOptionKeys, isNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface AdamWOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  /** Decoupled decay: p ← p·(1 − lr·wd) before the Adam step (default 0.01, as PyTorch). */
  weightDecay?: number;
}

export interface Moments {
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
    checkOptionKeys('AdamW', options, ['lr', 'betas', 'eps', 'weightDecay']);
    super(params, { lr: options.lr ?? 1e-3, weightDecay: options.weightDecay ?? 0.01 }, 'AdamW');
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) throw argumentError('AdamW', 'betas', betas, 'two numbers [beta1, beta2] in [0, 1)');
    [this.beta1, this.beta2] = betas;
    this.eps = options.eps ?? 1e-8;
    for (const [name, beta] of [['betas[0]', this.beta1], ['betas[1]', this.beta2]] as const) {
      if (!(typeof beta === 'number' && beta >= 0 && beta < 1)) throw argumentError('AdamW', name, beta, 'a number in [0, 1)');
    }
    if (!isNonNegative(this.eps)) throw argumentError('AdamW', 'eps', this.eps, 'a finite non-negative number');
  }

  /** A parameter's moments and step count (undefined before its first update): what a checkpoint saves. */
  stateOf(param: Tensor): Readonly<Moments> | undefined {
    return this.moments.get(param);
  }

  /** Sets a parameter's moments and step count, e.g. when resuming from a checkpoint. */
  restoreState(param: Tensor, state: Moments): void {
    for (const [name, moment] of [['first', state.first], ['second', state.second]] as const) {
      if (moment.shape.join() !== param.shape.join()) throw argumentError('AdamW.restoreState', `state.${name}.shape`, moment.shape, `the parameter's shape [${param.shape}]`);
    }
    if (!(Number.isInteger(state.steps) && state.steps >= 0)) throw argumentError('AdamW.restoreState', 'state.steps', state.steps, 'a non-negative integer');
    this.moments.set(param, { first: state.first.cast(param.dtype), second: state.second.cast(param.dtype), steps: state.steps });
  }

  /** Forgets every parameter's moments. */
  clearState(): void {
    this.moments.clear();
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup): void {
    let moments = this.moments.get(param);
    if (!moments) {
      moments = { first: zerosLike(param), second: zerosLike(param), steps: 0 };
      this.moments.set(param, moments);
    }
    moments.steps += 1;
    // The moments are assigned in place (their tensors live as long as the optimizer), so a
    // backend with scoped memory keeps them and frees the previous values at once.
    moments.first.assign(moments.first.mul(this.beta1).add(grad.mul(1 - this.beta1)));
    moments.second.assign(moments.second.mul(this.beta2).add(grad.mul(grad).mul(1 - this.beta2)));
    const firstCorrection = 1 - this.beta1 ** moments.steps;
    const secondCorrection = 1 - this.beta2 ** moments.steps;
    const decayed = group.weightDecay !== 0 ? param.mul(1 - group.lr * group.weightDecay) : param;
    const denominator = moments.second.div(secondCorrection).sqrt().add(this.eps);
    param.assign(decayed.sub(moments.first.div(denominator).mul(group.lr / firstCorrection)));
  }
}
