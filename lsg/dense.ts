// Plain softmax attention, exactly as the reference's attention_product.
import { attentionProbabilities, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';

/**
 * softmax(q·kᵀ/sqrt(headDim) + mask)·v over every key.
 * q (batch, heads, queries, headDim); k, v (batch, heads, keys, headDim); `mask` is additive
 * (0 keep, MASK_VALUE drop) and broadcasts against (batch, heads, queries, keys), e.g. the
 * reference's (batch, 1, 1, keys).
 * @example
 * const q = randn([1, 2, 5, 4]);
 * denseAttention(q, q, q).shape // [1, 2, 5, 4]
 */
export function denseAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor): Tensor {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw argumentError('denseAttention', 'q, k, v shapes', [q.shape, k.shape, v.shape], 'rank-4 tensors (batch, heads, seq, headDim)');
  }
  return attentionProbabilities(q, k, mask).matmul(v);                  // (B, H, queries, keys) weights
}
