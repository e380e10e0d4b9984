// The matmul inner kernel over packed panels. It is self-contained (no outside names, not even
// constants) because its source text also runs in the helper thread (see matmul-pool.ts).

/**
 * Computes work units [unitStart, unitEnd) of a batched product of packed panels. A unit is one
 * panel of 4 rows of one batch entry: unit u is batch ⌊u / rowPanels⌋, row panel u mod rowPanels.
 * packedA holds per batch ⌈M/4⌉ panels of K×4 values (k-major); packedB ⌈N/4⌉ panels of K×4.
 */
export function multiplyUnits(
  packedA: Float32Array | Float64Array, packedB: Float32Array | Float64Array,
  M: number, N: number, K: number, out: Float32Array | Float64Array | Int32Array,
  batchStrideB: number, unitStart: number, unitEnd: number,
): void {
  const TILE = 4;
  const COLUMN_PANELS_PER_BLOCK = 32; // 128 columns of B stay hot in cache while row panels pass
  const rowPanels = Math.ceil(M / TILE);
  const columnPanels = Math.ceil(N / TILE);
  let unit = unitStart;
  while (unit < unitEnd) {
    const batch = Math.floor(unit / rowPanels);
    const firstPanel = unit - batch * rowPanels;
    const lastPanel = Math.min(rowPanels, firstPanel + (unitEnd - unit));
    const aBatch = batch * rowPanels * K * TILE;
    const bBatch = batch * batchStrideB;
    const outBase = batch * M * N;
    for (let jBlock = 0; jBlock < columnPanels; jBlock += COLUMN_PANELS_PER_BLOCK) {
      const jEnd = Math.min(columnPanels, jBlock + COLUMN_PANELS_PER_BLOCK);
      for (let ip = firstPanel; ip < lastPanel; ip++) {
        const aBase = aBatch + ip * K * TILE;
        for (let jp = jBlock; jp < jEnd; jp++) {
          const bBase = bBatch + jp * K * TILE;
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
            // Edge tile: only rows and columns inside the matrix are written.
            const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
            for (let r = 0; r < Math.min(TILE, M - row0); r++) {
              for (let c = 0; c < Math.min(TILE, N - col0); c++) out[o + r * N + c] = tile[r * TILE + c]!;
            }
          }
        }
      }
    }
    unit += lastPanel - firstPanel;
  }
}
