// The sequence-level steps around the LSG layers (reference LSGAlbertTransformer.forward, docs/lsg-reference.md#model-sequence-steps):
// masking the first token, adaptive padding before the layers; pooling with the global token and
// cutting back to the real tokens after them.
import { cat, ones, zeros, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import type { LsgConfig } from './config.js';

export interface PreparedLsgInputs {
  /** (batch, g + T, hidden): the hidden states with zero rows appended up to a block multiple. */
  readonly hidden: Tensor;
  /** (batch, T) keep flags of the token rows, ready for `lsgAttention`. */
  readonly tokenKeep: Tensor;
  /** The number of real token rows t, for `finishLsgOutputs`. */
  readonly length: number;
}

/**
 * Applies maskFirstToken and adaptive padding. `hidden` (batch, g + t, hidden) already holds the
 * g global rows in front; `tokenKeep` (batch, t) holds keep flags of the real tokens (ones if omitted).
 * @example
 * const config = createLsgConfig({ blockSize: 8, sparseBlockSize: 8, numGlobalTokens: 1 });
 * prepareLsgInputs(randn([2, 1 + 50, 16]), ones([2, 50]), config).hidden.shape // [2, 57, 16]
 */
export function prepareLsgInputs(hidden: Tensor, tokenKeep: Tensor | undefined, config: LsgConfig): PreparedLsgInputs {
  const fn = 'prepareLsgInputs';
  const { numGlobalTokens, blockSize } = config;
  if (hidden.rank !== 3 || hidden.shape[1]! <= numGlobalTokens) {
    throw argumentError(fn, 'hidden.shape', hidden.shape, `(batch, ${numGlobalTokens} global rows + tokens, hidden)`);
  }
  const [batch, rows] = hidden.shape as [number, number, number];
  const length = rows - numGlobalTokens;
  let keep = tokenKeep ?? ones([batch, length], { dtype: hidden.dtype });
  if (keep.rank !== 2 || keep.shape[0] !== batch || keep.shape[1] !== length) {
    throw argumentError(fn, 'tokenKeep.shape', keep.shape, `[${batch}, ${length}]`);
  }
  keep = keep.cast(hidden.dtype);
  if (config.maskFirstToken) {
    // Masks the first real token (usually [CLS]) as a key for every query; its query still runs.
    keep = cat([zeros([batch, 1], { dtype: keep.dtype }), keep.narrow(1, 1, length - 1)], 1);
  }
  const extra = length % blockSize === 0 ? 0 : blockSize - (length % blockSize);
  if (length <= 2 * blockSize || extra === 0) return { hidden, tokenKeep: keep, length };
  if (!config.adaptive) {
    throw argumentError(fn, 'sequence length', length, `a multiple of blockSize ${blockSize} when adaptive is false`);
  }
  return {
    hidden: hidden.pad([[0, 0], [0, extra], [0, 0]]),
    tokenKeep: keep.pad([[0, 0], [0, extra]]),
    length,
  };
}

/**
 * The final layer's output (batch, g + T, hidden) cut back to the `length` real tokens
 * (batch, length, hidden); with poolWithGlobal the first token's row is global token 0's row.
 * @example finishLsgOutputs(sequence, prepared.length, config)
 */
export function finishLsgOutputs(sequence: Tensor, length: number, config: LsgConfig): Tensor {
  const g = config.numGlobalTokens;
  if (!config.poolWithGlobal) return sequence.narrow(1, g, length);
  return cat([sequence.narrow(1, 0, 1), sequence.narrow(1, g + 1, length - 1)], 1);
}
