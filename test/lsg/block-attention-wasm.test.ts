// The WebAssembly block-attention kernel: its committed bytes are the assembly of its .wat, and in
// float32 it gives the float64 TypeScript kernel's values and gradients (causal or not, masked
// rows, repeated bank rows, sizes on and off its register tiles) within float32 rounding; and the
// softmax weights its forward keeps give its backward the same bits as recomputing them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, randn, tensor, type BlockAttentionGradients, type BlockAttentionPlan, type Tensor, type TypedArray, type View } from '../../engine/index.js';
import { blockAttentionBackward, blockAttentionForward, blockAttentionOperands } from '../../backends/cpu/block-attention.js';
import { BLOCK_ATTENTION_WASM_BASE64 } from '../../backends/cpu/wasm/block-attention-wasm.generated.js';
import { BLOCK_ATTENTION_SHARED_WASM_BASE64 } from '../../backends/cpu/wasm/block-attention-shared-wasm.generated.js';
import { wasmBlockAttentionBackward, wasmBlockAttentionForward, wasmBlockAttentionReady } from '../../backends/cpu/wasm/block-attention-wasm.js';
import { wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { assemble, WASM_MODULES } from '../../scripts/build-wasm.js';
import { blockTable } from '../../lsg/blocks.js';
import { MASK_VALUE } from '../../engine/index.js';
import { expectClose, F32_TOL } from '../helpers/close.js';

test('the committed modules are the assembly of block-attention.wat, over its own memory and over a shared one (run npm run build:wasm after editing it)', async () => {
  const assembled = await assemble(WASM_MODULES.blockAttention);
  assert.equal(Buffer.from(BLOCK_ATTENTION_WASM_BASE64, 'base64').toString('hex'), Buffer.from(assembled).toString('hex'));
  const shared = await assemble(WASM_MODULES.blockAttentionShared);
  assert.equal(Buffer.from(BLOCK_ATTENTION_SHARED_WASM_BASE64, 'base64').toString('hex'), Buffer.from(shared).toString('hex'));
  assert.is.not(Buffer.from(shared).toString('hex'), Buffer.from(assembled).toString('hex'));
});

// Sizes on and off the kernel's tiles: blocks of 8 rows; of 3 and 5 (rows padded to 4 and 8
// queries a tile); of 40 and 33 (a chunk of 32 query rows, then a short one); head dimensions 12
// (a tile of 8 columns and a tail of 4), 4 (the tail alone) and 16; block widths that are not
// multiples of 4.
const CASES = [
  { blockSize: 8, headDim: 12, seed: 4 },
  { blockSize: 3, headDim: 4, seed: 5 },
  { blockSize: 5, headDim: 16, seed: 6 },
  { blockSize: 40, headDim: 12, seed: 7 },
  { blockSize: 33, headDim: 8, seed: 8 },
];

// Under LSGRAD_WASM=0 there is no kernel to compare: those tests are skipped.
const wasmTest = wasmSwitchedOff() ? test.skip : test;

for (const { blockSize, headDim, seed } of CASES) {
  for (const isCausal of [false, true]) {
    wasmTest(`wasm float32 equals the float64 kernel: blocks of ${blockSize}, head dimension ${headDim}${isCausal ? ', causal' : ''}`, () => {
      const rng = createRng(seed + (isCausal ? 100 : 0));
      const [batch, heads, tokens] = [2, 3, 6 * blockSize];
      const sparseLength = 3 * blockSize;
      const table = blockTable({ blockSize, tokenLength: tokens, numGlobal: 1, sparseLength, sparseStep: 2, slots: { left: [-2, -1], right: [1, 2] }, isCausal });
      const bankRows = 1 + sparseLength + tokens + 1;
      const plan = { ...table, blockSize, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
      const [q, keys, values, dout] = [[tokens], [bankRows], [bankRows], [tokens]].map(([rows]) => randn([batch, heads, rows!, headDim], { rng, dtype: 'float64' }));
      const maskValues = Array.from({ length: batch * bankRows }, (_, i) => (i % bankRows === bankRows - 1 || (i > bankRows && i % 7 === 0) ? MASK_VALUE : 0));
      const mask = tensor(maskValues, { shape: [batch, 1, bankRows], dtype: 'float64' }).expand([batch, heads, bankRows]);
      // The CPU backend's tensors are views of typed arrays: the kernels take them as they are.
      const asView = (x: Tensor) => x as unknown as View<TypedArray>;
      const single = [q!, keys!, values!, mask, dout!].map((x) => asView(x.cast('float32')));
      const [q64, keys64, values64, mask64, dout64] = [q!, keys!, values!, mask, dout!].map(asView) as [View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>];
      assert.ok(wasmBlockAttentionReady(blockAttentionOperands(single[0]!, single[1]!, single[2]!, single[3]!), 1), `the wasm kernel takes float32 with headDim ${headDim}`);
      const exact = blockAttentionForward(q64, keys64, values64, mask64, plan).out;
      const fast = blockAttentionForward(single[0]!, single[1]!, single[2]!, single[3]!, plan).out;
      assert.ok(fast instanceof Float32Array);
      expectClose(fast, exact, F32_TOL, 'output');
      const outExact = tensor(exact, { shape: q!.shape, dtype: 'float64' });
      const exactGrads = blockAttentionBackward(q64, keys64, values64, mask64, asView(outExact), dout64, plan);
      const fastGrads = blockAttentionBackward(single[0]!, single[1]!, single[2]!, single[3]!, asView(outExact.cast('float32')), single[4]!, plan);
      for (const name of ['dq', 'dkeys', 'dvalues'] as const) expectClose(fastGrads[name], exactGrads[name], F32_TOL, name);
      expectKeptWeightsReused(single as View<TypedArray>[], asView(outExact.cast('float32')), plan, fast, fastGrads);
    });
  }
}

wasmTest('wasm float32 equals the float64 kernel with a table per (batch, head) pair', () => {
  const rng = createRng(21);
  const [batch, heads, blockSize, headDim, numBlocks, width, bankRows] = [2, 3, 5, 8, 4, 11, 13];
  const tokens = numBlocks * blockSize;
  // A different random table for every pair (repeats, the pad row 12 and every other row among them).
  let state = 7;
  const rows = Int32Array.from({ length: batch * heads * numBlocks * width }, () => (state = (state * 1103515245 + 12345) % 2147483648) % bankRows);
  for (const isCausal of [false, true]) {
    const plan = { rows, numBlocks, blockSize, width, isCausal, scale: 1 / Math.sqrt(headDim), maskValue: MASK_VALUE };
    const [q, keys, values, dout] = [[tokens], [bankRows], [bankRows], [tokens]].map(([n]) => randn([batch, heads, n!, headDim], { rng, dtype: 'float64' }));
    const maskValues = Array.from({ length: batch * bankRows }, (_, i) => (i % bankRows === bankRows - 1 || i === bankRows + 3 ? MASK_VALUE : 0));
    const mask = tensor(maskValues, { shape: [batch, 1, bankRows], dtype: 'float64' }).expand([batch, heads, bankRows]);
    const asView = (x: Tensor) => x as unknown as View<TypedArray>;
    const single = [q!, keys!, values!, mask, dout!].map((x) => asView(x.cast('float32')));
    const [q64, keys64, values64, mask64, dout64] = [q!, keys!, values!, mask, dout!].map(asView) as [View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>, View<TypedArray>];
    const exact = blockAttentionForward(q64, keys64, values64, mask64, plan).out;
    const fast = blockAttentionForward(single[0]!, single[1]!, single[2]!, single[3]!, plan).out;
    assert.ok(fast instanceof Float32Array);
    expectClose(fast, exact, F32_TOL, 'output');
    // Each pair reads its own table: pair 1 with pair 0's table gives other values.
    const shared = blockAttentionForward(q64, keys64, values64, mask64, { ...plan, rows: rows.subarray(0, numBlocks * width) }).out;
    assert.not.equal(Array.from(shared.subarray(tokens * headDim, 2 * tokens * headDim)), Array.from(exact.subarray(tokens * headDim, 2 * tokens * headDim)));
    const outExact = tensor(exact, { shape: q!.shape, dtype: 'float64' });
    const exactGrads = blockAttentionBackward(q64, keys64, values64, mask64, asView(outExact), dout64, plan);
    const fastGrads = blockAttentionBackward(single[0]!, single[1]!, single[2]!, single[3]!, asView(outExact.cast('float32')), single[4]!, plan);
    for (const name of ['dq', 'dkeys', 'dvalues'] as const) expectClose(fastGrads[name], exactGrads[name], F32_TOL, `${name}${isCausal ? ', causal' : ''}`);
    expectKeptWeightsReused(single as View<TypedArray>[], asView(outExact.cast('float32')), plan, fast, fastGrads);
  }
});

wasmTest('a NaN score makes its query rows NaN in wasm as in the float64 loops, and leaves the other blocks alone', () => {
  const [batch, heads, blockSize, headDim, numBlocks, width, bankRows] = [1, 1, 4, 8, 3, 8, 12];
  const tokens = numBlocks * blockSize;
  // Block b reads bank rows 4b … 4b + 7 (wrapping): bank row 1 is read by blocks 0 and 2 only.
  const rows = Int32Array.from({ length: numBlocks * width }, (_, i) => (4 * Math.floor(i / width) + (i % width)) % bankRows);
  const plan = { rows, numBlocks, blockSize, width, isCausal: false, scale: 0.25, maskValue: MASK_VALUE };
  const rng = createRng(31);
  const keysValues = randn([batch, heads, bankRows, headDim], { rng, dtype: 'float64' }).toTypedArray() as Float64Array;
  keysValues[1 * headDim + 3] = NaN;
  const keys = tensor(keysValues, { shape: [batch, heads, bankRows, headDim], dtype: 'float64' });
  const [q, values] = [randn([batch, heads, tokens, headDim], { rng, dtype: 'float64' }), randn([batch, heads, bankRows, headDim], { rng, dtype: 'float64' })];
  const mask = tensor(new Array(bankRows).fill(0), { shape: [batch, 1, bankRows], dtype: 'float64' }).expand([batch, heads, bankRows]);
  const asView = (x: Tensor) => x as unknown as View<TypedArray>;
  for (const dtype of ['float64', 'float32'] as const) {
    const [qv, kv, vv, mv] = [q, keys, values, mask].map((x) => asView(x.cast(dtype)));
    const out = blockAttentionForward(qv!, kv!, vv!, mv!, plan).out;
    for (let token = 0; token < tokens; token++) {
      const readsNaN = Math.floor(token / blockSize) !== 1;
      const row = Array.from(out.subarray(token * headDim, (token + 1) * headDim));
      assert.ok(readsNaN ? row.every(Number.isNaN) : row.every(Number.isFinite), `${dtype}: token ${token} ${readsNaN ? 'should be NaN' : 'should be finite'}: ${row}`);
    }
  }
});

/**
 * The wasm forward asked to keep its softmax weights gives the same output bits, and the backward
 * given them (skipping its recomputed scores and softmax) the same gradient bits as without.
 * (Called on the kernel itself: blockAttentionForward asks it to keep them only from head dimension 64.)
 */
function expectKeptWeightsReused(
  [q, keys, values, mask, dout]: View<TypedArray>[], out: View<TypedArray>, plan: BlockAttentionPlan, fast: TypedArray, recomputed: BlockAttentionGradients<TypedArray>,
): void {
  const ops = blockAttentionOperands(q!, keys!, values!, mask!);
  const kept = wasmBlockAttentionForward(ops, plan, (floats) => new Float32Array(floats), true)!;
  assert.ok(kept.weights instanceof Float32Array, 'the wasm forward keeps its weights when asked');
  assert.ok(kept.out.every((value, i) => Object.is(value, fast[i])), 'the same output bits when keeping the weights');
  const data = (x: View<TypedArray>) => ({ data: x.storage as Float32Array, start: x.offset });
  const reused = wasmBlockAttentionBackward(ops, data(out), data(dout!), plan, (floats) => new Float32Array(floats), kept.weights)!;
  for (const name of ['dq', 'dkeys', 'dvalues'] as const) {
    assert.ok(reused[name].every((value, i) => Object.is(value, recomputed[name][i])), `${name}: the same bits from the kept weights as recomputed`);
  }
}

wasmTest('blockAttentionForward keeps the wasm kernel\'s weights from head dimension 64, and not below', () => {
  const rng = createRng(3);
  for (const [headDim, keeps] of [[32, false], [64, true]] as const) {
    const plan = { rows: new Int32Array(2 * 8).map((_, i) => i % 8), numBlocks: 2, blockSize: 4, width: 8, isCausal: false, scale: 0.1, maskValue: MASK_VALUE };
    const [q, keys, values] = [8, 8, 8].map((rows) => asView32(randn([1, 1, rows, headDim], { rng })));
    const mask = asView32(tensor(new Float32Array(8), { shape: [1, 1, 8] }));
    assert.is(blockAttentionForward(q!, keys!, values!, mask, plan, true).saved instanceof Float32Array, keeps, `head dimension ${headDim}`);
  }
});

const asView32 = (x: Tensor) => x as unknown as View<TypedArray>;

test.run();
