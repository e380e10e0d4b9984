import { Tensor, dropout, createRng, type Rng } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { Module } from './module.js';

export interface DropoutOptions {
  /** The generator for the masks; default `createRng(seed ?? 0)`, so runs repeat. */
  rng?: Rng;
  seed?: number;
}

/**
 * Zeroes each value with probability p and scales the rest by 1/(1-p) in training; identity in eval.
 * @example
 *   const drop = new Dropout(0.1, { seed: 42 });
 *   drop.eval().forward(x); // x unchanged
 */
export class Dropout extends Module {
  private readonly rng: Rng;

  constructor(readonly p: number, options: DropoutOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw argumentError('Dropout', 'p', p, 'a probability in [0, 1)');
    this.rng = options.rng ?? createRng(options.seed ?? 0);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, { rng: this.rng, training: true });
  }
}
