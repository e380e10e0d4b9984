// The fused block-sparse attention of LSG in TypeScript: every query row scores its block's keys
// straight from the key bank through the plan's row table, so no gathered (blocks × width ×
// headDim) copy exists, forward or backward. float64 (gradient checks) and, without WebAssembly,
// float32 run here; block-attention-wasm.ts runs float32 with SIMD.
import { pairTableStride, type BlockAttentionGradients, type BlockAttentionOutput, type BlockAttentionPlan, type View } from '../../engine/backend.js';
import type { DType, TypedArray } from '../../engine/dtype.js';
import { blasBlockAttentionBackward, blasBlockAttentionForward, blockAttentionBlas } from './block-attention-blas.js';
import { newBuffer, newFloat32Output } from './buffer-pool.js';
import { rowMajorData } from './dense.js';
import { contiguous } from './movement.js';
import { useHelperThread, wasmBlockAttentionAvailable, wasmBlockAttentionBackward, wasmBlockAttentionForward, type BlockAttentionOperands } from './wasm/block-attention-wasm.js';
import { helperAvailable, splitWithHelper } from './matmul-pool.js';

// The wasm kernel splits its (batch, head) pairs with the matmul helper thread.
useHelperThread({ available: helperAvailable, split: splitWithHelper });

type Storage = TypedArray;

export function blockAttentionOperands(q: View<Storage>, keys: View<Storage>, values: View<Storage>, mask: View<Storage>): BlockAttentionOperands {
  const [batch, heads, tokens, headDim] = q.shape as [number, number, number, number];
  return {
    q: rowMajorData(q), keys: rowMajorData(keys), values: rowMajorData(values), mask: contiguous(mask),
    pairs: batch * heads, tokens, bankRows: keys.shape[2]!, headDim,
  };
}

/**
 * Softmax weights of one query row over its block's keys, into `weights` (length width);
 * `row` is the query's position in its block.
 */
function rowWeights(ops: BlockAttentionOperands, plan: BlockAttentionPlan, pair: number, block: number, row: number, weights: Float64Array): void {
  const { tokens, bankRows, headDim, mask } = ops;
  const { rows, width, blockSize, isCausal, scale, maskValue } = plan;
  // Locals, not property reads, in the inner loop.
  const queryData = ops.q.data;
  const keyData = ops.keys.data;
  const queryAt = ops.q.start + (pair * tokens + block * blockSize + row) * headDim;
  const keyBase = ops.keys.start + pair * bankRows * headDim;
  const maskBase = pair * bankRows;
  const tableAt = pair * pairTableStride(plan) + block * width;
  const firstHidden = isCausal ? width - blockSize + row + 1 : width;   // columns from here on are masked
  let max = -Infinity;
  for (let column = 0; column < width; column++) {
    let score: number;
    if (column >= firstHidden) {
      score = maskValue;
    } else {
      const bankRow = rows[tableAt + column]!;
      const keyAt = keyBase + bankRow * headDim;
      let dot = 0;
      for (let d = 0; d < headDim; d++) dot += queryData[queryAt + d]! * keyData[keyAt + d]!;
      score = scale * dot + mask[maskBase + bankRow]!;
    }
    weights[column] = score;
    if (score > max) max = score;
  }
  let sum = 0;
  for (let column = 0; column < width; column++) {
    const e = Math.exp(weights[column]! - max);
    weights[column] = e;
    sum += e;
  }
  const inverse = 1 / sum;
  for (let column = 0; column < width; column++) weights[column]! *= inverse;
}

/**
 * The head dimension from which the wasm kernel keeps its weights for the backward: the products
 * it saves grow with the head dimension, the copies out and back in do not.
 * NOTE: npm start's training step (head dimension 32, 128 MiB pool), one thread, two rounds:
 * 437/437 ms and 416–431 MB peak keeping them, 425/423 ms and 372–393 MB recomputing; LSG block 128
 * (head dimension 64): 381/396 → 337/339 ms keeping them.
 */
const WASM_KEEPS_WEIGHTS_FROM_HEAD_DIM = 64;

/**
 * The forward: (B, H, T, headDim) of the views' dtype. float32 runs on the system BLAS for large
 * blocks (block-attention-blas.ts), else in the wasm kernel. With `keepForBackward` the BLAS path,
 * and the wasm kernel from WASM_KEEPS_WEIGHTS_FROM_HEAD_DIM, also return their softmax weights
 * (`saved`) for blockAttentionBackward; the TypeScript loops keep none.
 */
export function blockAttentionForward(
  q: View<Storage>, keys: View<Storage>, values: View<Storage>, mask: View<Storage>, plan: BlockAttentionPlan, keepForBackward = false,
): BlockAttentionOutput<Storage> {
  const ops = blockAttentionOperands(q, keys, values, mask);
  const blas = blockAttentionBlas(ops, plan);
  if (blas) {
    const { out, weights } = blasBlockAttentionForward(blas, ops, plan, keepForBackward);
    return { out, saved: weights };
  }
  const fromWasm = wasmBlockAttentionForward(ops, plan, newFloat32Output, keepForBackward && ops.headDim >= WASM_KEEPS_WEIGHTS_FROM_HEAD_DIM);
  if (fromWasm) return { out: fromWasm.out, saved: fromWasm.weights };
  const { pairs, tokens, bankRows, headDim } = ops;
  const { rows, numBlocks, blockSize, width } = plan;
  const tableStride = pairTableStride(plan);
  const out = newBuffer(q.dtype, pairs * tokens * headDim);
  const weights = new Float64Array(width);
  const accumulator = new Float64Array(headDim);
  const valueData = ops.values.data;
  for (let pair = 0; pair < pairs; pair++) {
    const valueBase = ops.values.start + pair * bankRows * headDim;
    for (let block = 0; block < numBlocks; block++) {
      for (let row = 0; row < blockSize; row++) {
        rowWeights(ops, plan, pair, block, row, weights);
        accumulator.fill(0);
        for (let column = 0; column < width; column++) {
          const weight = weights[column]!;
          if (weight === 0) continue;
          const valueAt = valueBase + rows[pair * tableStride + block * width + column]! * headDim;
          for (let d = 0; d < headDim; d++) accumulator[d]! += weight * valueData[valueAt + d]!;
        }
        out.set(accumulator, (pair * tokens + block * blockSize + row) * headDim);
      }
    }
  }
  return { out, saved: null };
}

