// One selector per sparsity type (docs/lsg-reference.md#sparse-tokens).
import { arange } from '../../engine/index.js';
import type { SparsityType } from '../config.js';
import { blockStride } from './block-stride.js';
import { bosPooling } from './bos-pooling.js';
import { lsh } from './lsh.js';
import { norm } from './norm.js';
import { pooling } from './pooling.js';
import { stride } from './stride.js';
import type { SparseSelector, SparseSource, SparseTokens } from './types.js';

export type { SparseSelector, SparseSource, SparseTokens } from './types.js';
export { injectedProjections, seededProjections, type LshProjections } from './lsh-projections.js';

export const SPARSE: Record<Exclude<SparsityType, 'none'>, SparseSelector> = {
  norm,
  pooling,
  lsh,
  stride,
  block_stride: blockStride,
  bos_pooling: bosPooling,
};

/**
 * The sparse sequence for a sparsity type, or undefined for 'none'. With sparsityFactor 1 every
 * token is its own sparse token, whatever the type (as in the reference).
 * @example selectSparseTokens('stride', source)?.keys.shape // [batch, heads, tokens / sf, headDim]
 */
export function selectSparseTokens(type: SparsityType, source: SparseSource): SparseTokens | undefined {
  if (type === 'none') return undefined;
  if (source.sparsityFactor === 1) {
    const tokens = source.keys.shape[2]!;
    return { keys: source.keys, values: source.values, mask: source.mask, positions: arange(0, tokens, 1, { dtype: 'int32' }).reshape([1, 1, tokens]) };
  }
  return SPARSE[type](source);
}
