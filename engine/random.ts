// Seeded random numbers: the same seed gives the same stream on every run and machine.
// sfc32 (small fast counter) with a splitmix32-scrambled seed: pure 32-bit integer math, so it is portable.
import { argumentError } from './errors.js';

function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  #a: number; #b: number; #c: number; #d: number;
  #spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw argumentError('createRng', 'seed', seed, 'an integer');
    const next = splitmix32((seed | 0) ^ (Math.floor(seed / 2 ** 32) | 0));
    this.#a = next(); this.#b = next(); this.#c = next(); this.#d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 random bits. */
  uniform(): number { return this.nextUint32() / 4294967296; }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    const u = 1 - this.uniform(); // in (0, 1], so log(u) is finite
    const angle = 2 * Math.PI * this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Integer in [0, n). */
  int(n: number): number { return Math.floor(this.uniform() * n); }

  /** A new generator whose stream is determined by this one's next draw (for handing to sub-components). */
  fork(): Rng { return new Rng(this.nextUint32()); }
}

/**
 * A seeded generator to pass to random functions.
 * @example const rng = createRng(42); const x = randn([2, 3], { rng });
 */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}

let defaultRng = new Rng(0);

/** Reseeds the generator used when a random function gets no explicit `rng`. */
export function manualSeed(seed: number): void {
  defaultRng = new Rng(seed);
}

export function getDefaultRng(): Rng {
  return defaultRng;
}
