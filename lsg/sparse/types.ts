// What every sparse selector receives and returns (docs/lsg-reference.md#sparse-tokens).
import type { Tensor } from '../../engine/index.js';
import type { LshProjections } from './lsh-projections.js';

export interface SparseSource {
  /** Token queries (batch, heads, tokens, headDim); bos_pooling pools with row 0's query. */
  readonly queries: Tensor;
  /** Token keys and values (batch, heads, tokens, headDim); tokens a multiple of blockSize. */
  readonly keys: Tensor;
  readonly values: Tensor;
  /** Additive selection mask (batch, 1, tokens); in the standalone layer token 0 is masked when global. */
  readonly mask: Tensor;
  /** Additive mask for the bos_pooling weights (standalone: before token 0 is masked). */
  readonly poolingMask: Tensor;
  readonly blockSize: number;
  readonly sparsityFactor: number;
  /** norm and lsh work in chunks of this many tokens: min(blockSize, sparseBlockSize). */
  readonly chunkSize: number;
  /** Pooled tokens are never masked, as in the reference's float32 mask mean (docs/lsg-reference.md#pooled-masks). */
  readonly poolingMasksNeverMask: boolean;
  readonly lshNumPreRounds: number;
  readonly lsh?: LshProjections;
}

/** The sparse sequence: (batch, heads, tokens / sparsityFactor, headDim) and its additive mask. */
export interface SparseTokens {
  readonly keys: Tensor;
  readonly values: Tensor;
  /** (batch, 1|heads, sparse length) */
  readonly mask: Tensor;
  /** For selection types: the token position of each sparse slot, int32 (batch|1, heads, sparse length). */
  readonly positions?: Tensor;
}

export type SparseSelector = (source: SparseSource) => SparseTokens;
