import type { Module } from '../module.js';
import { isNonNegative, type ParamGroupOptions } from './optimizer.js';
import { argumentError } from '../../engine/errors.js';
import type { Tensor } from '../../engine/index.js';

/** Biases and LayerNorm weights (by HF name) are conventionally not decayed. */
export function isNoDecayName(name: string): boolean {
  return name.endsWith('.bias') || name === 'bias' || /layer_?norm/i.test(name);
}

/**
 * Two parameter groups: decayed weights, and biases plus LayerNorm parameters with weight decay 0.
 * @example
 *   new AdamW(weightDecayGroups(model, 0.01), { lr: 1e-3 });
 */
export function weightDecayGroups(model: Module, weightDecay: number): (ParamGroupOptions & { params: Tensor[] })[] {
  if (model === null || typeof model !== 'object' || typeof (model as { namedParameters?: unknown }).namedParameters !== 'function') {
    throw argumentError('weightDecayGroups', 'model', model, 'a Module (its named parameters decide the groups)');
  }
  if (!isNonNegative(weightDecay)) throw argumentError('weightDecayGroups', 'weightDecay', weightDecay, 'a finite non-negative number');
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, param] of model.namedParameters()) (isNoDecayName(name) ? noDecay : decay).push(param);
  return [{ params: decay, weightDecay }, { params: noDecay, weightDecay: 0 }];
}
