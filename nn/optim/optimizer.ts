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

const PARAMS_EXPECTED = 'an array of parameters (model.parameters()) or of groups { params, lr?, weightDecay? } (weightDecayGroups(model, wd))';
const GROUP_KEYS = ['params', 'lr', 'weightDecay'];

/** @internal A finite number >= 0. */
export function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/**
 * @internal Refuses option keys the optimizer does not know: a misspelt `learningRate` would
 * otherwise be ignored and the default used without a word.
 */
export function checkOptionKeys(owner: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw argumentError(owner, 'options', options, `an object with keys among ${known.join(', ')}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw argumentError(owner, 'options key', key, `one of ${known.join(', ')}`);
  }
}

/** The groups of `params`, checked: a Module, an empty list or a group without tensors is named. */
function parameterGroups(owner: string, params: unknown): (ParamGroupOptions & { params: Tensor[] })[] {
  if (params !== null && typeof params === 'object' && typeof (params as { parameters?: unknown }).parameters === 'function') {
    throw argumentError(owner, 'params', `a ${params.constructor?.name ?? 'Module'}`, `its parameters: new ${owner}(model.parameters(), …) or new ${owner}(weightDecayGroups(model, wd), …)`);
  }
  if (!Array.isArray(params)) throw argumentError(owner, 'params', params, PARAMS_EXPECTED);
  if (params.length === 0) throw argumentError(owner, 'params', params, `${PARAMS_EXPECTED}, not empty`);
  if (params.every((param) => param instanceof Tensor)) return [{ params: params as Tensor[] }];
  return params.map((group, index) => {
    if (group instanceof Tensor || group === null || typeof group !== 'object' || !Array.isArray((group as { params?: unknown }).params)) {
      throw argumentError(owner, `params[${index}]`, group, `${PARAMS_EXPECTED}, not a mix`);
    }
    for (const key of Object.keys(group)) {
      if (!GROUP_KEYS.includes(key)) throw argumentError(owner, `params[${index}] key`, key, `one of ${GROUP_KEYS.join(', ')}`);
    }
    const tensors = (group as { params: unknown[] }).params;
    tensors.forEach((param, at) => {
      if (!(param instanceof Tensor)) throw argumentError(owner, `params[${index}].params[${at}]`, param, 'a Tensor');
    });
    return group as ParamGroupOptions & { params: Tensor[] };
  });
}

export abstract class Optimizer {
  readonly paramGroups: ParamGroup[];
  /** Number of completed `step()` calls. */
  stepCount = 0;

  constructor(params: ParamsInput, defaults: Required<ParamGroupOptions>, owner: string) {
    const groups = parameterGroups(owner, params);
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((group, index) => {
      const lr = group.lr ?? defaults.lr;
      const weightDecay = group.weightDecay ?? defaults.weightDecay;
      if (!isNonNegative(lr)) throw argumentError(owner, `paramGroups[${index}].lr`, lr, 'a finite non-negative number');
      if (!isNonNegative(weightDecay)) throw argumentError(owner, `paramGroups[${index}].weightDecay`, weightDecay, 'a finite non-negative number');
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
