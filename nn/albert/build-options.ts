import type { DType, Rng } from '../../engine/index.js';
import type { AttentionFunction } from './attention-function.js';

/** How a model is built: its dtype, the generators for init and dropout, and the attention kernel. */
export interface ModelBuildOptions {
  /** float32 by default; float64 for gradient checks. */
  dtype?: DType;
  /** Generator for the initial weights (default: the global generator, see manualSeed). */
  rng?: Rng;
  /** Generator for dropout masks in training (default: the global generator, read at each call). */
  dropoutRng?: Rng;
  /** The attention kernel `(q, k, v, mask) → context`; dense by default. LSG passes its own. */
  attention?: AttentionFunction;
}

/**
 * How a model's weights are drawn: from the build's generator, in its dtype, normal(0,
 * initializerRange) as HuggingFace's _init_weights.
 * @example new Linear(config.hiddenSize, config.numLabels, weightInit(config, options))
 */
export function weightInit(config: { readonly initializerRange: number }, options: ModelBuildOptions): { rng?: Rng; dtype?: DType; std: number } {
  return { rng: options.rng, dtype: options.dtype, std: config.initializerRange };
}