/**
 * The exact backward, with the weights the wasm forward kept (`saved`) or recomputing each row's: with p the weights, dO the output gradient
 * and O the output, dp_c = dO·v_c, ds_c = p_c (dp_c − dO·O) (softmax's backward, Σ p dp = dO·O);
 * dq = scale Σ ds_c k_c, dk_c += scale ds_c q, dv_c += p_c dO. Causally masked columns get no
 * gradient (the composition's clamp passes none there).
 */
export function blockAttentionBackward(
  q: View<Storage>, keys: View<Storage>, values: View<Storage>, mask: View<Storage>, out: View<Storage>, dout: View<Storage>, plan: BlockAttentionPlan,
  saved: Storage | null = null,
): BlockAttentionGradients<Storage> {
  const ops = blockAttentionOperands(q, keys, values, mask);
  const { pairs, tokens, bankRows, headDim } = ops;
  const { rows, numBlocks, blockSize, width, isCausal, scale } = plan;
  const tableStride = pairTableStride(plan);
  const output = rowMajorData(out);
  const gradOut = rowMajorData(dout);
  const blas = blockAttentionBlas(ops, plan);
  if (blas) return blasBlockAttentionBackward(blas, ops, output as { data: Float32Array; start: number }, gradOut as { data: Float32Array; start: number }, plan, saved);
  const kept = saved instanceof Float32Array ? saved : null;
  const fromWasm = wasmBlockAttentionBackward(ops, output as { data: Float32Array; start: number }, gradOut as { data: Float32Array; start: number }, plan, newFloat32Output, kept);
  if (fromWasm) return fromWasm;
  const dq = newBuffer(q.dtype, pairs * tokens * headDim);
  const dkeys = newBuffer(q.dtype, pairs * bankRows * headDim);
  const dvalues = newBuffer(q.dtype, pairs * bankRows * headDim);
  const weights = new Float64Array(width);
  const queryGrad = new Float64Array(headDim);
  // Locals, not property reads, in the inner loops.
  const [queryData, keyData, valueData, outputs, gradOuts] = [ops.q.data, ops.keys.data, ops.values.data, output.data, gradOut.data];
  const [queryStart, keyStart, valueStart] = [ops.q.start, ops.keys.start, ops.values.start];
  for (let pair = 0; pair < pairs; pair++) {
    const bankBase = pair * bankRows * headDim;
    for (let block = 0; block < numBlocks; block++) {
      for (let row = 0; row < blockSize; row++) {
        rowWeights(ops, plan, pair, block, row, weights);
        const token = pair * tokens + block * blockSize + row;
        const gradAt = gradOut.start + token * headDim;
        const outAt = output.start + token * headDim;
        const queryAt = queryStart + token * headDim;
        let rowDot = 0;
        for (let d = 0; d < headDim; d++) rowDot += gradOuts[gradAt + d]! * outputs[outAt + d]!;
        queryGrad.fill(0);
        const firstHidden = isCausal ? width - blockSize + row + 1 : width;
        for (let column = 0; column < width; column++) {
          const weight = weights[column]!;
          // A zero weight contributes nothing: its value gradient and its score gradient are 0.
          if (weight === 0) continue;
          const bankAt = bankBase + rows[pair * tableStride + block * width + column]! * headDim;
          for (let d = 0; d < headDim; d++) dvalues[bankAt + d]! += weight * gradOuts[gradAt + d]!;
          if (column >= firstHidden) continue;
          let dp = 0;
          const valueAt = valueStart + bankAt;
          for (let d = 0; d < headDim; d++) dp += gradOuts[gradAt + d]! * valueData[valueAt + d]!;
          const scoreGrad = scale * weight * (dp - rowDot);
          const keyAt = keyStart + bankAt;
          for (let d = 0; d < headDim; d++) {
            queryGrad[d]! += scoreGrad * keyData[keyAt + d]!;
            dkeys[bankAt + d]! += scoreGrad * queryData[queryAt + d]!;
          }
        }
        dq.set(queryGrad, token * headDim);
      }
    }
  }
  return { dq, dkeys, dvalues };
}

/**
 * Where LSG should call this pair rather than compose gathers, matmul and softmax: float32 where
 * the wasm kernel runs (its TypeScript loops in float32 are slower than the composition, whose
 * matmuls are SIMD), and float64, whose use is gradient checks: there the fused op's own exact
 * gradient is what is under test.
 */
export function blockAttentionPreferredFor(dtype: DType, headDim: number): boolean {
  return dtype === 'float64' || (dtype === 'float32' && wasmBlockAttentionAvailable(headDim));
}
