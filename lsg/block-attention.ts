// The block product shared by the standalone layer and the model: every query block attends to
// its [global | sparse | local] keys with one batched matmul (spec §2 steps 4–5, §3).
// The key and value lists are strided windows of padded sequences (lsg/blocks.ts), copied once.
import { cat, ones, tensor, zeros, type Tensor } from '../engine/index.js';
import { chunkQueries, keyWindows, valueWindows } from './blocks.js';
import { blockCausalMask, MASK_VALUE } from './masks.js';
import type { SparseSlots } from './slots.js';
import { noTrace, type TensorTrace } from './trace.js';

/** Extra keys with their values and additive mask (batch, 1|heads, rows). */
export interface KeySet {
  readonly keys: Tensor;     // (batch, heads, rows, headDim)
  readonly values: Tensor;   // (batch, heads, rows, headDim)
  readonly mask: Tensor;     // (batch, 1|heads, rows)
}

export interface BlockAttentionInputs {
  /** Token queries, keys and values (batch, heads, tokens, headDim); tokens a multiple of blockSize. */
  readonly queries: Tensor;
  readonly keys: Tensor;
  readonly values: Tensor;
  /** Additive token mask (batch, 1|heads, tokens). */
  readonly mask: Tensor;
  readonly global?: KeySet;
  /** The sparse sequence and which of its slots each block sees. */
  readonly sparse?: KeySet & { readonly slots: SparseSlots; readonly step: number };
  readonly blockSize: number;
  readonly isCausal: boolean;
  readonly trace?: TensorTrace;
}

/**
 * Block-sparse attention of every token query; returns (batch, heads, tokens, headDim).
 * @example
 * const x = randn([1, 1, 8, 4]);
 * blockAttention({ queries: x, keys: x, values: x, mask: zeros([1, 1, 8]), blockSize: 2, isCausal: false })
 */
export function blockAttention(inputs: BlockAttentionInputs): Tensor {
  const { queries, blockSize, isCausal, global, sparse } = inputs;
  const trace = inputs.trace ?? noTrace;
  const [batch, heads, tokenLength, headDim] = queries.shape as [number, number, number, number];
  const spec = {
    blockSize,
    tokenLength,
    numGlobal: global ? global.keys.shape[2]! : 0,
    sparseLength: sparse ? sparse.keys.shape[2]! : 0,
    sparseStep: sparse ? sparse.step : 1,
    slots: sparse ? sparse.slots : { left: [], right: [] },
    isCausal,
  };
  const dtype = queries.dtype;
  // NOTE: the additive mask rides along as one extra key feature, met by a constant 1 appended to
  // every query, so the score matmul yields q·k/sqrt(d) + mask without another (tokens × width)
  // tensor. MASK_VALUE absorbs any score (score + MASK_VALUE == MASK_VALUE), as the reference's sum.
  const withMask = (set: KeySet) => {
    const rows = set.keys.shape[2]!;
    return cat([set.keys.expand([batch, heads, rows, headDim]), set.mask.unsqueeze(-1).expand([batch, heads, rows, 1])], -1);
  };
  const keyPadRow = tensor([...new Array<number>(headDim).fill(0), MASK_VALUE], { shape: [1, 1, 1, headDim + 1], dtype });
  const keyBlocks = trace('keyBlocks', keyWindows({                                // (B, H, nb, D + 1, width)
    global: global && withMask(global),
    sparse: sparse && withMask(sparse),
    tokens: trace('keyBank', withMask(inputs)),
  }, keyPadRow, spec));
  const valueBlocks = trace('valueBlocks', valueWindows({                          // (B, H, nb, width, D)
    global: global?.values.expand([batch, heads, global.values.shape[2]!, headDim]),
    sparse: sparse?.values,
    tokens: trace('valueBank', inputs.values),
  }, zeros([1, 1, 1, headDim], { dtype }), spec));
  // The queries are scaled before the product (the reference scales the scores): the same math up
  // to rounding, with one pass over (tokens × headDim) instead of (tokens × width).
  const scaledQueries = cat([queries.mul(1 / Math.sqrt(headDim)), ones([batch, heads, tokenLength, 1], { dtype })], -1);
  let scores = trace('scores', chunkQueries(scaledQueries, blockSize)                // (B, H, nb, bs, D + 1)
    .matmul(keyBlocks));                                                            // (B, H, nb, bs, width)
  if (isCausal) {
    // The reference adds the triangle to the padding mask and clamps, so no -Infinity appears.
    const width = keyBlocks.shape[4]!;
    scores = trace('causalScores', scores.add(blockCausalMask(blockSize, width, scores.dtype)).clamp(MASK_VALUE));
  }
  const probabilities = trace('probabilities', scores.softmax(-1));
  return trace('context', probabilities.matmul(valueBlocks)).reshape([batch, heads, tokenLength, headDim]);
}
