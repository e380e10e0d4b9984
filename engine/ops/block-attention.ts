// Block-sparse attention as one op over the backend's fused kernel pair (LSG's product, see
// lsg/block-attention.ts, which calls it where the backend has the kernels and composes gathers,
// matmuls and softmax otherwise; the composition is the reference the tests hold this op to).
import type { BlockAttentionPlan } from '../backend.js';
import { argumentError } from '../errors.js';
import { defineOp } from '../op.js';
import type { Tensor } from '../tensor.js';
import { gradientTensor } from './fused.js';
import { checkTensor } from './prepare.js';

/** Inputs [q, keys, values, mask]; the mask is a constant (no gradient flows to it). */
const blockAttentionOp = defineOp<BlockAttentionPlan>({
  name: 'blockAttention',
  forward: (backend, [q, keys, values, mask], plan, recordsGradient) => {
    // What the backward may reuse is kept only where a gradient will be recorded.
    const { out, saved } = backend.blockAttention!.forward(q!, keys!, values!, mask!, plan, recordsGradient);
    return { storage: out, shape: q!.shape, dtype: q!.dtype, saved };
  },
  gradient: ([q, keys, values, mask], out, dy, plan, saved) => {
    const { backend } = q!;
    const grads = backend.blockAttention!.backward(q!, keys!, values!, mask!, out, dy, plan, (saved ?? null) as never);
    return [
      gradientTensor(backend, grads.dq, q!.shape, q!.dtype),
      gradientTensor(backend, grads.dkeys, keys!.shape, q!.dtype),
      gradientTensor(backend, grads.dvalues, values!.shape, q!.dtype),
      null,
    ];
  },
});

/** Whether `blockSparseAttention` can run on this tensor's backend and dtype. */
export function hasFusedBlockAttention(q: Tensor): boolean {
  return q.backend.blockAttention !== undefined && (q.dtype === 'float32' || q.dtype === 'float64');
}

/**
 * Whether `blockSparseAttention` can run for these queries (batch, heads, tokens, headDim) and its
 * backend prefers it to the composed block product (no slower fallback kernel would run).
 */
export function prefersFusedBlockAttention(q: Tensor): boolean {
  return hasFusedBlockAttention(q) && q.backend.blockAttention!.preferredFor(q.dtype, q.shape.at(-1)!);
}

/**
 * Fused block-sparse attention: q (B, H, T, headDim) in blocks of plan.blockSize rows, each block
 * attending to the bank rows (B, H, R, headDim) of keys and values its plan row lists, scores
 * scale·q·k + mask with mask (B, 1|H, R) additive over bank rows. Returns (B, H, T, headDim).
 * Needs a backend with the `blockAttention` kernel pair (hasFusedBlockAttention).
 * @example blockSparseAttention(q, keyBank, valueBank, maskBank, { rows, numBlocks: 4, blockSize: 8, width: 24, isCausal: false, scale: 0.125, maskValue: -3.4e38 })
 */
export function blockSparseAttention(q: Tensor, keys: Tensor, values: Tensor, mask: Tensor, plan: BlockAttentionPlan): Tensor {
  const fn = 'blockSparseAttention';
  for (const [name, t] of [['q', q], ['keys', keys], ['values', values], ['mask', mask]] as const) checkTensor(fn, name, t);
  if (!hasFusedBlockAttention(q)) throw argumentError(fn, 'q', `${q.dtype} on '${q.backend.name}'`, 'float32 or float64 on a backend with the blockAttention kernels');
  const [batch, heads, tokens, headDim] = q.shape as [number, number, number, number];
  if (q.rank !== 4 || tokens !== plan.numBlocks * plan.blockSize) {
    throw argumentError(fn, 'q.shape', q.shape, `(batch, heads, ${plan.numBlocks * plan.blockSize}, headDim): numBlocks × blockSize query rows`);
  }
  const bankRows = keys.shape[2]!;
  if (keys.rank !== 4 || values.shape.join() !== keys.shape.join() || keys.shape[0] !== batch || keys.shape[1] !== heads || keys.shape[3] !== headDim) {
    throw argumentError(fn, 'keys.shape and values.shape', [keys.shape, values.shape], `two equal shapes [${batch}, ${heads}, rows, ${headDim}]`);
  }
  if (mask.rank !== 3 || mask.shape[0] !== batch || (mask.shape[1] !== 1 && mask.shape[1] !== heads) || mask.shape[2] !== bankRows) {
    throw argumentError(fn, 'mask.shape', mask.shape, `[${batch}, 1 or ${heads}, ${bankRows}]`);
  }
  const tableLength = plan.numBlocks * plan.width;
  if ((plan.rows.length !== tableLength && plan.rows.length !== batch * heads * tableLength) || plan.width < plan.blockSize) {
    throw argumentError(fn, 'plan.rows.length', plan.rows.length,
      `numBlocks × width = ${tableLength} (one table) or batch × heads × numBlocks × width = ${batch * heads * tableLength} (a table per pair), with width ≥ blockSize`);
  }
  for (const row of plan.rows) {
    if (!(row >= 0 && row < bankRows)) throw argumentError(fn, 'plan.rows', row, `bank rows in [0, ${bankRows})`);
  }
  if ([keys, values, mask].some((t) => t.dtype !== q.dtype || t.backend !== q.backend)) {
    throw argumentError(fn, 'dtypes', [q.dtype, keys.dtype, values.dtype, mask.dtype], `all ${q.dtype} on '${q.backend.name}'`);
  }
  return blockAttentionOp([q, keys, values, mask.expand([batch, heads, bankRows])], plan);
}
