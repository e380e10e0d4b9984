// The fused block attention in float32 on the system BLAS (blas.ts), for large blocks: per (batch,
// head) pair and query block, the block's key and value rows are gathered (width × headDim) and
// every product is one sgemm:
//   forward   s = scale·q·kᵀ, p = softmax(s + mask) (a causally hidden column scores maskValue),
//             out = p·v;
//   backward  dp = dO·vᵀ, ds = scale·p ∘ (dp − dO·O) (0 on a hidden column), dq = ds·k,
//             dk += dsᵀ·q and dv += pᵀ·dO, added into the bank rows through the table.
// The formulas, and the float64 loops they are tested against, are block-attention.ts's.
// NOTE: why: the wasm kernel's products run at ~27 GFLOP/s on one core here (128-bit SIMD without
// FMA); OpenBLAS's at 60–130 for these sizes. Below BLAS_MIN_BLOCK_AREA (query rows × head
// dimension) a block's products are too small for BLAS calls to pay, and the wasm kernel stays.
import { pairTableStride, type BlockAttentionGradients, type BlockAttentionPlan } from '../../engine/backend.js';
import { NO_TRANSPOSE, systemBlas, systemBlasThreads, TRANSPOSE, type SystemBlas } from './blas.js';
import { newBuffer, newFloat32Output, releaseScratch } from './buffer-pool.js';
import { softmax } from './reduce.js';
import type { BlockAttentionOperands } from './wasm/block-attention-wasm.js';
import { wasmSoftmax } from './wasm/rows-wasm.js';

/**
 * Query rows × head dimension from which the BLAS path runs. NOTE: measured at 4,096 tokens, one
 * thread: blocks of 32 with head dimension 64 ran in 121 ms against the wasm kernel's 128 (fwd+bwd),
 * npm start's training step (blocks of 32, head dimension 32) in 303 ms against 292.
 */
const BLAS_MIN_BLOCK_AREA = 2048;

/** Softmax weights this file's forward kept: only its own backward reads them (their layout is its own). */
const keptHere = new WeakSet<Float32Array>();

/**
 * The system BLAS where this path takes the operands (float32, blocks of BLAS_MIN_BLOCK_AREA or
 * more, OpenBLAS on one thread), else null.
 * NOTE: on more threads the wasm kernel, which splits the (batch, head) pairs with the helper
 * thread, runs instead: OpenBLAS splits each block's small products and wakes its threads per call.
 * Two threads, 4,096 tokens, wall: blocks of 128 took 282 ms so against 211 in the wasm kernel
 * (231 on BLAS with one thread), blocks of 32 with head dimension 64 183 against 104.
 */
export function blockAttentionBlas(ops: BlockAttentionOperands, plan: BlockAttentionPlan): SystemBlas | null {
  const takes = ops.q.data instanceof Float32Array && plan.blockSize * ops.headDim >= BLAS_MIN_BLOCK_AREA && systemBlasThreads() === 1;
  return takes ? systemBlas() : null;
}

/** Scratch arrays, grown as needed: one call at a time per thread. */
let scratch = new Float32Array(0);
function scratchOf(floats: number): Float32Array {
  if (scratch.length < floats) scratch = new Float32Array(floats);
  return scratch;
}

/**
 * The runs of consecutive bank rows in `table[0…width)` (the local window is one): `visit(column,
 * bankRow, count)` for table[column … column + count) = bankRow, bankRow + 1, ….
 */
function forEachRowRun(table: Int32Array, width: number, visit: (column: number, bankRow: number, count: number) => void): void {
  for (let column = 0; column < width;) {
    let end = column + 1;
    while (end < width && table[end] === table[end - 1]! + 1) end++;
    visit(column, table[column]!, end - column);
    column = end;
  }
}

/** The rows `table[0…width)` of a (bankRows × headDim) bank from `base` into `into` (width × headDim), a copy per run. */
function gatherRows(bank: Float32Array, base: number, table: Int32Array, width: number, headDim: number, into: Float32Array): void {
  forEachRowRun(table, width, (column, bankRow, count) => {
    const from = base + bankRow * headDim;
    into.set(bank.subarray(from, from + count * headDim), column * headDim);
  });
}

/** Adds the rows of `rows` (width × headDim) into the bank rows `table[c]` from `base` (repeats add up). */
function scatterAddRows(blas: SystemBlas, bank: Float32Array, base: number, table: Int32Array, width: number, headDim: number, rows: Float32Array): void {
  forEachRowRun(table, width, (column, bankRow, count) => {
    const to = base + bankRow * headDim;
    const from = column * headDim;
    const floats = count * headDim;
    if (floats >= 64) blas.saxpy(floats, 1, rows.subarray(from, from + floats), 1, bank.subarray(to, to + floats), 1);
    else for (let i = 0; i < floats; i++) bank[to + i]! += rows[from + i]!;
  });
}

