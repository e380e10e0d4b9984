// Shared by the selection types (norm, stride, block_stride): read the chosen token rows.
import { tensor, type Tensor } from '../../engine/index.js';
import type { SparseSource, SparseTokens } from './types.js';

/**
 * Keys, values and mask at `positions` (int32, (batch|1, heads, sparse length)).
 * @example selectPositions(source, headPositions([[0, 2]])) // token rows 0 and 2 of head 0
 */
export function selectPositions(source: SparseSource, positions: Tensor): SparseTokens {
  const [batch, heads, , headDim] = source.keys.shape as [number, number, number, number];
  const sparseLength = positions.shape[2]!;
  const rows = positions.expand([batch, heads, sparseLength]);
  const rowsPerFeature = rows.unsqueeze(-1).expand([batch, heads, sparseLength, headDim]);
  const tokenMask = source.mask.expand([batch, heads, source.mask.shape[2]!]);
  return {
    keys: source.keys.gather(2, rowsPerFeature),
    values: source.values.gather(2, rowsPerFeature),
    mask: tokenMask.gather(2, rows),
    positions: rows,
  };
}

/** Per-head position lists (heads × sparse length) as an int32 tensor (1, heads, sparse length). */
export function headPositions(perHead: readonly (readonly number[])[]): Tensor {
  const heads = perHead.length;
  const sparseLength = perHead[0]?.length ?? 0;
  return tensor(Int32Array.from(perHead.flat()), { shape: [1, heads, sparseLength], dtype: 'int32' });
}
