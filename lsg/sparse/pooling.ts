// pooling: each sparse token is the mean of the kept keys (and values) of sparsityFactor
// consecutive tokens (docs/lsg-reference.md#sparse-tokens).
import { zeros } from '../../engine/index.js';
import { maskFromCounts } from '../masks.js';
import type { SparseSelector } from './types.js';

/** @example pooling(source).keys // (batch, heads, tokens / sparsityFactor, headDim) */
export const pooling: SparseSelector = (source) => {
  const factor = source.sparsityFactor;
  const [batch, heads, tokens, headDim] = source.keys.shape as [number, number, number, number];
  const groups = tokens / factor;
  const keep = source.mask.eq(0).cast(source.keys.dtype).reshape([batch, 1, groups, factor, 1]);
  const counts = keep.sum(3);                                                        // (B, 1, groups, 1)
  const average = (x: typeof source.keys) =>
    x.reshape([batch, heads, groups, factor, headDim]).mul(keep).sum(3).div(counts.add(1e-6));
  return {
    keys: average(source.keys),
    values: average(source.values),
    // NOTE: the reference standalone layer compares a float32 mean of MASK_VALUEs (which overflows
    // to -Infinity) with MASK_VALUE, so its pooled tokens are never masked (docs/lsg-reference.md#pooled-masks).
    mask: source.poolingMasksNeverMask
      ? zeros([batch, 1, groups], { dtype: source.keys.dtype })
      : maskFromCounts(counts.reshape([batch, 1, groups])),
  };
};
