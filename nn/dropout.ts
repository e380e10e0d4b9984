import { Tensor, dropout, createRng, type Rng } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { Module } from './module.js';

export interface DropoutOptions {
  /**
   * The generator for the masks. Default: the global generator (`manualSeed`), read at each call
   * as PyTorch does, so two layers draw different masks and the same seed repeats them.
   */
  rng?: Rng;
  /** Shorthand for `rng: createRng(seed)`: a layer of its own stream. */
  seed?: number;
}

/**
 * Zeroes each value with probability p and scales the rest by 1/(1-p) in training; identity in eval.
 * @example
 *   manualSeed(1);
 *   const drop = new Dropout(0.1);
 *   drop.forward(x);        // masks from the global generator
 *   drop.eval().forward(x); // x unchanged
 */
export class Dropout extends Module {
  private readonly rng: Rng | undefined;

  constructor(readonly p: number, options: DropoutOptions = {}) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw argumentError('Dropout', 'p', p, 'a probability in [0, 1)');
    if (options.seed !== undefined && options.rng !== undefined) {
      throw argumentError('Dropout', 'options', '{ rng, seed }', 'one of rng or seed, not both');
    }
    this.rng = options.rng ?? (options.seed !== undefined ? createRng(options.seed) : undefined);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, { rng: this.rng, training: true });
  }
}
