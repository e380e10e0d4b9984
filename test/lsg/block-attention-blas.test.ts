// The fused block attention on the system BLAS (backends/cpu/block-attention-blas.ts, blocks of
// 2,048 query rows × head dimension and more): in float32 it gives the float64 loops' values and gradients within float32
// rounding, causal or not, with masked and repeated bank rows and a table per (batch, head) pair;
// the weights its forward keeps give its backward the same bits as recomputing them; only its own
// kept weights are taken; a NaN score makes exactly its block's rows NaN; OpenBLAS on two threads
// leaves the blocks to the wasm kernel. Skipped where the nblas binding is not installed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, MASK_VALUE, randn, tensor, type BlockAttentionPlan, type Tensor, type TypedArray, type View } from '../../engine/index.js';
import { blockAttentionBackward, blockAttentionForward, blockAttentionOperands } from '../../backends/cpu/block-attention.js';
import { blockAttentionBlas } from '../../backends/cpu/block-attention-blas.js';
import { systemBlas } from '../../backends/cpu/blas.js';
import { blockTable } from '../../lsg/blocks.js';
import { expectClose, F32_TOL } from '../helpers/close.js';
import { runScript } from '../helpers/node-script.js';

// The path runs where OpenBLAS takes one thread (set before it loads, which is at its first use).
process.env.OPENBLAS_NUM_THREADS = '1';
const blasTest = systemBlas() ? test : test.skip;
const asView = (x: Tensor) => x as unknown as View<TypedArray>;

/** Random operands for a plan: float64 tensors, and their float32 views. */
function operands(plan: BlockAttentionPlan, batch: number, heads: number, bankRows: number, headDim: number, seed: number) {
  const rng = createRng(seed);
  const tokens = plan.numBlocks * plan.blockSize;
  const [q, keys, values, dout] = [tokens, bankRows, bankRows, tokens].map((rows) => randn([batch, heads, rows, headDim], { rng, dtype: 'float64' }));
  // The last bank row (padding) and every seventh of the second batch row masked.
  const maskValues = Array.from({ length: batch * bankRows }, (_, i) => (i % bankRows === bankRows - 1 || (i > bankRows && i % 7 === 0) ? MASK_VALUE : 0));
  const mask = tensor(maskValues, { shape: [batch, 1, bankRows], dtype: 'float64' }).expand([batch, heads, bankRows]);
  const exact = [q!, keys!, values!, mask, dout!].map(asView);
  const single = [q!, keys!, values!, mask, dout!].map((x) => asView(x.cast('float32')));
  return { exact, single, shape: q!.shape };
}

function expectMatchesLoops(plan: BlockAttentionPlan, batch: number, heads: number, bankRows: number, headDim: number, seed: number, label: string): void {
  const { exact, single, shape } = operands(plan, batch, heads, bankRows, headDim, seed);
  const [q64, keys64, values64, mask64, dout64] = exact as [View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>];
  const [q, keys, values, mask, dout] = single as [View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>];
  assert.ok(blockAttentionBlas(blockAttentionOperands(q, keys, values, mask), plan), `${label}: the BLAS path takes these operands`);
  const want = blockAttentionForward(q64, keys64, values64, mask64, plan).out;
  const kept = blockAttentionForward(q, keys, values, mask, plan, true);
  const plain = blockAttentionForward(q, keys, values, mask, plan);
  assert.ok(kept.saved instanceof Float32Array && plain.saved === null, `${label}: weights kept only when asked`);
  assert.ok(kept.out.every((value, i) => Object.is(value, plain.out[i])), `${label}: the same output bits whether or not the weights are kept`);
  expectClose(kept.out, want, F32_TOL, `${label}: output`);
  const outExact = tensor(want, { shape, dtype: 'float64' });
  const wantGrads = blockAttentionBackward(q64, keys64, values64, mask64, asView(outExact), dout64, plan);
  const out32 = asView(outExact.cast('float32'));
  const recomputed = blockAttentionBackward(q, keys, values, mask, out32, dout, plan);
  const reused = blockAttentionBackward(q, keys, values, mask, out32, dout, plan, kept.saved);
  // Weights of another layout (not this path's own) are not taken: the backward recomputes.
  const foreign = blockAttentionBackward(q, keys, values, mask, out32, dout, plan, new Float32Array(kept.saved!.length));
  for (const name of ['dq', 'dkeys', 'dvalues'] as const) {
    expectClose(recomputed[name], wantGrads[name], F32_TOL, `${label}: ${name}`);
    assert.ok(reused[name].every((value, i) => Object.is(value, recomputed[name][i])), `${label}: ${name} from the kept weights has the recomputed bits`);
    assert.ok(foreign[name].every((value, i) => Object.is(value, recomputed[name][i])), `${label}: ${name} ignores weights it did not keep`);
  }
}

