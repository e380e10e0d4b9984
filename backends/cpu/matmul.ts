// Batched matmul: both operands are packed into 4-wide panels, then a 4×4 register tile walks K.
// Packing makes every inner-loop read sequential whatever the input strides (transposes are free).
import type { View } from '../../engine/backend.js';
import { allocate, type TypedArray } from '../../engine/dtype.js';
import { sizeOf } from '../../engine/shape.js';
import { forEachRun } from './strided.js';

type Storage = TypedArray;
const TILE = 4;
/** Columns of B kept hot in cache while all row panels of A pass over them. */
const COLUMN_BLOCK = 128;

/** Packs rows [0, rows) × cols [0, depth) of a strided matrix into panels of TILE rows, k-major inside. */
function packPanels(
  src: Storage, base: number, rowStride: number, depthStride: number,
  rows: number, depth: number, panels: Float64Array | Float32Array,
): void {
  const panelCount = Math.ceil(rows / TILE);
  panels.fill(0);
  for (let p = 0; p < panelCount; p++) {
    const panelBase = p * depth * TILE;
    for (let r = 0; r < TILE; r++) {
      const row = p * TILE + r;
      if (row >= rows) break;
      let s = base + row * rowStride;
      for (let k = 0, d = panelBase + r; k < depth; k++, d += TILE, s += depthStride) panels[d] = src[s]!;
    }
  }
}

function multiplyPanels(
  packedA: Float64Array | Float32Array, packedB: Float64Array | Float32Array,
  M: number, N: number, K: number, out: Storage, outBase: number,
): void {
  const rowPanels = Math.ceil(M / TILE);
  const columnPanels = Math.ceil(N / TILE);
  const panelsPerBlock = COLUMN_BLOCK / TILE;
  for (let jBlock = 0; jBlock < columnPanels; jBlock += panelsPerBlock) {
    const jEnd = Math.min(columnPanels, jBlock + panelsPerBlock);
    for (let ip = 0; ip < rowPanels; ip++) {
      const aBase = ip * K * TILE;
      for (let jp = jBlock; jp < jEnd; jp++) {
        const bBase = jp * K * TILE;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (let k = 0, ia = aBase, ib = bBase; k < K; k++, ia += TILE, ib += TILE) {
          const a0 = packedA[ia]!, a1 = packedA[ia + 1]!, a2 = packedA[ia + 2]!, a3 = packedA[ia + 3]!;
          const b0 = packedB[ib]!, b1 = packedB[ib + 1]!, b2 = packedB[ib + 2]!, b3 = packedB[ib + 3]!;
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
          c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
          c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        }
        const row0 = ip * TILE;
        const col0 = jp * TILE;
        const o = outBase + row0 * N + col0;
        if (row0 + TILE <= M && col0 + TILE <= N) {
          out[o] = c00; out[o + 1] = c01; out[o + 2] = c02; out[o + 3] = c03;
          out[o + N] = c10; out[o + N + 1] = c11; out[o + N + 2] = c12; out[o + N + 3] = c13;
          out[o + 2 * N] = c20; out[o + 2 * N + 1] = c21; out[o + 2 * N + 2] = c22; out[o + 2 * N + 3] = c23;
          out[o + 3 * N] = c30; out[o + 3 * N + 1] = c31; out[o + 3 * N + 2] = c32; out[o + 3 * N + 3] = c33;
        } else {
          // Edge tile: only the rows and columns inside the matrix are written.
          const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < Math.min(TILE, M - row0); r++) {
            for (let c = 0; c < Math.min(TILE, N - col0); c++) out[o + r * N + c] = tile[r * TILE + c]!;
          }
        }
      }
    }
  }
}

export function matmul(a: View<Storage>, b: View<Storage>): Storage {
  const rank = a.shape.length;
  const M = a.shape[rank - 2]!;
  const K = a.shape[rank - 1]!;
  const N = b.shape[rank - 1]!;
  const batchShape = a.shape.slice(0, rank - 2);
  const out = allocate(a.dtype, sizeOf(batchShape) * M * N);
  if (M === 0 || N === 0) return out;
  const Packed = a.dtype === 'float32' ? Float32Array : Float64Array;
  const packedA = new Packed(Math.ceil(M / TILE) * TILE * K);
  const packedB = new Packed(Math.ceil(N / TILE) * TILE * K);
  const [aRow, aDepth] = [a.strides[rank - 2]!, a.strides[rank - 1]!];
  const [bDepth, bColumn] = [b.strides[rank - 2]!, b.strides[rank - 1]!];
  const batches = [
    { strides: a.strides.slice(0, rank - 2), offset: a.offset },
    { strides: b.strides.slice(0, rank - 2), offset: b.offset },
  ];
  let lastBBase = -1;
  forEachRun(batchShape, batches, (bases, length, outStart, steps) => {
    for (let j = 0; j < length; j++) {
      const aBase = bases[0]! + j * steps[0]!;
      const bBase = bases[1]! + j * steps[1]!;
      packPanels(a.storage, aBase, aRow, aDepth, M, K, packedA);
      // A B shared across the batch (stride 0, e.g. a weight) is packed once.
      if (bBase !== lastBBase) packPanels(b.storage, bBase, bColumn, bDepth, N, K, packedB);
      lastBBase = bBase;
      multiplyPanels(packedA, packedB, M, N, K, out, (outStart + j) * M * N);
    }
  });
  return out;
}
