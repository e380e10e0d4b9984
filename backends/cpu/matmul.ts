// Batched matmul: both operands are packed into 4-wide panels, then a 4×4 register tile walks K
// (matmul-tiles.ts). Packing makes every inner-loop read sequential whatever the input strides
// (transposes are free), and lets the second core take half of the row panels (matmul-pool.ts).
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { sizeOf } from '../../engine/shape.js';
import { runUnits, sharedArray } from './matmul-pool.js';
import { forEachRun } from './strided.js';

type Storage = TypedArray;
type Floats = Float32Array | Float64Array;
const TILE = 4;

/** Packs rows [0, rows) × depth [0, depth) of a strided matrix into panels of TILE rows, k-major inside. */
function packPanels(src: Storage, base: number, rowStride: number, depthStride: number, rows: number, depth: number, panels: Floats, at: number): void {
  for (let p = 0; p * TILE < rows; p++) {
    const panelBase = at + p * depth * TILE;
    const first = p * TILE;
    const count = Math.min(TILE, rows - first); // a last panel's missing rows stay zero
    // Writes run sequentially through the panel; reads take the panel's rows side by side per k.
    for (let k = 0, d = panelBase, s = base + first * rowStride; k < depth; k++, d += TILE, s += depthStride) {
      for (let r = 0; r < count; r++) panels[d + r] = src[s + r * rowStride]!;
    }
  }
}

export function matmul(a: View<Storage>, b: View<Storage>): Storage {
  const rank = a.shape.length;
  const [M, K] = [a.shape[rank - 2]!, a.shape[rank - 1]!];
  const N = b.shape[rank - 1]!;
  const batchShape = a.shape.slice(0, rank - 2);
  const batches = sizeOf(batchShape);
  const out = sharedArray(a.dtype === 'float64' ? 'float64' : a.dtype === 'int32' ? 'int32' : 'float32', batches * M * N);
  if (out.length === 0) return out;
  const packedKind = a.dtype === 'float64' ? 'float64' : 'float32';
  const panelSizeA = Math.ceil(M / TILE) * TILE * K;
  const panelSizeB = Math.ceil(N / TILE) * TILE * K;
  // A weight broadcast over the batch (every batch stride 0) is packed once.
  const sharedB = b.strides.slice(0, rank - 2).every((s, axis) => s === 0 || batchShape[axis] === 1);
  const packedA = sharedArray(packedKind, batches * panelSizeA);
  const packedB = sharedArray(packedKind, (sharedB ? 1 : batches) * panelSizeB);
  const [aRow, aDepth] = [a.strides[rank - 2]!, a.strides[rank - 1]!];
  const [bDepth, bColumn] = [b.strides[rank - 2]!, b.strides[rank - 1]!];
  const batchLayouts = [
    { strides: a.strides.slice(0, rank - 2), offset: a.offset },
    { strides: b.strides.slice(0, rank - 2), offset: b.offset },
  ];
  forEachRun(batchShape, batchLayouts, (bases, length, start, steps) => {
    for (let j = 0; j < length; j++) {
      const batch = start + j;
      packPanels(a.storage, bases[0]! + j * steps[0]!, aRow, aDepth, M, K, packedA, batch * panelSizeA);
      if (!sharedB || batch === 0) packPanels(b.storage, bases[1]! + j * steps[1]!, bColumn, bDepth, N, K, packedB, (sharedB ? 0 : batch) * panelSizeB);
    }
  });
  runUnits({ packedA, packedB, out, M, N, K, batchStrideB: sharedB ? 0 : panelSizeB, unitStart: 0, unitEnd: batches * Math.ceil(M / TILE) });
  return out;
}