/** Row stride of a block's scores and probabilities: the width rounded up to whole 4-float vectors (the wasm softmax's rows). */
const strideOf = (width: number) => Math.ceil(width / 4) * 4;

/**
 * p (blockSize rows, `stride` apart), in place over the scaled scores: each row gets its bank rows'
 * mask, a causally hidden column maskValue, the columns past the width −∞ (weight 0), then the
 * softmax along the row: rows.wat's float32 kernel in place where it runs, else reduce.ts's loops.
 */
function softmaxRows(p: Float32Array, plan: BlockAttentionPlan, mask: Float32Array, maskBase: number, table: Int32Array): void {
  const { blockSize, width, isCausal, maskValue } = plan;
  const stride = strideOf(width);
  for (let row = 0, at = 0; row < blockSize; row++, at += stride) {
    const firstHidden = isCausal ? width - blockSize + row + 1 : width;
    for (let column = 0; column < firstHidden; column++) p[at + column]! += mask[maskBase + table[column]!]!;
    p.fill(maskValue, at + firstHidden, at + width);
    p.fill(-Infinity, at + width, at + stride);
  }
  if (wasmSoftmax({ data: p, start: 0 }, blockSize * stride, stride, () => p)) return;
  const weights = softmax({ storage: p, shape: [blockSize, stride], strides: [stride, 1], offset: 0, dtype: 'float32' });
  p.set(weights);
  releaseScratch(weights);
}

interface Layout { pairs: number; tokens: number; bankRows: number; headDim: number; tableStride: number }

const layoutOf = (ops: BlockAttentionOperands, plan: BlockAttentionPlan): Layout =>
  ({ pairs: ops.pairs, tokens: ops.tokens, bankRows: ops.bankRows, headDim: ops.headDim, tableStride: pairTableStride(plan) });

/** The block's probabilities into `p` (blockSize rows, strideOf(width) apart), keys gathered into `keyRows`. */
function blockWeights(blas: SystemBlas, ops: BlockAttentionOperands, plan: BlockAttentionPlan, l: Layout, pair: number, table: Int32Array, queryAt: number, keyRows: Float32Array, p: Float32Array): void {
  const { blockSize, width, scale } = plan;
  gatherRows(ops.keys.data as Float32Array, ops.keys.start + pair * l.bankRows * l.headDim, table, width, l.headDim, keyRows);
  blas.sgemm(NO_TRANSPOSE, TRANSPOSE, blockSize, width, l.headDim, scale, (ops.q.data as Float32Array).subarray(queryAt), l.headDim, keyRows, l.headDim, 0, p, strideOf(width));
  softmaxRows(p, plan, ops.mask as Float32Array, pair * l.bankRows, table);
}

/** The forward; with keepForBackward also every block's probabilities, for blasBlockAttentionBackward. */
export function blasBlockAttentionForward(blas: SystemBlas, ops: BlockAttentionOperands, plan: BlockAttentionPlan, keepForBackward: boolean): { out: Float32Array; weights: Float32Array | null } {
  const l = layoutOf(ops, plan);
  const { numBlocks, blockSize, width } = plan;
  const stride = strideOf(width);
  const out = newFloat32Output(l.pairs * l.tokens * l.headDim);
  const weights = keepForBackward ? newFloat32Output(l.pairs * l.tokens * stride) : null;
  const bankFloats = width * l.headDim;
  const work = scratchOf(2 * bankFloats + blockSize * stride);
  const [keyRows, valueRows] = [work.subarray(0, bankFloats), work.subarray(bankFloats, 2 * bankFloats)];
  for (let pair = 0; pair < l.pairs; pair++) {
    for (let block = 0; block < numBlocks; block++) {
      const table = plan.rows.subarray(pair * l.tableStride + block * width, pair * l.tableStride + (block + 1) * width);
      const firstToken = pair * l.tokens + block * blockSize;
      const p = weights ? weights.subarray(firstToken * stride, (firstToken + blockSize) * stride) : work.subarray(2 * bankFloats, 2 * bankFloats + blockSize * stride);
      blockWeights(blas, ops, plan, l, pair, table, ops.q.start + firstToken * l.headDim, keyRows, p);
      gatherRows(ops.values.data as Float32Array, ops.values.start + pair * l.bankRows * l.headDim, table, width, l.headDim, valueRows);
      blas.sgemm(NO_TRANSPOSE, NO_TRANSPOSE, blockSize, l.headDim, width, 1, p, stride, valueRows, l.headDim, 0, out.subarray(firstToken * l.headDim), l.headDim);
    }
  }
  if (weights) keptHere.add(weights);
  return { out, weights };
}

