// The fused block attention (one op over the backend's blockAttention kernels) against the
// composition that gathers key blocks (what a backend without the kernels runs): values and float64
// gradients for every sparsity type, causal, padding, layer and model; float32 parity; a direct
// gradient check of the op, repeated and pad bank rows included; and its argument errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, getBackend, randn, registerBackend, tensor, withBackend, type Backend, type Tensor } from '../../engine/index.js';
import { blockSparseAttention } from '../../engine/ops/block-attention.js';
import { createLsgConfig, lsgAttention, lsgSelfAttention, SPARSITY_TYPES } from '../../lsg/index.js';
import { MASK_VALUE } from '../../engine/index.js';
import { expectClose, F32_TOL, F64_TOL } from '../helpers/close.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { graphOps } from '../helpers/graph.js';

const { blockAttention: _pair, ...unfused } = getBackend('cpu');
registerBackend({ ...unfused, name: 'cpu-unfused' } as Backend);

type Attend = (q: Tensor, k: Tensor, v: Tensor, keep: Tensor) => Tensor;
const TOKENS = 32;
const keepRows = [[...Array(TOKENS).fill(1)], [...Array(TOKENS - 7).fill(1), ...Array(7).fill(0)]];

/** Output, graph ops and q, k, v gradients of `attend` on `backend` (inputs (2, 2, 1 + TOKENS, 4)). */
function run(backend: string, dtype: 'float32' | 'float64', attend: Attend, seed: number) {
  return withBackend(backend, () => {
    const rng = createRng(seed);
    const shape = [2, 2, 1 + TOKENS, 4];
    const [q, k, v, upstream] = [0, 1, 2, 3].map(() => randn(shape, { rng, dtype }));
    const leaves = [q, k, v].map((x) => tensor(x!.toTypedArray(), { shape, dtype, requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const out = attend(...leaves, tensor(keepRows, { dtype }));
    const ops = graphOps(out);
    out.backward(upstream!.narrow(2, 0, out.shape[2]!));
    return { out, ops, grads: leaves.map((x) => x.grad!) };
  });
}

const layer = (sparsityType: (typeof SPARSITY_TYPES)[number], isCausal: boolean): Attend => (q, k, v, keep) =>
  lsgSelfAttention(q.narrow(2, 1, TOKENS), k.narrow(2, 1, TOKENS), v.narrow(2, 1, TOKENS), {
    blockSize: 4, sparsityFactor: 2, sparsityType, isCausal, attentionMask: keep, lsh: { rng: createRng(1) },
  });
const model = (sparsityType: (typeof SPARSITY_TYPES)[number]): Attend => {
  const config = createLsgConfig({ blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, sparsityType, numGlobalTokens: 1 });
  return (q, k, v, keep) => lsgAttention(q, k, v, keep, config, { lsh: { rng: createRng(1) } });
};

for (const sparsityType of SPARSITY_TYPES) {
  const cases: [string, Attend][] = [[`layer`, layer(sparsityType, false)], ['layer, causal', layer(sparsityType, true)], ['model', model(sparsityType)]];
  for (const [label, attend] of cases) {
    test(`${sparsityType}, ${label}, padded: fused equals the composition (float64 values and gradients; float32 values and gradients)`, () => {
      const fused = run('cpu', 'float64', attend, 5);
      const composed = run('cpu-unfused', 'float64', attend, 5);
      assert.ok(fused.ops.has('blockAttention'), `the fused graph has a blockAttention node (got ${[...fused.ops]})`);
      assert.not.ok(composed.ops.has('blockAttention'), 'the composed graph has none');
      expectClose(fused.out, composed.out, F64_TOL, `${sparsityType} ${label} output`);
      fused.grads.forEach((grad, i) => expectClose(grad, composed.grads[i]!, F64_TOL, `${sparsityType} ${label} d${'qkv'[i]}`));
      const single = run('cpu', 'float32', attend, 5);
      const singleComposed = run('cpu-unfused', 'float32', attend, 5);
      expectClose(single.out, singleComposed.out, F32_TOL, `${sparsityType} ${label} float32 output`);
      single.grads.forEach((grad, i) => expectClose(grad, singleComposed.grads[i]!, F32_TOL, `${sparsityType} ${label} float32 d${'qkv'[i]}`));
    });
  }
}

/** A plan over a bank of 7 rows for 3 blocks of 2 queries: repeats, the last (pad) row, every row. */
function smallPlan(isCausal: boolean) {
  const rows = Int32Array.from([6, 0, 1, 0, 1, 2, 3, 6, 2, 3, 4, 5, 5, 4, 3, 2]);
  return { rows: rows.subarray(0, 12), numBlocks: 3, blockSize: 2, width: 4, isCausal, scale: 0.7, maskValue: MASK_VALUE };
}

for (const isCausal of [false, true]) {
  test(`blockSparseAttention's gradient equals central differences${isCausal ? ' (causal)' : ''}`, () => {
    const rng = createRng(8);
    const [q, keys, values] = [[1, 2, 6, 3], [1, 2, 7, 3], [1, 2, 7, 3]].map((shape) => randn(shape, { rng, dtype: 'float64' }));
    // Row 6 is the pad row (MASK_VALUE), row 4 is masked in head 0's batch: both are read by some block.
    const mask = tensor([[[0, 0, 0, 0, MASK_VALUE, 0, MASK_VALUE]]], { dtype: 'float64' });
    gradcheck((a, b, c) => blockSparseAttention(a!, b!, c!, mask, smallPlan(isCausal)), [q!, keys!, values!], { op: 'blockSparseAttention' });
  });
}

test("blockSparseAttention's gradient equals central differences with a table per (batch, head) pair", () => {
  const rng = createRng(9);
  const [q, keys, values] = [[2, 2, 6, 3], [2, 2, 7, 3], [2, 2, 7, 3]].map((shape) => randn(shape, { rng, dtype: 'float64' }));
  const mask = tensor([[[0, 0, 0, 0, MASK_VALUE, 0, MASK_VALUE]], [[0, MASK_VALUE, 0, 0, 0, 0, MASK_VALUE]]], { dtype: 'float64' });
  const shared = smallPlan(false);
  // Pair p reads bank row (r + p) mod 7 where the shared table reads r.
  const rows = Int32Array.from({ length: 4 * shared.rows.length }, (_, i) => (shared.rows[i % shared.rows.length]! + Math.floor(i / shared.rows.length)) % 7);
  gradcheck((a, b, c) => blockSparseAttention(a!, b!, c!, mask, { ...shared, rows }), [q!, keys!, values!], { op: 'blockSparseAttention' });
});

test('blockSparseAttention names the argument that is wrong', () => {
  const x = randn([1, 1, 6, 3]);
  const bank = randn([1, 1, 7, 3]);
  const mask = randn([1, 1, 7]);
  const plan = smallPlan(false);
  assert.throws(() => blockSparseAttention(x, bank, bank, mask, { ...plan, rows: Int32Array.from(plan.rows, (r) => r + 2) }), /plan\.rows .*8.*\[0, 7\)/);
  assert.throws(() => blockSparseAttention(x.narrow(2, 0, 4), bank, bank, mask, plan), /q\.shape/);
  assert.throws(() => blockSparseAttention(x, bank, bank, randn([1, 1, 6]), plan), /mask\.shape/);
  assert.throws(() => blockSparseAttention(x, bank, randn([1, 1, 6, 3]), mask, plan), /keys\.shape and values\.shape/);
  assert.throws(() => withBackend('cpu-unfused', () => blockSparseAttention(x.toBackend('cpu-unfused'), bank, bank, mask, plan)), /blockAttention kernels/);
});

test.run();
