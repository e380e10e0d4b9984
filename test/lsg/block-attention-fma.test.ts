// The fused block attention's builds with fused multiply-adds (f32x4.relaxed_madd, over its own
// memory and over a shared one): their committed bytes are the assembly of block-attention.wat with
// the multiply-adds of its tiles fused; where the engine has relaxed SIMD (Node 20 behind
// --experimental-wasm-relaxed-simd, in a child process here) they are the builds that load, unless
// LSGRAD_FMA=0, and their values and gradients are the float64 kernel's within float32 rounding,
// on one thread and split over two.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assemble, WASM_MODULES } from '../../scripts/build-wasm.js';
import { BLOCK_ATTENTION_FMA_WASM_BASE64 } from '../../backends/cpu/wasm/block-attention-fma-wasm.generated.js';
import { BLOCK_ATTENTION_SHARED_FMA_WASM_BASE64 } from '../../backends/cpu/wasm/block-attention-shared-fma-wasm.generated.js';
import { BLOCK_ATTENTION_WASM_BASE64 } from '../../backends/cpu/wasm/block-attention-wasm.generated.js';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { RELAXED_SIMD_FLAGS, runScript } from '../helpers/node-script.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

test('the committed fused builds are the assembly of block-attention.wat with its multiply-adds fused', async () => {
  assert.is(hex(Buffer.from(BLOCK_ATTENTION_FMA_WASM_BASE64, 'base64')), hex(await assemble(WASM_MODULES.blockAttentionFused)));
  assert.is(hex(Buffer.from(BLOCK_ATTENTION_SHARED_FMA_WASM_BASE64, 'base64')), hex(await assemble(WASM_MODULES.blockAttentionSharedFused)));
  assert.is.not(BLOCK_ATTENTION_FMA_WASM_BASE64, BLOCK_ATTENTION_WASM_BASE64);
});

// Prints which build loaded, how many calls were split, and the worst |float32 − float64| / (1e-5 + 1e-4·|float64|).
const SCRIPT = `
  const { createRng, randn, tensor, MASK_VALUE } = await import('./engine/index.js');
  const { blockTable } = await import('./lsg/blocks.js');
  const { blockAttentionForward, blockAttentionBackward } = await import('./backends/cpu/block-attention.js');
  const { wasmBlockAttentionFused, wasmBlockAttentionSplits } = await import('./backends/cpu/wasm/block-attention-wasm.js');
  const rng = createRng(3);
  const [batch, heads, blockSize, tokens, headDim, sparseLength] = [2, 2, 32, 512, 12, 96];
  let worst = 0;
  for (const isCausal of [false, true]) {
    const table = blockTable({ blockSize, tokenLength: tokens, numGlobal: 1, sparseLength, sparseStep: 2, slots: { left: [-1], right: [1] }, isCausal });
    const bankRows = 1 + sparseLength + tokens + 1;
    const plan = { ...table, blockSize, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
    const [q, keys, values, dout] = [tokens, bankRows, bankRows, tokens].map((rows) => randn([batch, heads, rows, headDim], { rng, dtype: 'float64' }));
    const mask = tensor(Array.from({ length: batch * bankRows }, (_, i) => (i % bankRows === bankRows - 1 ? MASK_VALUE : 0)), { shape: [batch, 1, bankRows], dtype: 'float64' }).expand([batch, heads, bankRows]);
    const single = [q, keys, values, mask, dout].map((x) => x.cast('float32'));
    const exact = blockAttentionForward(q, keys, values, mask, plan).out;
    const fast = blockAttentionForward(single[0], single[1], single[2], single[3], plan).out;
    const exactOut = tensor(exact, { shape: q.shape, dtype: 'float64' });
    const exactGrads = blockAttentionBackward(q, keys, values, mask, exactOut, dout, plan);
    const fastGrads = blockAttentionBackward(single[0], single[1], single[2], single[3], exactOut.cast('float32'), single[4], plan);
    for (const [got, want] of [[fast, exact], [fastGrads.dq, exactGrads.dq], [fastGrads.dkeys, exactGrads.dkeys], [fastGrads.dvalues, exactGrads.dvalues]]) {
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1e-5 + 1e-4 * Math.abs(want[i])));
    }
  }
  console.log(JSON.stringify({ fused: wasmBlockAttentionFused(), splits: wasmBlockAttentionSplits(), worst }));
`;

const run = (env: Record<string, string>): { fused: boolean | null; splits: number; worst: number } =>
  JSON.parse(runScript(SCRIPT, { env, nodeFlags: RELAXED_SIMD_FLAGS }).at(-1)!);

(wasmSwitchedOff() ? test.skip : test)('with relaxed SIMD the fused build loads and agrees with float64; LSGRAD_FMA=0 keeps the plain build', () => {
  const fused = run({});
  assert.is(fused.fused, true);
  assert.ok(fused.worst <= 1, `worst error / tolerance: ${fused.worst}`);
  assert.ok(fused.splits > 0, 'on two threads the calls split their pairs');
  const single = run({ LSGRAD_THREADS: '1' });
  assert.ok(single.worst <= 1 && single.splits === 0, JSON.stringify(single));
  const plain = run({ LSGRAD_FMA: '0' });
  assert.is(plain.fused, false);
  assert.ok(plain.worst <= 1, `worst error / tolerance: ${plain.worst}`);
});

test.run();
