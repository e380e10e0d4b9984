// Dense softmax attention, the one definition that nn's ALBERT and lsg's LSG attention both build on.
import { argumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { softmax } from './composite.js';
import { cat, transpose } from './movement.js';
import { checkTensor } from './prepare.js';

/**
 * The additive mask value that removes a key: torch.finfo(float32).min, as HuggingFace and the LSG
 * reference use it.
 * NOTE: finite, not -Infinity: a fully masked row then gives uniform weights instead of NaN, and
 * `score + MASK_VALUE == MASK_VALUE` in float32, so masked keys get exactly zero weight.
 */
export const MASK_VALUE = -3.4028234663852886e38;

/**
 * Attention weights softmax(q·kᵀ/√headDim + mask) over the last axis: q (..., queries, headDim),
 * k (..., keys, headDim), an additive mask (0 keeps, MASK_VALUE removes) broadcasting to (..., queries, keys).
 * @example attentionProbabilities(q, k, paddingMask).matmul(v) // dense attention
 */
export function attentionProbabilities(q: Tensor, k: Tensor, mask?: Tensor | null): Tensor {
  checkTensor('attentionProbabilities', 'q', q);
  checkTensor('attentionProbabilities', 'k', k);
  const headDim = q.shape[q.rank - 1]!;
  // NOTE: q is scaled before the product, (q/√d)·kᵀ rather than (q·kᵀ)/√d: the same up to rounding
  // (exactly the same when √d is a power of two, as for d = 64), and a pass over (queries × headDim)
  // forward and backward instead of one over the (queries × keys) scores.
  let scores = q.div(Math.sqrt(headDim)).matmul(transpose(k, -1, -2));
  if (mask) scores = scores.add(mask);
  return softmax(scores, -1);
}

/**
 * softmax(q·kᵀ/√headDim + mask)·v over every key.
 * q (batch, heads, queries, headDim); k, v (batch, heads, keys, headDim); `mask` is additive
 * (0 keeps, MASK_VALUE removes) and broadcasts against (batch, heads, queries, keys), e.g. a
 * padding mask (batch, 1, 1, keys).
 * @example
 * const q = randn([1, 2, 5, 4]);
 * denseAttention(q, q, q).shape // [1, 2, 5, 4]
 */
export function denseAttention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor | null): Tensor {
  if (q.rank !== 4 || k.rank !== 4 || v.rank !== 4) {
    throw argumentError('denseAttention', 'q, k, v shapes', [q.shape, k.shape, v.shape], 'rank-4 tensors (batch, heads, seq, headDim)');
  }
  const [batch, heads, queries] = q.shape as [number, number, number];
  const keys = k.shape[2]!;
  // NOTE: past SCORES_PER_CHUNK scores, the queries go in chunks of rows: each chunk's scores and
  // weights are then buffers malloc can hand back warm, where one (queries × keys) buffer would be
  // fresh memory every call (a first touch of each page costs more than the softmax over it).
  const rowsPerChunk = Math.max(1, Math.floor(SCORES_PER_CHUNK / (batch * heads * keys)));
  if (queries <= rowsPerChunk) return attentionProbabilities(q, k, mask).matmul(v); // (B, H, queries, keys) weights
  const chunks: Tensor[] = [];
  for (let start = 0; start < queries; start += rowsPerChunk) {
    const length = Math.min(rowsPerChunk, queries - start);
    const rowsMask = mask && mask.shape.length >= 2 && mask.shape[mask.rank - 2] === queries ? mask.narrow(mask.rank - 2, start, length) : mask;
    chunks.push(attentionProbabilities(q.narrow(2, start, length), k, rowsMask).matmul(v));
  }
  return cat(chunks, 2);
}

/**
 * Most scores (batch × heads × query rows × keys) denseAttention computes at once: 32 MiB of float32.
 * NOTE: 4 heads × 4,096 tokens fwd+bwd on two threads, two rounds, wall: chunks of 16 MiB 894/895 ms,
 * 32 MiB 831/849 ms at the same peak (800 MB), 64 MiB 812/809 ms but 100 MB more (fewer chunks,
 * fewer full-size gradient sums for k and v; the products on OpenBLAS's two threads larger).
 */
const SCORES_PER_CHUNK = 2 ** 23;
