// Each documented difference between the default and referenceQuirks (docs/lsg.md), shown on the
// explicit key sets; and the default equals the reference wherever the reference is not affected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, manualSeed, randn, tensor, type Tensor } from '../../engine/index.js';
import {
  createLsgConfig, createLsgLayerConfig, lsgAttention, lsgConnectivity, lsgModelConnectivity, lsgSelfAttention,
  type LsgSelfAttentionOptions,
} from '../../lsg/index.js';
import { expectClose } from '../helpers/close.js';
import { compare, loadGolden, toTensor } from './helpers/golden.js';
import { runModelCase } from './helpers/model-case.js';

const rng = createRng(21);
const qkv = (shape: number[]) => [0, 1, 2].map(() => randn(shape, { rng, dtype: 'float64' })) as [Tensor, Tensor, Tensor];
const keepRows = (rows: number[][]) => tensor(rows, { dtype: 'float64' });
const maxOf = (x: Tensor) => Math.max(...x.toTypedArray());
/** counts[b, h, row, column] */
const count = (counts: Tensor, b: number, h: number, row: number, column: number) => {
  const [, heads, rows, columns] = counts.shape as [number, number, number, number];
  return counts.toTypedArray()[((b * heads + h) * rows + row) * columns + column]!;
};

test('1. pooled tokens of fully padded groups: attended by the reference, masked by default', () => {
  const [q, k, v] = qkv([1, 1, 40, 2]);
  const attentionMask = keepRows([[...Array(25).fill(1), ...Array(15).fill(0)]]);
  for (const sparsityType of ['pooling', 'bos_pooling'] as const) {
    const options: LsgSelfAttentionOptions = { blockSize: 8, sparsityFactor: 4, sparsityType, attentionMask };
    // Query 12 (block 1) sees pooled groups 6..9 on its right: 7..9 (tokens 28..39) are padding.
    const quirky = lsgConnectivity(q, k, v, { ...options, referenceQuirks: true });
    const fixed = lsgConnectivity(q, k, v, options);
    assert.is(count(quirky.counts, 0, 0, 12, 40 + 8), 1, sparsityType);
    assert.is(count(fixed.counts, 0, 0, 12, 40 + 8), 0, sparsityType);
    assert.is(count(fixed.counts, 0, 0, 12, 40 + 6), 1, `${sparsityType}: a group with a real token stays`);
  }
});

test('2. standalone sparsityFactor 2: no sparse keys in the reference, the normal layout by default', () => {
  const [q, k, v] = qkv([1, 1, 48, 2]);
  const options: LsgSelfAttentionOptions = { blockSize: 4, sparsityFactor: 2, sparsityType: 'stride' };
  const none = lsgConnectivity(q, k, v, { ...options, sparsityType: 'none' }).counts;
  expectClose(lsgConnectivity(q, k, v, { ...options, referenceQuirks: true }).counts, none, { atol: 0, rtol: 0 });
  const fixed = lsgConnectivity(q, k, v, options).counts;
  // Query 47 (block 11 of 4 tokens): local 40..47; its left sparse range 32..39 gives stride keys 32, 34, 36, 38.
  for (const p of [32, 34, 36, 38]) assert.is(count(fixed, 0, 0, 47, p), 1, `key ${p}`);
  for (const p of [30, 33, 39]) assert.is(count(fixed, 0, 0, 47, p), 0, `key ${p}`);
  const golden = loadGolden('sa_degenerate_sf2_norm_bs8_t72');
  const [gq, gk, gv] = ['Q', 'K', 'V'].map((n) => toTensor(golden.inputs[n]!, 'float32')) as [Tensor, Tensor, Tensor];
  const byDefault = lsgSelfAttention(gq, gk, gv, { blockSize: 8, sparsityFactor: 2, sparsityType: 'norm' });
  assert.not.ok(compare(byDefault, golden.outputs.output!, golden.tolerance).ok, 'the default adds the sparse keys');
});

test('3. model blockSize == sparsityFactor: duplicated keys in the reference, none by default', () => {
  const config = { blockSize: 4, sparseBlockSize: 4, sparsityFactor: 4, sparsityType: 'stride' as const, numGlobalTokens: 1 };
  const [q, k, v] = qkv([1, 2, 1 + 32, 2]);
  const keep = keepRows([Array(32).fill(1)]);
  assert.is(maxOf(lsgModelConnectivity(q, k, v, keep, createLsgConfig({ ...config, referenceQuirks: true })).counts), 2);
  assert.is(maxOf(lsgModelConnectivity(q, k, v, keep, createLsgConfig(config)).counts), 1);
});