/**
 * The backward: `saved` is what blasBlockAttentionForward kept for these operands and plan (then
 * the probabilities are not recomputed), or anything else (ignored).
 */
export function blasBlockAttentionBackward(
  blas: SystemBlas, ops: BlockAttentionOperands, output: { data: Float32Array; start: number }, gradOut: { data: Float32Array; start: number },
  plan: BlockAttentionPlan, saved: unknown,
): BlockAttentionGradients<Float32Array> {
  const l = layoutOf(ops, plan);
  const { numBlocks, blockSize, width, isCausal, scale } = plan;
  const stride = strideOf(width);
  const kept = saved instanceof Float32Array && keptHere.has(saved) && saved.length === l.pairs * l.tokens * stride ? saved : null;
  const dq = newFloat32Output(l.pairs * l.tokens * l.headDim);
  const dkeys = newBuffer('float32', l.pairs * l.bankRows * l.headDim) as Float32Array;
  const dvalues = newBuffer('float32', l.pairs * l.bankRows * l.headDim) as Float32Array;
  const bankFloats = width * l.headDim;
  const scoreFloats = blockSize * stride;
  const work = scratchOf(3 * bankFloats + 2 * scoreFloats);
  const [keyRows, valueRows, rowGrads] = [0, 1, 2].map((i) => work.subarray(i * bankFloats, (i + 1) * bankFloats)) as [Float32Array, Float32Array, Float32Array];
  const ds = work.subarray(3 * bankFloats, 3 * bankFloats + scoreFloats);
  const recomputed = work.subarray(3 * bankFloats + scoreFloats, 3 * bankFloats + 2 * scoreFloats);
  const q = ops.q.data as Float32Array;
  const rowDots = new Float64Array(blockSize);
  for (let pair = 0; pair < l.pairs; pair++) {
    const bankBase = pair * l.bankRows * l.headDim;
    for (let block = 0; block < numBlocks; block++) {
      const table = plan.rows.subarray(pair * l.tableStride + block * width, pair * l.tableStride + (block + 1) * width);
      const firstToken = pair * l.tokens + block * blockSize;
      const queryAt = ops.q.start + firstToken * l.headDim;
      let p: Float32Array;
      if (kept) {
        p = kept.subarray(firstToken * stride, (firstToken + blockSize) * stride);
        gatherRows(ops.keys.data as Float32Array, ops.keys.start + bankBase, table, width, l.headDim, keyRows);
      } else {
        p = recomputed;
        blockWeights(blas, ops, plan, l, pair, table, queryAt, keyRows, p);
      }
      gatherRows(ops.values.data as Float32Array, ops.values.start + bankBase, table, width, l.headDim, valueRows);
      const gradAt = gradOut.start + firstToken * l.headDim;
      const outAt = output.start + firstToken * l.headDim;
      for (let row = 0; row < blockSize; row++) {
        let dot = 0;
        for (let d = 0; d < l.headDim; d++) dot += gradOut.data[gradAt + row * l.headDim + d]! * output.data[outAt + row * l.headDim + d]!;
        rowDots[row] = dot;
      }
      const dOut = gradOut.data.subarray(gradAt);
      // dp = dO·vᵀ, then ds = scale·p ∘ (dp − δ), 0 on a hidden column.
      blas.sgemm(NO_TRANSPOSE, TRANSPOSE, blockSize, width, l.headDim, 1, dOut, l.headDim, valueRows, l.headDim, 0, ds, stride);
      for (let row = 0, at = 0; row < blockSize; row++, at += stride) {
        const firstHidden = isCausal ? width - blockSize + row + 1 : width;
        const dot = rowDots[row]!;
        for (let column = 0; column < width; column++) {
          ds[at + column] = column < firstHidden ? scale * p[at + column]! * (ds[at + column]! - dot) : 0;
        }
      }
      blas.sgemm(NO_TRANSPOSE, NO_TRANSPOSE, blockSize, l.headDim, width, 1, ds, stride, keyRows, l.headDim, 0, dq.subarray(firstToken * l.headDim), l.headDim);
      blas.sgemm(TRANSPOSE, NO_TRANSPOSE, width, l.headDim, blockSize, 1, ds, stride, q.subarray(queryAt), l.headDim, 0, rowGrads, l.headDim);
      scatterAddRows(blas, dkeys, bankBase, table, width, l.headDim, rowGrads);
      blas.sgemm(TRANSPOSE, NO_TRANSPOSE, width, l.headDim, blockSize, 1, p, stride, dOut, l.headDim, 0, rowGrads, l.headDim);
      scatterAddRows(blas, dvalues, bankBase, table, width, l.headDim, rowGrads);
    }
  }
  return { dq, dkeys, dvalues };
}
