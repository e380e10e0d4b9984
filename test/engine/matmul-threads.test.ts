// The matmul helper thread: many back-to-back hand-offs (where a lost wake-up would hang or drop
// half a result) give exactly the single-threaded values, with the JS kernel and the wasm kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, randn } from '../../engine/index.js';
import { cpuKernels } from '../../backends/cpu/index.js';
import { multiplyUnits } from '../../backends/cpu/matmul-tiles.js';
import { helperStats } from '../../backends/cpu/matmul-pool.js';
import { setWasmKernelEnabled } from '../../backends/cpu/wasm/kernel.js';
import { setSystemBlasEnabled } from '../../backends/cpu/blas.js';

// These tests are about lsgrad's own kernels: the system BLAS (blas.ts) would take float32 products.
setSystemBlasEnabled(false);

test('JS kernel: large products go through shared memory, and 3,000 consecutive hand-offs all match one thread', () => {
  setWasmKernelEnabled(false); // float32 would otherwise take the wasm kernel
  const rng = createRng(7);
  // 2 × 16 row panels of 4 × 64 × 128 multiply-adds: just at the hand-off threshold.
  const [batches, M, K, N] = [2, 64, 128, 64];
  const a = randn([batches, M, K], { rng });
  const b = randn([batches, K, N], { rng });
  const first = cpuKernels.matmul(a as never, b as never) as Float32Array;
  assert.ok(first.buffer instanceof SharedArrayBuffer, 'the product should use the helper thread on a 2-core machine');
  // The single-threaded reference: the same packed kernel over every unit on this thread.
  const expected = new Float32Array(first.length);
  const packed = (t: typeof a, rows: number, depth: number, transpose: boolean) => {
    const src = t.toTypedArray();
    const panels = new Float32Array(batches * Math.ceil(rows / 4) * 4 * depth);
    for (let batch = 0; batch < batches; batch++) {
      for (let row = 0; row < rows; row++) {
        for (let k = 0; k < depth; k++) {
          const value = transpose ? src[batch * depth * rows + k * rows + row]! : src[batch * rows * depth + row * depth + k]!;
          panels[batch * Math.ceil(rows / 4) * 4 * depth + Math.floor(row / 4) * depth * 4 + k * 4 + (row % 4)] = value;
        }
      }
    }
    return panels;
  };
  multiplyUnits(packed(a, M, K, false), packed(b, N, K, true), M, N, K, expected, N * K, 0, batches * (M / 4));
  for (let round = 0; round < 3000; round++) {
    const out = cpuKernels.matmul(a as never, b as never) as Float32Array;
    if (out.some((value, i) => value !== expected[i])) assert.unreachable(`round ${round} differs from the single-threaded product`);
  }
  setWasmKernelEnabled(true);
});

test('wasm kernel: 3,000 consecutive hand-offs give the same product, the helper computing its half each time', () => {
  // (matmul-wasm.test.ts checks that the split product equals the single-threaded one.)
  const rng = createRng(8);
  const a = randn([2, 64, 128], { rng });
  const b = randn([2, 128, 64], { rng });
  const before = helperStats();
  const expected = cpuKernels.matmul(a as never, b as never) as Float32Array;
  for (let round = 0; round < 3000; round++) {
    const out = cpuKernels.matmul(a as never, b as never) as Float32Array;
    if (out.some((value, i) => value !== expected[i])) assert.unreachable(`round ${round} differs from the first product`);
  }
  const after = helperStats();
  assert.equal({ completed: after.completed - before.completed, recomputed: after.recomputed - before.recomputed }, { completed: 3001, recomputed: 0 });
});

test.run();
