// The WebAssembly SIMD matmul kernel (backends/cpu/wasm): its committed bytes match matmul.wat, and
// on float32 it agrees with the JS kernel (and a float64 triple loop) within float32 rounding, on
// odd shapes, batches, broadcast weights, transposed views and empty products.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createRng, matmul, noGrad, randn, zeros, type Tensor } from '../../engine/index.js';
import { assembleMatmul } from '../../scripts/build-wasm.js';
import { matmulWasmBytes, setWasmKernelEnabled, wasmKernel } from '../../backends/cpu/wasm/kernel.js';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { setSystemBlasEnabled } from '../../backends/cpu/blas.js';

// These tests are about lsgrad's own kernels: the system BLAS (blas.ts) would take float32 products.
setSystemBlasEnabled(false);

/** Float32 unit roundoff: a sum of K products in float32 is within K·u·Σ|a||b| of the exact one. */
const FLOAT32_ROUNDOFF = 2 ** -24;

function withKernel(wasm: boolean, a: Tensor, b: Tensor): Float32Array {
  setWasmKernelEnabled(wasm);
  try {
    return noGrad(() => matmul(a, b)).toTypedArray() as Float32Array;
  } finally {
    setWasmKernelEnabled(true);
  }
}

/** The float64 product and Σ|a||b| per output element, by a triple loop over contiguous copies. */
function reference(a: Tensor, b: Tensor): { product: Float64Array; magnitude: Float64Array; K: number } {
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape.at(-1)!;
  const batches = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const av = a.contiguous().toTypedArray();
  const bShared = b.shape.length === 2; // a 2-D weight broadcast over a's batch
  const bv = b.contiguous().toTypedArray();
  const product = new Float64Array(batches * M * N);
  const magnitude = new Float64Array(batches * M * N);
  for (let batch = 0; batch < batches; batch++) {
    const bBase = bShared ? 0 : batch * K * N;
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let sum = 0, abs = 0;
      for (let k = 0; k < K; k++) {
        const term = av[batch * M * K + i * K + k]! * bv[bBase + k * N + j]!;
        sum += term;
        abs += Math.abs(term);
      }
      product[batch * M * N + i * N + j] = sum;
      magnitude[batch * M * N + i * N + j] = abs;
    }
  }
  return { product, magnitude, K };
}

function expectKernelsAgree(a: Tensor, b: Tensor, label: string): void {
  const wasm = withKernel(true, a, b);
  const js = withKernel(false, a, b);
  const { product, magnitude, K } = reference(a, b);
  assert.is(wasm.length, product.length, `${label}: output length`);
  for (let i = 0; i < product.length; i++) {
    // Both kernels are within the float32 bound of the exact sum (the +1e-30 covers an all-zero row).
    const bound = (K + 1) * FLOAT32_ROUNDOFF * magnitude[i]! + 1e-30;
    if (!(Math.abs(wasm[i]! - product[i]!) <= bound) || !(Math.abs(js[i]! - product[i]!) <= bound)) {
      assert.unreachable(`${label}: element ${i}: wasm ${wasm[i]}, js ${js[i]}, float64 ${product[i]} (bound ${bound})`);
    }
  }
}

test('the committed module is the assembly of matmul.wat (run npm run build:wasm after editing it)', async () => {
  const assembled = await assembleMatmul();
  assert.equal(Array.from(matmulWasmBytes()), Array.from(assembled));
});

// Under LSGRAD_WASM=0 the kernel is switched off on purpose, so there is nothing to load.
(wasmSwitchedOff() ? test.skip : test)('the wasm kernel loads in Node (SIMD and shared memory are there)', () => {
  assert.ok(wasmKernel(), 'WebAssembly.validate should accept the module on Node 20');
});

test('wasm equals the JS kernel on odd shapes, edge tiles included', () => {
  const rng = createRng(11);
  const sizes = [1, 3, 4, 5, 7, 8, 9, 33, 65];
  for (const M of sizes) for (const N of sizes) for (const K of [1, 5, 8, 33]) {
    expectKernelsAgree(randn([M, K], { rng }), randn([K, N], { rng }), `[${M},${K}]@[${K},${N}]`);
  }
});

