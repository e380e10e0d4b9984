import { Tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Optimizer, checkOptionKeys, isNonNegative, type ParamGroup, type ParamsInput } from './optimizer.js';

export interface SgdOptions {
  lr: number;
  momentum?: number;
  /** Damps the gradient's contribution to the momentum buffer (PyTorch `dampening`). */
  dampening?: number;
  /** L2 penalty added to the gradient (coupled, as in PyTorch SGD). */
  weightDecay?: number;
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent as torch.optim.SGD: g = ∇ + wd·p; b = μ·b + (1−τ)·g (b = g on the
 * first step); with Nesterov g ← g + μ·b, else g ← b; p ← p − lr·g.
 * @example
 *   const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 *   loss.backward(); optimizer.step(); optimizer.zeroGrad();
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  private readonly momentumBuffers = new Map<Tensor, Tensor>();

  constructor(params: ParamsInput, options: SgdOptions) {
    checkOptionKeys('SGD', options, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov']);
    // NOTE: lr has no default, as in torch.optim.SGD; a group's own lr may stand in for it.
    const groupsHaveLr = Array.isArray(params) && params.length > 0 && params.every((group) => typeof group === 'object' && group !== null && 'lr' in group);
    if (options.lr === undefined && !groupsHaveLr) throw argumentError('SGD', 'options.lr', undefined, 'a finite non-negative number (SGD has no default learning rate)');
    super(params, { lr: options.lr ?? 0, weightDecay: options.weightDecay ?? 0 }, 'SGD');
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (!isNonNegative(this.momentum)) throw argumentError('SGD', 'momentum', this.momentum, 'a finite non-negative number');
    if (!(typeof this.dampening === 'number' && this.dampening >= 0 && this.dampening <= 1)) throw argumentError('SGD', 'dampening', this.dampening, 'a number in [0, 1]');
    if (typeof this.nesterov !== 'boolean') throw argumentError('SGD', 'nesterov', this.nesterov, 'true or false');
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw argumentError('SGD', 'nesterov', true, 'momentum > 0 and dampening 0 (as PyTorch requires)');
    }
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup): void {
    let direction = group.weightDecay !== 0 ? grad.add(param.mul(group.weightDecay)) : grad;
    if (this.momentum !== 0) {
      const previous = this.momentumBuffers.get(param);
      const buffer = previous === undefined ? direction : previous.mul(this.momentum).add(direction.mul(1 - this.dampening));
      this.momentumBuffers.set(param, buffer);
      direction = this.nesterov ? direction.add(buffer.mul(this.momentum)) : buffer;
    }
    param.assign(param.sub(direction.mul(group.lr)));
  }
}
