// The block product shared by the standalone layer and the model: every query block attends to
// its [global | sparse | local] keys (docs/lsg-reference.md#block-keys, #model-attention). On a backend with the fused
// blockAttention kernels that prefers them for these queries it is one op that reads the keys
// through the block table; otherwise (no kernels, only a slower fallback of them, or a trace that
// asks for the intermediates) the composition below gathers the key blocks and runs one batched
// matmul, softmax and matmul: the reference the fused op is tested against.
import { cat, ones, MASK_VALUE, type Tensor } from '../engine/index.js';
import { blockSparseAttention, prefersFusedBlockAttention } from '../engine/ops/block-attention.js';
import { blockTable, chunkQueries, gatherBlocks, keyBank, maskBank, tokenRowTables } from './blocks.js';
import { blockCausalMask } from './masks.js';
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
  /**
   * The sparse sequence and which of its slots each block sees. With `positions` (the selection
   * types: int32 (batch|1, heads, sparse length)) its keys, values and mask are those token rows of
   * `keys`, `values` and `mask`, and the fused op reads them there.
   */
  readonly sparse?: KeySet & { readonly slots: SparseSlots; readonly step: number; readonly positions?: Tensor };
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
  const tableSpec = {
    blockSize,
    tokenLength,
    numGlobal: global ? global.keys.shape[2]! : 0,
    sparseLength: sparse ? sparse.mask.shape[2]! : 0,
    sparseStep: sparse ? sparse.step : 1,
    slots: sparse ? sparse.slots : { left: [], right: [] },
    isCausal,
  };
  const table = blockTable(tableSpec);
  const parts = <T>(pick: (set: KeySet) => T, tokens: T): T[] =>
    [...(global ? [pick(global)] : []), ...(sparse ? [pick(sparse)] : []), tokens];
  if (trace === noTrace && prefersFusedBlockAttention(queries)) {
    const attention = { blockSize, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
    if (sparse?.positions) {
      // The sparse rows are token rows: a table per (batch, head) reads them in place, so the
      // bank is [global | tokens | pad] and their gradients land on the token rows directly.
      const withoutSparse = <T>(pick: (set: KeySet) => T, tokens: T): T[] => [...(global ? [pick(global)] : []), tokens];
      const positions = sparse.positions.expand([batch, heads, tableSpec.sparseLength]).toTypedArray() as Int32Array;
      const rows = tokenRowTables(table, tableSpec, positions, batch * heads);
      return blockSparseAttention(queries, keyBank(withoutSparse((set) => set.keys, inputs.keys)), keyBank(withoutSparse((set) => set.values, inputs.values)),
        maskBank(withoutSparse((set) => set.mask, inputs.mask)), { ...table, rows, ...attention });
    }
    return blockSparseAttention(queries, keyBank(parts((set) => set.keys, inputs.keys)), keyBank(parts((set) => set.values, inputs.values)),
      maskBank(parts((set) => set.mask, inputs.mask)), { ...table, ...attention });
  }
  // NOTE: the additive mask rides along as one extra key feature, met by a constant 1 appended to
  // every query, so the score matmul yields q·k/sqrt(d) + mask without another (tokens × width)
  // tensor. MASK_VALUE absorbs any score (score + MASK_VALUE == MASK_VALUE), as the reference's sum.
  const masks = maskBank(parts((set) => set.mask, inputs.mask));                     // (B, 1|H, rows)
  const keys = keyBank(parts((set) => set.keys, inputs.keys));                       // (B, H, rows, D)
  const keysAndMask = cat([keys, masks.unsqueeze(-1).expand([batch, heads, masks.shape[2]!, 1])], -1);
  const keyBlocks = trace('keyBlocks', gatherBlocks(trace('keyBank', keysAndMask), table)); // (B, H, nb, width, D + 1)
  const valueBlocks = trace('valueBlocks', gatherBlocks(trace('valueBank', keyBank(parts((set) => set.values, inputs.values))), table));
  // The queries are scaled before the product (the reference scales the scores): the same math up
  // to rounding, with one pass over (tokens × headDim) instead of (tokens × width).
  const scaledQueries = cat([queries.mul(1 / Math.sqrt(headDim)), ones([batch, heads, tokenLength, 1], { dtype: queries.dtype })], -1);
  let scores = trace('scores', chunkQueries(scaledQueries, blockSize)                // (B, H, nb, bs, D + 1)
    .matmul(keyBlocks.transpose(-1, -2)));                                          // (B, H, nb, bs, width)
  if (isCausal) {
    // The reference adds the triangle to the padding mask and clamps, so no -Infinity appears.
    scores = trace('causalScores', scores.add(blockCausalMask(blockSize, table.width, scores.dtype)).clamp(MASK_VALUE));
  }
  const probabilities = trace('probabilities', scores.softmax(-1));
  return trace('context', probabilities.matmul(valueBlocks)).reshape([batch, heads, tokenLength, headDim]);
}
