// The matmul kernel's fused build (f32x4.relaxed_madd): its committed bytes are the assembly of
// matmul.wat with the multiply-adds fused; where the engine has relaxed SIMD (Node 20 behind
// --experimental-wasm-relaxed-simd, in a child process here) it is the kernel that loads, unless
// LSGRAD_FMA=0, and its products are within the float32 bound of the float64 ones on odd shapes,
// transposed and batched operands, long sums and the helper thread's split.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assemble, WASM_MODULES } from '../../scripts/build-wasm.js';
import { MATMUL_FMA_WASM_BASE64 } from '../../backends/cpu/wasm/matmul-fma-wasm.generated.js';
import { matmulWasmBytes } from '../../backends/cpu/wasm/kernel.js';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { RELAXED_SIMD_FLAGS, runScript } from '../helpers/node-script.js';

test('the committed fused module is the assembly of matmul.wat with its multiply-adds fused', async () => {
  const assembled = await assemble(WASM_MODULES.matmulFused);
  assert.is(Buffer.from(MATMUL_FMA_WASM_BASE64, 'base64').toString('hex'), Buffer.from(assembled).toString('hex'));
  assert.is.not(Buffer.from(assembled).toString('hex'), Buffer.from(matmulWasmBytes()).toString('hex'));
});

// Prints whether the fused build loaded, then the worst |error| / bound over every product.
const SCRIPT = `
  const { createRng, matmul, noGrad, randn } = await import('./engine/index.js');
  const { wasmKernel } = await import('./backends/cpu/wasm/kernel.js');
  const rng = createRng(41);
  const cases = [
    [randn([7, 5], { rng }), randn([5, 13], { rng })],
    [randn([33, 19], { rng }), randn([19, 9], { rng })],
    [randn([300, 13], { rng }).transpose(), randn([300, 21], { rng })],
    [randn([3, 9, 700], { rng }), randn([700, 10], { rng })],
    [randn([2, 64, 1000], { rng }), randn([2, 1000, 64], { rng })],
  ];
  let worst = 0;
  for (const [a, b] of cases) {
    const got = noGrad(() => matmul(a, b)).toTypedArray();
    const [A, B] = [a.cast('float64'), b.cast('float64')];
    const exact = noGrad(() => matmul(A, B)).toTypedArray();
    const magnitude = noGrad(() => matmul(A.abs(), B.abs())).toTypedArray();
    const K = a.shape.at(-1);
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - exact[i]) / ((K + 1) * 2 ** -24 * magnitude[i] + 1e-30));
  }
  console.log(JSON.stringify({ fused: wasmKernel()?.fused ?? null, worst }));
`;

// LSGRAD_BLAS=0: the products must reach the wasm kernel, not the system BLAS (blas.ts).
const run = (env: Record<string, string>): { fused: boolean | null; worst: number } =>
  JSON.parse(runScript(SCRIPT, { env: { LSGRAD_BLAS: '0', ...env }, nodeFlags: RELAXED_SIMD_FLAGS }).at(-1)!);

(wasmSwitchedOff() ? test.skip : test)('with relaxed SIMD the fused build loads and stays within the float32 bound; LSGRAD_FMA=0 keeps the plain build', () => {
  const fused = run({});
  assert.is(fused.fused, true);
  assert.ok(fused.worst <= 1, `worst error / bound: ${fused.worst}`);
  const plain = run({ LSGRAD_FMA: '0' });
  assert.is(plain.fused, false);
  assert.ok(plain.worst <= 1, `worst error / bound: ${plain.worst}`);
});

test.run();
