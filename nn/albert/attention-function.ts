/**
 * The attention kernel ALBERT's self-attention calls. A parameter of the model, so that LSG
 * attention plugs in without nn importing lsg.
 */
import { Tensor, attentionProbabilities, matmul, dropout, type Rng } from '../../engine/index.js';

export interface AttentionContext {
  /** Whether the model is in training mode (for attention-probability dropout). */
  training: boolean;
  /** Dropout probability on the attention probabilities (`attention_probs_dropout_prob`). */
  dropoutProb: number;
  rng?: Rng;
  /** Return the attention probabilities too (dense kernels only). */
  outputAttentions?: boolean;
}

export interface AttentionResult {
  context: Tensor;                // (batch, heads, seq, headDim)
  probs?: Tensor;                 // (batch, heads, seq, seq), when asked for and available
}

/**
 * q, k, v: (batch, heads, seq, headDim); mask: additive, broadcastable to (batch, heads, seq, seq)
 * (0 keeps, a large negative value masks), or null.
 */
export type AttentionFunction = (q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, context: AttentionContext) => Tensor | AttentionResult;

/**
 * The engine's dense attention as ALBERT's default attention function (HuggingFace's eager
 * attention): it adds dropout on the probabilities while training, and returns the probabilities
 * when asked, so it composes `attentionProbabilities` itself rather than calling `denseAttention`.
 * @example
 *   const { context } = denseAttentionFunction(q, k, v, null, { training: false, dropoutProb: 0 });
 */
export function denseAttentionFunction(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, context: AttentionContext): AttentionResult {
  const probs = attentionProbabilities(q, k, mask); // (batch, heads, seq, seq)
  const dropped = context.training && context.dropoutProb > 0 ? dropout(probs, context.dropoutProb, { rng: context.rng, training: true }) : probs;
  return { context: matmul(dropped, v), probs: context.outputAttentions ? probs : undefined };
}
