// The wasm matmul kernel's summation order, bit for bit: each output element is the float32 sum
// over k = 0, 1, …, K−1 of the float32 products, starting from +0, one rounding per multiply and
// per add (no FMA). Any change to how operands are laid out in the kernel's memory (packed panels,
// rows or columns read in place, edge tiles) must keep exactly this result.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, matmul, noGrad, randn, type Tensor } from '../../engine/index.js';
import { wasmKernel } from '../../backends/cpu/wasm/kernel.js';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { setSystemBlasEnabled } from '../../backends/cpu/blas.js';

// These tests are about lsgrad's own kernels: the system BLAS (blas.ts) would take float32 products.
setSystemBlasEnabled(false);

/** The kernel's order, in float32 via Math.fround, over contiguous copies of the operands. */
function float32InKOrder(a: Tensor, b: Tensor): Float32Array {
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape.at(-1)!;
  const batches = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const av = a.contiguous().toTypedArray();
  const bShared = b.shape.length === 2;
  const bv = b.contiguous().toTypedArray();
  const out = new Float32Array(batches * M * N);
  for (let batch = 0; batch < batches; batch++) {
    const bBase = bShared ? 0 : batch * K * N;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum = Math.fround(sum + Math.fround(av[batch * M * K + i * K + k]! * bv[bBase + k * N + j]!));
      out[batch * M * N + i * N + j] = sum;
    }
  }
  return out;
}

function expectSameBits(a: Tensor, b: Tensor, label: string): void {
  const got = noGrad(() => matmul(a, b)).toTypedArray() as Float32Array;
  const want = float32InKOrder(a, b);
  assert.is(got.length, want.length, `${label}: output length`);
  const gotBits = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const wantBits = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < want.length; i++) {
    if (gotBits[i] !== wantBits[i]) assert.unreachable(`${label}: element ${i}: wasm ${got[i]}, float32 in k order ${want[i]}`);
  }
}

// Under LSGRAD_WASM=0 there is no wasm kernel to check (the JS kernel sums in float64), and the
// fused build (where the engine has relaxed SIMD) rounds once per step: skipped then
// (test/engine/matmul-fma.test.ts checks that build).
const wasmTest = wasmSwitchedOff() || wasmKernel()?.fused ? test.skip : test;

wasmTest('the wasm kernel is there (these checks would otherwise test the JS kernel)', () => {
  assert.ok(wasmKernel());
});

wasmTest('odd shapes: every edge tile, rows and columns past the edge', () => {
  const rng = createRng(31);
  const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17];
  for (const M of sizes) for (const N of sizes) for (const K of [1, 3, 8, 19]) {
    expectSameBits(randn([M, K], { rng }), randn([K, N], { rng }), `[${M},${K}]@[${K},${N}]`);
  }
});

wasmTest('strided and transposed operands', () => {
  const rng = createRng(32);
  for (const [M, K, N] of [[6, 5, 9], [13, 7, 11], [4, 9, 8], [33, 17, 21]] as const) {
    const a = randn([M, K], { rng }), b = randn([K, N], { rng });
    const aT = randn([K, M], { rng }).transpose(), bT = randn([N, K], { rng }).transpose();
    expectSameBits(aT, b, `Aᵀ [${M},${K}]@[${K},${N}]`);
    expectSameBits(a, bT, `Bᵀ [${M},${K}]@[${K},${N}]`);
    expectSameBits(aT, bT, `AᵀBᵀ [${M},${K}]@[${K},${N}]`);
    expectSameBits(randn([M + 3, K + 2], { rng }).narrow(0, 1, M).narrow(1, 2, K), randn([K, N + 5], { rng }).narrow(1, 3, N), `slices [${M},${K}]@[${K},${N}]`);
  }
});

wasmTest('batched: per-entry, broadcast weight, transposed entries, batch axes permuted', () => {
  const rng = createRng(33);
  expectSameBits(randn([3, 9, 13], { rng }), randn([3, 13, 11], { rng }), 'batched');
  expectSameBits(randn([5, 7, 6], { rng }), randn([6, 10], { rng }), 'broadcast weight');
  expectSameBits(randn([2, 3, 5, 9], { rng }), randn([9, 17], { rng }), 'rank 4, broadcast weight');
  expectSameBits(randn([4, 19, 7], { rng }).transpose(1, 2), randn([4, 19, 10], { rng }), 'batched transposed a');
  expectSameBits(randn([4, 6, 11], { rng }), randn([4, 9, 11], { rng }).transpose(1, 2), 'batched transposed b');
  // Heads split off a [batch, T, heads, d] tensor: each matrix is strided, the batch axes too.
  const q = randn([2, 10, 3, 5], { rng }).transpose(1, 2);
  const k = randn([2, 10, 3, 5], { rng }).transpose(1, 2).transpose(-2, -1);
  expectSameBits(q, k, 'heads: q @ kᵀ');
  expectSameBits(randn([3, 2, 7, 6], { rng }).transpose(0, 1), randn([2, 3, 6, 9], { rng }), 'batch axes permuted, matrices dense');
  expectSameBits(randn([2, 1, 9, 5], { rng }).expand([2, 3, 9, 5]), randn([2, 3, 5, 7], { rng }), 'a broadcast over one batch axis');
});

wasmTest('the training step shapes, shrunk: rows not a multiple of 4, linear layers and their gradients', () => {
  const rng = createRng(34);
  const x = randn([130, 16], { rng }), w = randn([16, 24], { rng }), dy = randn([130, 24], { rng });
  expectSameBits(x, w, 'x @ w');
  expectSameBits(dy, w.transpose(), 'dy @ wᵀ');
  expectSameBits(x.transpose(), dy, 'xᵀ @ dy');
});

wasmTest('long sums, taken in chunks of k: each chunk continues the sums the previous one stored', () => {
  const rng = createRng(35);
  // K past one chunk (and not a multiple of it), edge tiles on both sides, every layout of A.
  for (const [M, K, N] of [[6, 300, 9], [13, 1000, 21], [8, 513, 16]] as const) {
    expectSameBits(randn([M, K], { rng }), randn([K, N], { rng }), `[${M},${K}]@[${K},${N}]`);
    expectSameBits(randn([K, M], { rng }).transpose(), randn([K, N], { rng }), `Aᵀ [${M},${K}]@[${K},${N}]`);
    expectSameBits(randn([M, K + 4], { rng }).narrow(1, 2, K), randn([N, K], { rng }).transpose(), `packed [${M},${K}]@[${K},${N}]`);
  }
  expectSameBits(randn([3, 700, 5], { rng }).transpose(1, 2), randn([3, 700, 12], { rng }), 'batched weight gradients');
});

test.run();
