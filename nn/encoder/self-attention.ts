/**
 * Multi-head self-attention as BERT, RoBERTa and ALBERT compute it: project to queries, keys and
 * values, split into heads, run the attention kernel, merge the heads back. The families differ
 * only in where the projections live (their state-dict names), so they share this function.
 */
import { Tensor } from '../../engine/index.js';
import type { Linear } from '../linear.js';
import type { AttentionContext, AttentionFunction } from '../albert/attention-function.js';

export interface AttentionProjections {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
}

/** (batch, seq, heads · headDim) → (batch, heads, seq, headDim). */
function splitHeads(x: Tensor, numHeads: number): Tensor {
  const [batch, seqLength, width] = x.shape as [number, number, number];
  return x.reshape([batch, seqLength, numHeads, width / numHeads]).permute([0, 2, 1, 3]);
}

/**
 * hidden (batch, seq, hidden) → the attended context (batch, seq, hidden) before the output
 * projection, and the attention probabilities when asked for and the kernel gives them.
 * `mask` is additive, (batch, 1, 1, seq), or null.
 * @example
 *   const { context } = multiHeadSelfAttention(hidden, this, 4, denseAttention, mask, { training: false, dropoutProb: 0 });
 */
export function multiHeadSelfAttention(
  hidden: Tensor, projections: AttentionProjections, numHeads: number, attention: AttentionFunction, mask: Tensor | null, context: AttentionContext,
): { context: Tensor; probs?: Tensor } {
  const [batch, seqLength, width] = hidden.shape as [number, number, number];
  const q = splitHeads(projections.query.forward(hidden), numHeads);   // (batch, heads, seq, headDim)
  const k = splitHeads(projections.key.forward(hidden), numHeads);
  const v = splitHeads(projections.value.forward(hidden), numHeads);
  const result = attention(q, k, v, mask, context);
  const { context: perHead, probs } = result instanceof Tensor ? { context: result, probs: undefined } : result;
  // (batch, heads, seq, headDim) → (batch, seq, heads, headDim) → (batch, seq, hidden): heads side by side again
  const merged = perHead.permute([0, 2, 1, 3]).reshape([batch, seqLength, width]);
  return { context: merged, probs };
}
