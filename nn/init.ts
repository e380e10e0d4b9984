/** Parameter initialisers: each takes an explicit generator, as every random call does. */
import { Tensor, randn, rand, zeros, ones, type Rng, type DType } from '../engine/index.js';

export interface InitOptions {
  rng?: Rng;
  dtype?: DType;
}

/** A trainable tensor of normal(0, std) values. */
export function normalParameter(shape: number[], std: number, options: InitOptions = {}): Tensor {
  const values = randn(shape, { rng: options.rng, dtype: options.dtype }).mul(std);
  return asParameter(values);
}

/** A trainable tensor of uniform(-bound, bound) values (PyTorch's default Linear init uses bound 1/sqrt(in)). */
export function uniformParameter(shape: number[], bound: number, options: InitOptions = {}): Tensor {
  const values = rand(shape, { rng: options.rng, dtype: options.dtype }).mul(2 * bound).sub(bound);
  return asParameter(values);
}

export function zerosParameter(shape: number[], options: InitOptions = {}): Tensor {
  return asParameter(zeros(shape, { dtype: options.dtype }));
}

export function onesParameter(shape: number[], options: InitOptions = {}): Tensor {
  return asParameter(ones(shape, { dtype: options.dtype }));
}

/** Makes a fresh leaf that requires grad from computed values. */
function asParameter(values: Tensor): Tensor {
  const leaf = values.detach();
  leaf.requiresGrad = true;
  return leaf;
}
