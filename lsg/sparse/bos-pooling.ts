// bos_pooling: each group of sparsityFactor tokens is pooled with the softmax weights of the
// first query over the group's keys (docs/lsg-reference.md#sparse-tokens; scaled by 1/sqrt(headDim), #scaling).
import { zeros } from '../../engine/index.js';
import { maskFromCounts } from '../masks.js';
import type { SparseSelector } from './types.js';

/** @example bosPooling(source).values // (batch, heads, tokens / sparsityFactor, headDim) */
export const bosPooling: SparseSelector = (source) => {
  const factor = source.sparsityFactor;
  const [batch, heads, tokens, headDim] = source.keys.shape as [number, number, number, number];
  const groups = tokens / factor;
  const firstQuery = source.queries.narrow(2, 0, 1);                                  // (B, H, 1, D)
  const weights = firstQuery.matmul(source.keys.transpose(-1, -2)).div(Math.sqrt(headDim))
    .add(source.poolingMask.unsqueeze(1))                                             // (B, H, 1, T)
    .reshape([batch, heads, groups, 1, factor])
    .softmax(-1);
  const pool = (x: typeof source.keys) =>
    weights.matmul(x.reshape([batch, heads, groups, factor, headDim])).reshape([batch, heads, groups, headDim]);
  const keptPerGroup = source.mask.eq(0).cast(source.keys.dtype).reshape([batch, 1, groups, factor]).sum(-1);
  return {
    keys: pool(source.keys),
    values: pool(source.values),
    // NOTE: as for pooling, the reference never masks a pooled token (docs/lsg-reference.md#pooled-masks); a fully padded
    // group then contributes the plain average of its padded keys.
    mask: source.poolingMasksNeverMask ? zeros([batch, 1, groups], { dtype: source.keys.dtype }) : maskFromCounts(keptPerGroup),
  };
};
