import { Tensor, matmul } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { Module } from './module.js';
import { normalParameter, uniformParameter, zerosParameter, type InitOptions } from './init.js';

export interface LinearOptions extends InitOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Initialise the weight normal(0, std) and the bias to zeros (HuggingFace's scheme) instead of PyTorch's default. */
  std?: number;
}

/**
 * y = x Wᵀ + b, with W stored `[outFeatures, inFeatures]` as PyTorch does, so checkpoints load as-is.
 * Initialised like PyTorch: uniform(±1/sqrt(inFeatures)) for weight and bias.
 * @example
 *   const layer = new Linear(4, 2, { rng: createRng(0) });
 *   layer.forward(zeros([3, 4])).shape; // [3, 2]
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, value] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw argumentError('Linear', name, value, 'a positive integer');
    }
    const bound = 1 / Math.sqrt(inFeatures);
    const withBias = options.bias ?? true;
    if (options.std !== undefined) {
      this.weight = normalParameter([outFeatures, inFeatures], options.std, options);
      this.bias = withBias ? zerosParameter([outFeatures], options) : null;
    } else {
      this.weight = uniformParameter([outFeatures, inFeatures], bound, options);
      this.bias = withBias ? uniformParameter([outFeatures], bound, options) : null;
    }
  }

  /** x: (..., inFeatures) → (..., outFeatures). */
  forward(x: Tensor): Tensor {
    if (x.shape[x.shape.length - 1] !== this.inFeatures) {
      throw argumentError('Linear.forward', 'x.shape', x.shape, `a last dimension of ${this.inFeatures}`);
    }
    const projected = matmul(x, this.weight.transpose(0, 1));
    return this.bias === null ? projected : projected.add(this.bias);
  }
}
