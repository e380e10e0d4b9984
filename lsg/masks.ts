// Additive attention masks, as the reference uses them: 0 keeps a key, MASK_VALUE removes it.
import { MASK_VALUE, tensor, type Tensor } from '../engine/index.js';
import type { DType } from '../engine/dtype.js';

/**
 * Keep flags (batch, seq), 1 keep and 0 pad, as an additive mask (batch, 1, seq).
 * @example keepToAdditive(tensor([[1, 1, 0]]), 'float32') // [[[0, 0, MASK_VALUE]]]
 */
export function keepToAdditive(keep: Tensor, dtype: DType): Tensor {
  const flags = keep.cast(dtype);
  return flags.neg().add(1).mul(MASK_VALUE).unsqueeze(1);
}

/** An additive mask of all keeps, shape (batch, 1, length). */
export function keepAll(batch: number, length: number, dtype: DType): Tensor {
  return tensor(new (dtype === 'float64' ? Float64Array : Float32Array)(batch * length), { shape: [batch, 1, length], dtype });
}

/**
 * The mask of a pooled sparse token from the number of kept keys in its group:
 * MASK_VALUE where the group kept nothing, else 0.
 */
export function maskFromCounts(counts: Tensor): Tensor {
  return counts.clamp(0, 1).neg().add(1).mul(MASK_VALUE);
}

/**
 * The (blockSize, width) causal mask added to a block's scores: query r may see key column c of
 * the current block (the last blockSize columns) only when c <= r.
 */
export function blockCausalMask(blockSize: number, width: number, dtype: DType): Tensor {
  const data = new (dtype === 'float64' ? Float64Array : Float32Array)(blockSize * width);
  const currentStart = width - blockSize;
  for (let row = 0; row < blockSize; row++) {
    for (let column = row + 1; column < blockSize; column++) data[row * width + currentStart + column] = MASK_VALUE;
  }
  return tensor(data, { shape: [blockSize, width], dtype });
}

/** The (length, length) lower-triangular causal mask: key j allowed for query i iff j <= i. */
export function causalMask(length: number, dtype: DType): Tensor {
  return blockCausalMask(length, length, dtype);
}