test('4. standalone global key: the reference ignores token 0 padding, the default masks it', () => {
  const [q, k, v] = qkv([1, 1, 24, 2]);
  const attentionMask = keepRows([[0, 0, ...Array(22).fill(1)]]);
  const options: LsgSelfAttentionOptions = { blockSize: 4, attentionMask };
  assert.is(count(lsgConnectivity(q, k, v, { ...options, referenceQuirks: true }).counts, 0, 0, 20, 0), 1);
  assert.is(count(lsgConnectivity(q, k, v, options).counts, 0, 0, 20, 0), 0);
});

test('5. bos_pooling without global attention: query 0 is dense only in the reference', () => {
  const [q, k, v] = qkv([1, 1, 24, 2]);
  const options: LsgSelfAttentionOptions = { blockSize: 4, sparsityFactor: 2, sparsityType: 'bos_pooling', computeGlobalAttention: false };
  assert.is(count(lsgConnectivity(q, k, v, { ...options, referenceQuirks: true }).counts, 0, 0, 0, 23), 1);
  assert.is(count(lsgConnectivity(q, k, v, options).counts, 0, 0, 0, 23), 0);
});

test('6. standalone lsh: "no sparse part" in the reference, hashed chunks by default', () => {
  const [q, k, v] = qkv([1, 1, 32, 2]);
  const options: LsgSelfAttentionOptions = { blockSize: 4, sparsityFactor: 2, sparsityType: 'lsh', lsh: { rng: createRng(1) } };
  expectClose(lsgSelfAttention(q, k, v, { ...options, referenceQuirks: true }), lsgSelfAttention(q, k, v, { blockSize: 4 }), { atol: 0, rtol: 0 });
  assert.ok(lsgConnectivity(q, k, v, { ...options, lsh: { rng: createRng(1) } }).pooledKeys);
  // Without a generator the hyperplanes come from the global one, as torch.randn does in the reference.
  manualSeed(3);
  const fromGlobal = lsgSelfAttention(q, k, v, { ...options, lsh: undefined });
  manualSeed(3);
  expectClose(lsgSelfAttention(q, k, v, { ...options, lsh: undefined }), fromGlobal, { atol: 0, rtol: 0 });
});

test('7. model lsh with sparsityFactor == sparseBlockSize: bos_pooling in the reference, chunk means by default', () => {
  const base = { blockSize: 4, sparseBlockSize: 4, sparsityFactor: 4, numGlobalTokens: 1 };
  const [q, k, v] = qkv([1, 1, 1 + 24, 2]);
  const keep = keepRows([[...Array(21).fill(1), 0, 0, 0]]);
  const run = (options: object) => lsgAttention(q, k, v, keep, createLsgConfig({ ...base, ...options }), { lsh: { rng: createRng(2) } });
  expectClose(run({ sparsityType: 'lsh', referenceQuirks: true }), run({ sparsityType: 'bos_pooling', referenceQuirks: true }), { atol: 0, rtol: 0 });
  // Equal up to the divisors' epsilons (lsh adds 1e-8 to the counts, pooling 1e-6).
  expectClose(run({ sparsityType: 'lsh' }), run({ sparsityType: 'pooling' }), { atol: 1e-9, rtol: 1e-5 });
});

test('8–11. configs: half-causal model, unknown names, clamped and coerced values are errors; inputs are not modified', () => {
  assert.throws(() => createLsgConfig({ isCausal: true }), /half causal/);
  assert.ok(createLsgConfig({ isCausal: true, referenceQuirks: true }).isCausal);
  assert.throws(() => createLsgConfig({ sparsityType: 'sparse' as never }), /sparsityType "sparse" is invalid/);
  assert.throws(() => createLsgConfig({ numGlobalTokens: 0 }), /numGlobalTokens 0/);
  assert.throws(() => createLsgConfig({ numGlobalTokens: 513 }), /at most 512/);
  assert.throws(() => createLsgConfig({ maskFirstToken: true, poolWithGlobal: false }), /poolWithGlobal/);
  assert.throws(() => createLsgLayerConfig({ blockSize: 12, sparsityFactor: 8, sparsityType: 'norm' }), /a divisor of blockSize 12/);
  assert.throws(() => createLsgLayerConfig({ blockSize: 16, blocksize: 8 } as never), /config key "blocksize"/);
  const [q, k, v] = qkv([1, 1, 24, 2]);
  const attentionMask = keepRows([[0, ...Array(23).fill(1)]]);
  const before = Array.from(attentionMask.toTypedArray());
  lsgSelfAttention(q, k, v, { blockSize: 4, attentionMask, referenceQuirks: true });
  assert.equal(Array.from(attentionMask.toTypedArray()), before);
});

