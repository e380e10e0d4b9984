// lsh: in every chunk, keys are hashed into buckets by random hyperplanes (argmax over [P, -P]
// of the normalised key projections) and averaged per bucket: lshNumPreRounds rounds into
// chunkSize buckets, then one round into chunkSize / sparsityFactor buckets (docs/lsg-reference.md#lsh).
import { cat, noGrad, zeros, type Tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { maskFromCounts } from '../masks.js';
import type { SparseSelector } from './types.js';

interface Buckets { keys: Tensor; values: Tensor; counts: Tensor }

/** @example lsh({ ...source, lsh: seededProjections(createRng(1)) }).keys // (batch, heads, tokens / sf, headDim) */
export const lsh: SparseSelector = (source) => {
  if (!source.lsh) throw argumentError('lsh', 'lshProjections / rng', undefined, 'recorded projections or a seeded generator');
  const projections = source.lsh;
  const { chunkSize, sparsityFactor } = source;
  const [batch, heads, tokens, headDim] = source.keys.shape as [number, number, number, number];
  const numChunks = tokens / chunkSize;
  const keep = source.mask.eq(0).cast(source.keys.dtype).reshape([batch, 1, numChunks, chunkSize, 1]);
  const chunk = (x: Tensor) => x.reshape([batch, heads, numChunks, chunkSize, headDim]).mul(keep);
  let state: Buckets = {
    keys: chunk(source.keys),
    values: chunk(source.values),
    counts: keep.expand([batch, heads, numChunks, chunkSize, 1]),
  };

  const round = (input: Buckets, buckets: number): Buckets => {
    const hashes = Math.floor(buckets / 2);
    const rows = input.keys.shape[3]!;
    const bucketOf = noGrad((): Tensor => {
      // NOTE: with a single bucket there is nothing to hash (the reference would draw an empty
      // projection and fail; with sparsityFactor == sparseBlockSize it switches to bos_pooling).
      if (hashes === 0) return zeros([batch, heads, numChunks, rows], { dtype: 'int32' });
      const norms = input.keys.mul(input.keys).sum(-1, true).sqrt().clamp(1e-12);
      const projected = input.keys.div(norms).mul(input.counts.clamp(0, 1))
        .matmul(projections.next(heads, headDim, hashes, input.keys.dtype));     // (B, H, chunks, rows, hashes)
      return cat([projected, projected.neg()], -1).argmax(-1);                    // first index wins ties
    });
    const index = bucketOf.unsqueeze(-1);
    const perFeature = index.expand([batch, heads, numChunks, rows, headDim]);
    const sum = (x: Tensor, width: number) =>
      zeros([batch, heads, numChunks, buckets, width], { dtype: x.dtype }).scatterAdd(3, width === 1 ? index : perFeature, x);
    return { keys: sum(input.keys, headDim), values: sum(input.values, headDim), counts: sum(input.counts, 1) };
  };

  for (let r = 0; r < source.lshNumPreRounds; r++) state = round(state, chunkSize);
  state = round(state, chunkSize / sparsityFactor);
  const sparseLength = tokens / sparsityFactor;
  const divisor = state.counts.add(1e-8);
  return {
    keys: state.keys.div(divisor).reshape([batch, heads, sparseLength, headDim]),
    values: state.values.div(divisor).reshape([batch, heads, sparseLength, headDim]),
    mask: maskFromCounts(state.counts.reshape([batch, heads, sparseLength])),
  };
};
