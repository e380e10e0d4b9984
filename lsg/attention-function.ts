// LSG attention in the shape nn's ALBERT expects of its attention kernel,
// `(q, k, v, mask, context) => context`, without importing nn (docs/lsg-albert-wiring.md).
import { ones, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { lsgAttention, type LsgRuntimeOptions } from './attention.js';
import type { LsgConfig } from './config.js';

/** The part of nn's AttentionContext LSG reads. */
export interface LsgAttentionCallContext {
  readonly training?: boolean;
  readonly dropoutProb?: number;
}

/**
 * An attention kernel for ALBERT's attention sublayer. q, k, v: (batch, heads, g + T, headDim)
 * with the g global rows first; mask: HuggingFace's additive mask (batch, 1, 1, T) over the token
 * rows (as the reference passes it), or (batch, 1, 1, g + T) whose first g entries are ignored,
 * or null for no padding.
 * @example new AlbertAttention(albertConfig, { attention: createLsgAttentionFunction(lsgConfig) })
 */
export function createLsgAttentionFunction(config: LsgConfig, runtime: LsgRuntimeOptions = {}) {
  return (q: Tensor, k: Tensor, v: Tensor, mask: Tensor | null, context: LsgAttentionCallContext = {}): Tensor => {
    const fn = 'lsgAttentionFunction';
    if (context.training && (context.dropoutProb ?? 0) > 0) {
      throw argumentError(fn, 'attention dropout', context.dropoutProb, '0: LSG attention does not implement dropout on attention probabilities');
    }
    const [batch, , rows] = q.shape as [number, number, number];
    const tokens = rows - config.numGlobalTokens;
    if (mask === null) return lsgAttention(q, k, v, ones([batch, tokens], { dtype: q.dtype }), config, runtime);
    const length = mask.shape[mask.rank - 1]!;
    if (mask.size !== batch * length || (length !== tokens && length !== rows)) {
      throw argumentError(fn, 'mask.shape', mask.shape, `(batch, 1, 1, ${tokens}) over the token rows or (batch, 1, 1, ${rows}) over all rows`);
    }
    const flat = mask.reshape([batch, length]);
    const tokenMask = length === rows ? flat.narrow(1, config.numGlobalTokens, tokens) : flat;
    return lsgAttention(q, k, v, tokenMask.eq(0).cast(q.dtype), config, runtime);
  };
}
