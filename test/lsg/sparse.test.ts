// Each sparse selector on a small hand-checked input (docs/lsg-reference.md#sparse-tokens).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, type Tensor } from '../../engine/index.js';
import { MASK_VALUE } from '../../engine/index.js';
import { injectedProjections, SPARSE, selectSparseTokens, type SparseSource } from '../../lsg/sparse/index.js';
import { expectClose } from '../helpers/close.js';

const M = MASK_VALUE;
const flat = (x: Tensor) => Array.from(x.toTypedArray());
const EXACT = { atol: 1e-12, rtol: 0 };

/** keys (1, heads, T, D) from nested rows, one head unless given. */
function source(keys: number[][][], mask: number[], extra: Partial<SparseSource> = {}): SparseSource {
  const k = tensor([keys], { dtype: 'float64' });
  const m = tensor([[mask]], { dtype: 'float64' });
  return {
    queries: k, keys: k, values: k.mul(10), mask: m, poolingMask: m,
    blockSize: 4, sparsityFactor: 2, chunkSize: 4, poolingMasksNeverMask: false, lshNumPreRounds: 0,
    ...extra,
  };
}

const column = (values: number[]) => values.map((v) => [v]);

test('stride: token j·sf + (head mod sf)', () => {
  const keys = [0, 1, 2].map(() => column([0, 1, 2, 3, 4, 5, 6, 7]));
  const out = SPARSE.stride(source(keys, Array(8).fill(0)));
  assert.equal(flat(out.positions!), [0, 2, 4, 6, 1, 3, 5, 7, 0, 2, 4, 6]);
  assert.equal(flat(out.keys), [0, 2, 4, 6, 1, 3, 5, 7, 0, 2, 4, 6]);
});

test('block_stride: blockSize/sf consecutive tokens per block, shifted by head', () => {
  const keys = [0, 1, 2].map(() => column([0, 1, 2, 3, 4, 5, 6, 7]));
  const out = SPARSE.block_stride(source(keys, [0, 0, 0, M, 0, 0, 0, 0]));
  assert.equal(flat(out.positions!), [0, 1, 4, 5, 2, 3, 6, 7, 0, 1, 4, 5]);
  assert.equal(flat(out.mask), [0, 0, 0, 0, 0, M, 0, 0, 0, 0, 0, 0]);
});

test('norm: the largest kept norms per chunk, ascending; masked keys count as 0', () => {
  const keys = [column([3, -5, 1, 9, 2, 7, -8, 1])];
  const out = SPARSE.norm(source(keys, [0, 0, 0, M, 0, 0, 0, 0]));
  assert.equal(flat(out.positions!), [0, 1, 5, 6]);                                  // 9 is masked
  assert.equal(flat(out.keys), [3, -5, 7, -8]);
  assert.equal(flat(out.values), [30, -50, 70, -80]);
});

test('pooling: mean of the kept tokens; an empty group is masked unless quirks', () => {
  const keys = [column([1, 3, 5, 100, 100, 100, 2, 2])];
  const mask = [0, 0, 0, M, M, M, 0, M];
  const out = SPARSE.pooling(source(keys, mask));
  expectClose(out.keys, [2 / (2 + 1e-6) * 2, 5 / (1 + 1e-6), 0, 2 / (1 + 1e-6)], EXACT);
  assert.equal(flat(out.mask), [0, 0, M, 0]);
  assert.equal(flat(SPARSE.pooling(source(keys, mask, { poolingMasksNeverMask: true })).mask), [0, 0, 0, 0]);
});

test('bos_pooling: groups weighted by softmax(q0·k/sqrt(d) + mask)', () => {
  const keys = [column([0, 2, 1, 3])];
  const out = SPARSE.bos_pooling(source(keys, [0, 0, M, M]));                        // q0 = k0 = 0: uniform weights
  expectClose(out.keys, [1, 2], EXACT);                                               // group 2 all masked: uniform
  assert.equal(flat(out.mask), [0, M]);
  const q = tensor([[column([1, 0, 0, 0])]], { dtype: 'float64' });
  const weighted = SPARSE.bos_pooling({ ...source(keys, [0, 0, 0, 0]), queries: q });
  const w = Math.exp(2) / (1 + Math.exp(2));                                          // softmax([0, 2]) for group 1
  expectClose(weighted.keys.narrow(2, 0, 1), [2 * w], EXACT);
});

test('lsh: keys hashed by the sign of their projection, averaged per bucket; an empty bucket is masked', () => {
  const keys = [[[1, 0], [2, 0], [-1, 0], [5, 5]]];
  const projection = tensor([[[[[1], [0]]]]], { dtype: 'float64' });                // (1, 1, 1, 2, 1)
  const out = SPARSE.lsh(source(keys, [0, 0, 0, M], { chunkSize: 4, lsh: injectedProjections([projection]) }));
  // buckets: argmax([p, -p]) → keys 0, 1 (and the zeroed masked key) in bucket 0, key 2 in bucket 1
  expectClose(out.keys, [1.5 / (1 + 1e-8 / 2), 0, -1 / (1 + 1e-8), 0], { atol: 1e-9, rtol: 0 });
  assert.equal(flat(out.mask), [0, 0]);
  const same = SPARSE.lsh(source([[[1, 0], [2, 0], [3, 0], [4, 0]]], [0, 0, 0, 0], { chunkSize: 4, lsh: injectedProjections([projection]) }));
  assert.equal(flat(same.mask), [0, M]);
  assert.throws(() => SPARSE.lsh(source(keys, [0, 0, 0, 0], { chunkSize: 4 })), /lshProjections/);
});

test('sparsityFactor 1: every token is its own sparse token; none: no sparse part', () => {
  const s = source([column([4, 5, 6, 7])], [0, M, 0, 0], { sparsityFactor: 1 });
  const out = selectSparseTokens('pooling', s)!;
  assert.equal(flat(out.keys), [4, 5, 6, 7]);
  assert.equal(flat(out.positions!), [0, 1, 2, 3]);
  assert.is(selectSparseTokens('none', s), undefined);
});

test.run();
