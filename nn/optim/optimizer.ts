/**
 * Optimizer base: parameter groups (each with its own lr and weight decay), per-parameter state,
 * and the rule that every update happens under noGrad through `param.assign`.
 */
import { Tensor, noGrad } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';

export interface ParamGroupOptions {
  lr?: number;
  weightDecay?: number;
}

export interface ParamGroup {
  params: Tensor[];
  lr: number;
  weightDecay: number;
  /** The lr the group started with; schedules scale this. */
  readonly initialLr: number;
}

export type ParamsInput = Tensor[] | (ParamGroupOptions & { params: Tensor[] })[];

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[];
  /** Number of completed `step()` calls. */
  stepCount = 0;

  constructor(params: ParamsInput, defaults: Required<ParamGroupOptions>, owner: string) {
    const groups = params.length > 0 && params[0] instanceof Tensor
      ? [{ params: params as Tensor[] }]
      : (params as (ParamGroupOptions & { params: Tensor[] })[]);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((group, index) => {
      const lr = group.lr ?? defaults.lr;
      const weightDecay = group.weightDecay ?? defaults.weightDecay;
      if (!(typeof lr === 'number' && lr >= 0)) throw argumentError(owner, `paramGroups[${index}].lr`, lr, 'a non-negative number');
      if (!(typeof weightDecay === 'number' && weightDecay >= 0)) throw argumentError(owner, `paramGroups[${index}].weightDecay`, weightDecay, 'a non-negative number');
      for (const param of group.params) {
        if (!param.requiresGrad) throw argumentError(owner, `paramGroups[${index}].params`, param, 'tensors with requiresGrad');
        if (seen.has(param)) throw argumentError(owner, `paramGroups[${index}].params`, param, 'each parameter in only one group');
        seen.add(param);
      }
      return { params: group.params, lr, weightDecay, initialLr: lr };
    });
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.stepCount += 1;
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          if (param.grad !== null) this.update(param, param.grad, group);
        }
      }
    });
  }

  zeroGrad(): void {
    for (const group of this.paramGroups) for (const param of group.params) param.grad = null;
  }

  /** One parameter's update; runs under noGrad and writes with `param.assign`. */
  protected abstract update(param: Tensor, grad: Tensor, group: ParamGroup): void;
}