for (const [blockSize, headDim] of [[64, 32], [96, 24], [128, 16], [32, 64]] as const) {
  for (const isCausal of [false, true]) {
    blasTest(`BLAS float32 equals the float64 loops: blocks of ${blockSize}, head dimension ${headDim}${isCausal ? ', causal' : ''}`, () => {
      const tokens = 4 * blockSize;
      const sparseLength = 2 * blockSize;
      // Sparse rows at a step of 2 (not consecutive: gathered one by one), the local window consecutive.
      const table = blockTable({ blockSize, tokenLength: tokens, numGlobal: 1, sparseLength, sparseStep: 2, slots: { left: [-1], right: [1] }, isCausal });
      const bankRows = 1 + sparseLength + tokens + 1;
      const plan = { ...table, blockSize, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
      expectMatchesLoops(plan, 2, 2, bankRows, headDim, blockSize + headDim + (isCausal ? 100 : 0), `${blockSize}/${headDim}${isCausal ? ' causal' : ''}`);
    });
  }
}

blasTest('BLAS float32 equals the float64 loops with a table per (batch, head) pair and repeated rows', () => {
  const [batch, heads, blockSize, headDim, numBlocks, width, bankRows] = [2, 2, 64, 32, 3, 80, 97];
  let state = 11;
  const rows = Int32Array.from({ length: batch * heads * numBlocks * width }, () => (state = (state * 1103515245 + 12345) % 2147483648) % bankRows);
  for (const isCausal of [false, true]) {
    const plan = { rows, numBlocks, blockSize, width, isCausal, scale: 0.3, maskValue: MASK_VALUE };
    expectMatchesLoops(plan, batch, heads, bankRows, headDim, 40 + (isCausal ? 1 : 0), `tables per pair${isCausal ? ', causal' : ''}`);
  }
});

blasTest('smaller blocks (query rows × head dimension under 2,048, npm start\'s 32 × 32) stay in the wasm kernel', () => {
  const plan = { rows: new Int32Array(3 * 40), numBlocks: 3, blockSize: 32, width: 40, isCausal: false, scale: 1, maskValue: MASK_VALUE };
  const { single } = operands(plan, 1, 1, 41, 32, 1);
  assert.is(blockAttentionBlas(blockAttentionOperands(single[0]!, single[1]!, single[2]!, single[3]!), plan), null);
});

blasTest('where OpenBLAS runs on two threads the wasm kernel (which splits pairs with the helper thread) takes the blocks', () => {
  const script = `const { blockAttentionBlas } = await import('./backends/cpu/block-attention-blas.js');
    const ops = { q: { data: new Float32Array(4), start: 0 }, headDim: 64 };
    console.log(blockAttentionBlas(ops, { blockSize: 128 }) === null);`;
  assert.equal(runScript(script, { env: { OPENBLAS_NUM_THREADS: '2' } }), ['true']);
  assert.equal(runScript(script, { env: { OPENBLAS_NUM_THREADS: '1' } }), ['false']);
});

blasTest('a NaN key makes exactly the rows of the blocks that read it NaN', () => {
  const [blockSize, headDim, numBlocks, width, bankRows] = [64, 32, 3, 128, 192];
  // Block b reads bank rows 64b … 64b + 127 (wrapping): row 10 is read by blocks 0 and 2 only.
  const rows = Int32Array.from({ length: numBlocks * width }, (_, i) => (64 * Math.floor(i / width) + (i % width)) % bankRows);
  const plan = { rows, numBlocks, blockSize, width, isCausal: false, scale: 0.25, maskValue: MASK_VALUE };
  const { single } = operands(plan, 1, 1, bankRows, headDim, 5);
  const [q, keys, values] = single as [View<TypedArray>, View<TypedArray>, View<TypedArray>];
  const poisoned = Float32Array.from(keys.storage as Float32Array);
  poisoned[keys.offset + 10 * headDim + 3] = NaN;
  const zeroMask = asView(tensor(new Float32Array(bankRows), { shape: [1, 1, bankRows] }));
  const out = blockAttentionForward(q, { ...keys, storage: poisoned }, values, zeroMask, plan).out;
  for (let token = 0; token < numBlocks * blockSize; token++) {
    const readsNaN = Math.floor(token / blockSize) !== 1;
    const row = Array.from(out.subarray(token * headDim, (token + 1) * headDim));
    assert.ok(readsNaN ? row.every(Number.isNaN) : row.every(Number.isFinite), `token ${token} ${readsNaN ? 'should be NaN' : 'should be finite'}`);
  }
});

test.run();
