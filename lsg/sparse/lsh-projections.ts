// Where LSH hyperplanes come from: a seeded generator, or tensors recorded from the reference
// (which draws torch.randn(1, heads, 1, headDim, hashes) once per round, docs/lsg-reference.md#lsh).
import { randn, type Rng, type Tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import type { DType } from '../../engine/dtype.js';

export interface LshProjections {
  /** The next round's hyperplanes, shape (1, heads, 1, headDim, hashes). */
  next(heads: number, headDim: number, hashes: number, dtype: DType): Tensor;
}

/**
 * Fresh Gaussian hyperplanes from a generator (default: the global one, read at each call).
 * @example seededProjections(createRng(7)).next(2, 8, 4, 'float32').shape // [1, 2, 1, 8, 4]
 */
export function seededProjections(rng?: Rng): LshProjections {
  return { next: (heads, headDim, hashes, dtype) => randn([1, heads, 1, headDim, hashes], { rng, dtype }) };
}

/**
 * Replays recorded hyperplanes in call order; a shape mismatch or running out throws.
 * @example injectedProjections([randn([1, 2, 1, 8, 4]), randn([1, 2, 1, 8, 2])])
 */
export function injectedProjections(projections: readonly Tensor[]): LshProjections {
  let used = 0;
  return {
    next(heads, headDim, hashes, dtype) {
      const expected = [1, heads, 1, headDim, hashes];
      const projection = projections[used];
      if (!projection) {
        throw argumentError('lsh', 'lshProjections', `${projections.length} tensors`, `one more of shape [${expected}] (round ${used + 1})`);
      }
      if (projection.shape.join() !== expected.join()) {
        throw argumentError('lsh', `lshProjections[${used}].shape`, projection.shape, `[${expected}]`);
      }
      used++;
      return projection.cast(dtype);
    },
  };
}
