/** Activation functions by the names HuggingFace configs use in `hidden_act`. */
import { Tensor } from '../engine/index.js';
import type { HiddenAct } from './albert/config.js';

export type Activation = (x: Tensor) => Tensor;

/** Exact GELU: x·Φ(x) with the error function (HF "gelu"). */
export const gelu: Activation = (x) => x.gelu();
/** GELU with the tanh approximation (HF "gelu_new", used by ALBERT). */
export const geluNew: Activation = (x) => x.geluNew();
export const relu: Activation = (x) => x.relu();
export const tanh: Activation = (x) => x.tanh();

/**
 * @example
 *   ACTIVATIONS[config.hiddenAct](hidden);
 */
export const ACTIVATIONS: Record<HiddenAct, Activation> = { gelu, gelu_new: geluNew, relu, tanh };