test('batched, broadcast weight (batch stride 0), and transposed (strided) inputs', () => {
  const rng = createRng(12);
  expectKernelsAgree(randn([3, 9, 13], { rng }), randn([3, 13, 11], { rng }), 'batched');
  expectKernelsAgree(randn([5, 7, 6], { rng }), randn([6, 10], { rng }), 'broadcast 2-D weight');
  expectKernelsAgree(randn([2, 3, 5, 9], { rng }), randn([9, 17], { rng }), 'rank 4 with a broadcast weight');
  expectKernelsAgree(randn([13, 9], { rng }).transpose(), randn([10, 13], { rng }).transpose(), 'both transposed');
  // Operands whose matrices are stored without gaps are read in place instead of packed.
  expectKernelsAgree(randn([3, 8, 13], { rng }), randn([3, 13, 16], { rng }), 'batched, read in place');
  expectKernelsAgree(randn([5, 12, 6], { rng }), randn([6, 24], { rng }), 'broadcast weight, read in place');
  expectKernelsAgree(randn([2, 3, 4, 9], { rng }), randn([2, 1, 9, 8], { rng }).expand([2, 3, 9, 8]), 'weight broadcast over one batch axis');
  expectKernelsAgree(randn([4, 16, 12], { rng }).narrow(0, 1, 2), randn([4, 12, 8], { rng }).narrow(0, 2, 2), 'in place from an offset');
  expectKernelsAgree(randn([16, 12], { rng }).transpose(), randn([16, 8], { rng }), 'transposed a with M = 12 (read in place, transposed)');
  expectKernelsAgree(randn([8, 20], { rng }).narrow(1, 2, 16), randn([16, 24], { rng }).narrow(1, 8, 8), 'row slices (packed)');
  expectKernelsAgree(randn([4, 33, 7], { rng }).transpose(1, 2), randn([4, 33, 65], { rng }), 'batched transposed a');
  // The attention shapes of the main workload, shrunk in batch.
  expectKernelsAgree(randn([6, 32, 32], { rng }), randn([6, 32, 160], { rng }), 'attention scores');
  expectKernelsAgree(randn([6, 32, 160], { rng }), randn([6, 32, 160], { rng }).transpose(1, 2), 'attention values');
});

test('K = 0 gives zeros and empty shapes give empty outputs', () => {
  assert.equal(Array.from(withKernel(true, zeros([2, 3, 0]), zeros([0, 5]))), new Array(30).fill(0));
  assert.is(withKernel(true, zeros([0, 4]), zeros([4, 5])).length, 0);
  assert.is(withKernel(true, zeros([3, 4]), zeros([4, 0])).length, 0);
  assert.is(withKernel(true, zeros([0, 3, 4]), zeros([0, 4, 5])).length, 0);
});

test('a product after a larger one ignores what the larger one left in the wasm memory', () => {
  const rng = createRng(13);
  expectKernelsAgree(randn([70, 90], { rng }), randn([90, 70], { rng }), 'large');
  expectKernelsAgree(randn([5, 3], { rng }), randn([3, 6], { rng }), 'small after large');
});

test('products split with the helper thread equal one thread (LSGRAD_THREADS=1) bit for bit', () => {
  // Large enough for the hand-off: the workload's [8192, 64] @ [64, 64] and a gradient form.
  const script = `
    import { createRng, randn, matmul } from './engine/index.js';
    import { helperStats } from './backends/cpu/matmul-pool.js';
    const rng = createRng(21);
    const outputs = [[[8192, 64], [64, 64]], [[64, 2048], [2048, 64]]].map(([sa, sb]) => matmul(randn(sa, { rng }), randn(sb, { rng })).toTypedArray());
    const bytes = outputs.map((o) => Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('base64'));
    process.stdout.write(JSON.stringify({ bytes, helper: helperStats() }));`;
  const run = (threads: string | undefined) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname, env: { ...process.env, LSGRAD_BLAS: '0', LSGRAD_THREADS: threads }, encoding: 'utf8', maxBuffer: 1 << 26,
    });
    assert.is(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as { bytes: string[]; helper: { completed: number; recomputed: number } };
  };
  const [helped, alone] = [run(undefined), run('1')];
  assert.equal(helped.helper, { completed: 2, recomputed: 0 }, 'the helper thread should run its half of both products');
  assert.equal(alone.helper, { completed: 0, recomputed: 0 });
  assert.ok(helped.bytes[0] === alone.bytes[0] && helped.bytes[1] === alone.bytes[1], 'the split product should equal the single-threaded one');
});

test.run();
