import { Tensor, layerNorm } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { Module } from './module.js';
import { onesParameter, zerosParameter, type InitOptions } from './init.js';

export interface LayerNormOptions extends InitOptions {
  /** Added to the variance before the square root (PyTorch default 1e-5; ALBERT uses 1e-12). */
  eps?: number;
}

/**
 * Normalises the last axis to zero mean and unit (biased) variance, then scales and shifts.
 * @example
 *   const norm = new LayerNorm(4, { eps: 1e-12 });
 *   norm.forward(tensor([[1, 2, 3, 4]])); // mean 0, variance 1 per row
 */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  readonly eps: number;

  constructor(readonly normalizedSize: number, options: LayerNormOptions = {}) {
    super();
    if (!Number.isInteger(normalizedSize) || normalizedSize <= 0) throw argumentError('LayerNorm', 'normalizedSize', normalizedSize, 'a positive integer');
    this.eps = options.eps ?? 1e-5;
    if (!(this.eps > 0)) throw argumentError('LayerNorm', 'eps', this.eps, 'a positive number');
    this.weight = onesParameter([normalizedSize], options);
    this.bias = zerosParameter([normalizedSize], options);
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.shape.length - 1] !== this.normalizedSize) {
      throw argumentError('LayerNorm.forward', 'x.shape', x.shape, `a last dimension of ${this.normalizedSize}`);
    }
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