test('an odd step fails with referenceQuirks only where the reference has sparse tokens', () => {
  const [q, k, v] = qkv([1, 1, 1 + 96, 2]);
  const keep = keepRows([Array(96).fill(1)]);
  const config = { blockSize: 24, sparseBlockSize: 24, sparsityFactor: 8, referenceQuirks: true };
  assert.equal(lsgAttention(q, k, v, keep, createLsgConfig({ ...config, sparsityType: 'none' })).shape, [1, 1, 97, 2]);
  assert.throws(() => lsgAttention(q, k, v, keep, createLsgConfig({ ...config, sparsityType: 'stride' })), /odd step above 1/);
  assert.equal(lsgAttention(q, k, v, keep, createLsgConfig({ ...config, sparsityType: 'stride', referenceQuirks: false })).shape, [1, 1, 97, 2]);
});

test('rows with no unmasked key stay finite: a uniform average over the window (docs/lsg-reference.md#empty-rows)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const [q, k, v] = [0, 1, 2].map(() => randn([2, 1, 20, 2], { rng, dtype }));
    const attentionMask = tensor([Array(20).fill(1), Array(20).fill(0)], { dtype });
    for (const sparsityType of ['none', 'pooling', 'bos_pooling', 'norm'] as const) {
      for (const computeGlobalAttention of [true, false]) {
        const out = lsgSelfAttention(q!, k!, v!, { blockSize: 4, sparsityFactor: 2, sparsityType, computeGlobalAttention, attentionMask });
        assert.ok(out.toTypedArray().every(Number.isFinite), `${dtype} ${sparsityType} global ${computeGlobalAttention}`);
      }
    }
    const rows = (x: Tensor) => x.narrow(2, 0, 17);                                 // 1 global + 16 tokens
    const model = lsgAttention(rows(q!), rows(k!), rows(v!), attentionMask.narrow(1, 0, 16), createLsgConfig({ blockSize: 4, sparseBlockSize: 4, sparsityType: 'pooling' }));
    assert.ok(model.toTypedArray().every(Number.isFinite), `${dtype} model`);
  }
});

test('the default equals the reference wherever no quirk applies', () => {
  for (const name of ['sa_stride_bs16_sf4_t96_h4', 'sa_norm_causal_bs8_sf4_t72', 'sa_none_causal_bs8_t50_pad', 'sa_short_norm_bs16_t30']) {
    const golden = loadGolden(name);
    const c = golden.config as Record<string, any>;
    const [q, k, v] = ['Q', 'K', 'V'].map((n) => toTensor(golden.inputs[n]!, 'float32')) as [Tensor, Tensor, Tensor];
    const output = lsgSelfAttention(q, k, v, {
      attentionMask: toTensor(golden.inputs.attention_mask!, 'float32'),
      blockSize: c.block_size, sparsityFactor: c.sparsity_factor, sparsityType: c.sparsity_type ?? 'none',
      computeGlobalAttention: c.compute_global_attention, isCausal: c.is_causal,
    });
    const result = compare(output, golden.outputs.output!, golden.tolerance);
    assert.ok(result.ok, `${name}: ${result.worst}`);
  }
  for (const name of ['m_norm_bs8_sf2_g1_t64_pad', 'm_pooling_bs16_sf4_t100_pad', 'm_stride_bs8_sf4_g3_t72_h4', 'm_none_bs8_g2_t50_mft']) {
    const golden = loadGolden(name);
    const result = compare(runModelCase(golden, 'float32', { referenceQuirks: false, injectLsh: false }).output, golden.outputs.output!, golden.tolerance);
    assert.ok(result.ok, `${name}: ${result.worst}`);
  }
});

test.run();
