// Forward values of every public op on small hand-computed cases.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as E from '../../engine/index.js';
import { arange, createRng, tensor, type Tensor } from '../../engine/index.js';
import { expectClose, F32_TOL } from '../helpers/close.js';

/** Compares values (float32 tolerance) and shape; exact for int and bool outputs. */
function expectValues(t: Tensor, shape: readonly number[], values: readonly number[], label = 'values'): void {
  assert.equal([...t.shape], [...shape], `${label}: shape`);
  if (t.dtype === 'int32' || t.dtype === 'bool') assert.equal(Array.from(t.toTypedArray()), [...values], label);
  else expectClose(t, values, F32_TOL, label);
}

const m23 = () => tensor([[1, 2, 3], [4, 5, 6]]);
const ints = (values: number[], shape?: number[]) => tensor(values, { dtype: 'int32', ...(shape && { shape }) });

test('elementwise arithmetic with broadcasting and numbers', () => {
  expectValues(E.add(m23(), tensor([10, 20, 30])), [2, 3], [11, 22, 33, 14, 25, 36]);
  expectValues(E.add(tensor([[1], [2]]), tensor([10, 20, 30])), [2, 3], [11, 21, 31, 12, 22, 32]);
  expectValues(E.sub(m23(), tensor([[1], [2]])), [2, 3], [0, 1, 2, 2, 3, 4]);
  expectValues(E.sub(1, m23()), [2, 3], [0, -1, -2, -3, -4, -5]);
  expectValues(E.mul(m23(), 2), [2, 3], [2, 4, 6, 8, 10, 12]);
  expectValues(E.div(m23(), tensor([1, 2, 4])), [2, 3], [1, 1, 0.75, 4, 2.5, 1.5]);
  expectValues(E.div(1, tensor([2, 4])), [2], [0.5, 0.25]);
  expectValues(E.pow(tensor([2, 3, 4]), tensor([3, 2, 0.5])), [3], [8, 9, 2]);
  expectValues(E.pow(tensor([2, 3]), 2), [2], [4, 9]);
  expectValues(E.pow(2, tensor([0, 1, 10])), [3], [1, 2, 1024]);
  expectValues(E.maximum(tensor([1, 5, 3]), tensor([4, 2, 3])), [3], [4, 5, 3]);
  expectValues(E.minimum(tensor([1, 5, 3]), 2), [3], [1, 2, 2]);
  expectValues(E.clamp(tensor([-2, 0.5, 3]), 0, 1), [3], [0, 0.5, 1]);
  expectValues(E.clamp(tensor([-2, 0.5, 3]), undefined, 1), [3], [-2, 0.5, 1]);
  expectValues(E.add(tensor(1), tensor(2)), [], [3]);
});

test('elementwise unary', () => {
  const x = tensor([-2, -0.5, 0, 1, 3]);
  expectValues(E.neg(x), [5], [2, 0.5, -0, -1, -3]);
  expectValues(E.abs(x), [5], [2, 0.5, 0, 1, 3]);
  expectValues(E.sign(x), [5], [-1, -1, 0, 1, 1]);
  expectValues(E.relu(x), [5], [0, 0, 0, 1, 3]);
  expectValues(E.exp(tensor([0, 1, -1])), [3], [1, Math.E, 1 / Math.E]);
  expectValues(E.log(tensor([1, Math.E, 0.5])), [3], [0, 1, Math.log(0.5)]);
  expectValues(E.sqrt(tensor([4, 9, 2])), [3], [2, 3, Math.SQRT2]);
  expectValues(E.rsqrt(tensor([4, 0.25])), [2], [0.5, 2]);
  expectValues(E.reciprocal(tensor([4, -0.5])), [2], [0.25, -2]);
  expectValues(E.tanh(tensor([0, 1])), [2], [0, Math.tanh(1)]);
  expectValues(E.sigmoid(tensor([0, 2, -800])), [3], [0.5, 1 / (1 + Math.exp(-2)), 0]);
  // erf(0.5), erf(1), erf(2) from tables (Abramowitz & Stegun 7.1).
  expectValues(E.erf(tensor([0, 0.5, 1, 2, -1])), [5], [0, 0.5204998778, 0.8427007929, 0.9953222650, -0.8427007929]);
  // gelu(x) = x·Φ(x): Φ(1) = 0.8413447461, Φ(−1) = 0.1586552539.
  expectValues(E.gelu(tensor([-1, 0, 1, 2])), [4], [-0.1586552539, 0, 0.8413447461, 2 * 0.9772498681]);
  const tanhForm = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  expectValues(E.geluNew(tensor([-1, 0, 1, 2])), [4], [tanhForm(-1), 0, tanhForm(1), tanhForm(2)]);
  assert.ok(Math.abs(tanhForm(1) - 0.841192) < 1e-6); // the published gelu_new(1)
});

test('comparisons give bool; where and maskedFill broadcast', () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([3, 2, 1]);
  for (const [name, expected] of [['eq', [0, 1, 0]], ['ne', [1, 0, 1]], ['lt', [1, 0, 0]], ['le', [1, 1, 0]], ['gt', [0, 0, 1]], ['ge', [0, 1, 1]]] as const) {
    const out = (E[name] as (x: Tensor, y: Tensor) => Tensor)(a, b);
    assert.is(out.dtype, 'bool', name);
    expectValues(out, [3], expected, name);
  }
  expectValues(E.gt(m23(), tensor([[2], [5]])), [2, 3], [0, 0, 1, 0, 0, 1]);
  expectValues(E.where(tensor([true, false, true]), m23(), 0), [2, 3], [1, 0, 3, 4, 0, 6]);
  expectValues(E.where(tensor([[1], [0]], { dtype: 'bool' }), 7, tensor([1, 2, 3])), [2, 3], [7, 7, 7, 1, 2, 3]);
  expectValues(E.maskedFill(m23(), tensor([false, true, false]), -9), [2, 3], [1, -9, 3, 4, -9, 6]);
});

test('reductions over axes with keepDim', () => {
  const x = arange(12).reshape([2, 3, 2]); // [[[0,1],[2,3],[4,5]], [[6,7],[8,9],[10,11]]]
  expectValues(E.sum(x), [], [66]);
  expectValues(E.sum(x, 1), [2, 2], [6, 9, 24, 27]);
  expectValues(E.sum(x, [0, 2], true), [1, 3, 1], [14, 22, 30]);
  expectValues(E.sum(x, -1), [2, 3], [1, 5, 9, 13, 17, 21]);
  expectValues(E.mean(x, [0, 1]), [2], [5, 6]);
  expectValues(E.mean(x, undefined, true), [1, 1, 1], [5.5]);
  expectValues(E.max(tensor([[1, 7, 3], [9, 2, 4]]), 1), [2], [7, 9]);
  expectValues(E.max(tensor([[1, 7, 3], [9, 2, 4]])), [], [9]);
  expectValues(E.min(tensor([[1, 7, 3], [9, 2, 4]]), 0, true), [1, 3], [1, 2, 3]);
  expectValues(E.argmax(tensor([[1, 7, 3], [9, 2, 4]]), 1), [2], [1, 0]);
  expectValues(E.argmax(tensor([[1, 7, 3], [9, 2, 4]])), [], [3]);
  expectValues(E.argmax(tensor([[5, 5, 1]]), 1, true), [1, 1], [0]); // first index wins ties
  expectValues(E.argmin(tensor([[1, 7, 3], [9, 2, 4]]), 0), [3], [0, 1, 0]);
  // var([1,2,3,4]) = 5/3 unbiased, 5/4 biased.
  expectValues(E.variance(tensor([1, 2, 3, 4])), [], [5 / 3]);
  expectValues(E.variance(tensor([[1, 2, 3, 4]]), 1, { correction: 0, keepDim: true }), [1, 1], [1.25]);
  expectValues(tensor([[1, 3], [2, 6]]).var(0), [2], [0.5, 4.5]);
  expectValues(E.logSumExp(tensor([[0, 0], [1, 2]]), -1), [2], [Math.log(2), 2 + Math.log(1 + Math.exp(-1))]);
  expectValues(E.logSumExp(tensor([1000, 1000])), [], [1000 + Math.log(2)]); // no overflow
  expectValues(E.logSumExp(tensor([-Infinity, -Infinity])), [], [-Infinity]); // not NaN
  expectValues(E.sum(tensor([true, true, false])), [], [2]);
  assert.is(E.sum(tensor([true, false])).dtype, 'int32');
  expectValues(E.sum(E.zeros([2, 0]), 1), [2], [0, 0]); // empty sums are 0
});

test('sum over trailing axes: row-major views (with an offset) and strided views give the same float32 sums', () => {
  const x = E.randn([3, 5, 7], { rng: createRng(3) });
  /** Each row's sum in doubles, in order, then rounded to float32: what either kernel path stores. */
  const rowSums = (t: Tensor) => {
    const data = Array.from(t.contiguous().toTypedArray());
    const width = t.shape.at(-1)!;
    return Array.from({ length: data.length / width }, (_, row) => Math.fround(data.slice(row * width, (row + 1) * width).reduce((s, v) => s + v, 0)));
  };
  const narrowed = x.narrow(0, 1, 2);                     // row-major, offset 35
  assert.equal(Array.from(E.sum(narrowed, -1).toTypedArray()), rowSums(narrowed));
  const transposed = x.transpose(1, 2);                   // strided: the general loop
  assert.equal(Array.from(E.sum(transposed, -1).toTypedArray()), rowSums(transposed));
  assert.equal(Array.from(E.sum(narrowed, [1, 2]).toTypedArray()), rowSums(narrowed.reshape([2, 35])));
});

test('matmul: 2-D, batched, broadcast, shared weight, 1-D', () => {
  const a = m23();
  const b = tensor([[1, 0], [0, 1], [1, 1]]);
  expectValues(E.matmul(a, b), [2, 2], [4, 5, 10, 11]);
  const batchA = E.stack([a, a.mul(2)]); // [2, 2, 3]
  expectValues(E.matmul(batchA, b), [2, 2, 2], [4, 5, 10, 11, 8, 10, 20, 22]);
  expectValues(E.matmul(batchA, E.stack([b, b.mul(-1)])), [2, 2, 2], [4, 5, 10, 11, -8, -10, -20, -22]);
  expectValues(E.matmul(a.unsqueeze(0), E.stack([b, b])), [2, 2, 2], [4, 5, 10, 11, 4, 5, 10, 11]);
  expectValues(E.matmul(tensor([1, 2, 3]), b), [2], [4, 5]);
  expectValues(E.matmul(a, tensor([1, 0, -1])), [2], [-2, -2]);
  expectValues(E.matmul(tensor([1, 2, 3]), tensor([4, 5, 6])), [], [32]);
  expectValues(E.matmul(E.zeros([2, 0]), E.zeros([0, 3])), [2, 3], [0, 0, 0, 0, 0, 0]);
  // Regression (properties.test.ts, seed 498843715): a batched a with K = 0 against a shared 2-D weight.
  expectValues(E.matmul(E.zeros([1, 2, 0]), E.zeros([0, 3])), [1, 2, 3], [0, 0, 0, 0, 0, 0]);
  // Larger than one 4×4 tile and not a multiple of it: against a plain triple loop.
  const rng = createRng(3);
  const [M, K, N] = [9, 13, 6];
  const x = E.randn([M, K], { rng, dtype: 'float64' });
  const y = E.randn([K, N], { rng, dtype: 'float64' });
  const xv = x.toTypedArray();
  const yv = y.toTypedArray();
  const expected: number[] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += xv[i * K + k]! * yv[k * N + j]!;
    expected.push(s);
  }
  expectValues(E.matmul(x, y), [M, N], expected);
  expectValues(E.matmul(y.transpose(), x.transpose()), [N, M], Array.from(E.matmul(x, y).transpose().toTypedArray()));
});

test('softmax and logSoftmax are stable', () => {
  const e = Math.E;
  expectValues(E.softmax(tensor([[1, 2], [0, 0]])), [2, 2], [1 / (1 + e), e / (1 + e), 0.5, 0.5]);
  expectValues(E.softmax(tensor([[1, 0], [1, 0]]), 0), [2, 2], [0.5, 0.5, 0.5, 0.5]);
  expectValues(E.softmax(tensor([1000, 0])), [2], [1, 0]);
  expectValues(E.logSoftmax(tensor([1000, 0])), [2], [0, -1000]);
  expectValues(E.logSoftmax(tensor([0, 0, 0, 0])), [4], [-Math.log(4), -Math.log(4), -Math.log(4), -Math.log(4)]);
});

test('movement ops', () => {
  const x = arange(6).reshape([2, 3]);
  expectValues(E.reshape(x, [3, -1]), [3, 2], [0, 1, 2, 3, 4, 5]);
  expectValues(E.flatten(arange(8).reshape([2, 2, 2]), 1), [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
  expectValues(E.permute(x, [1, 0]), [3, 2], [0, 3, 1, 4, 2, 5]);
  expectValues(E.transpose(arange(8).reshape([2, 2, 2]), 0, 2), [2, 2, 2], [0, 4, 2, 6, 1, 5, 3, 7]);
  expectValues(E.slice(arange(10), 0, 1, 8, 3), [3], [1, 4, 7]);
  expectValues(E.slice(x, 1, -2), [2, 2], [1, 2, 4, 5]);
  expectValues(E.slice(arange(5), 0, 3, 1), [0], []);
  expectValues(E.narrow(x, 1, 1, 1), [2, 1], [1, 4]);
  expectValues(E.expand(tensor([[1], [2]]), [2, 2, 3]), [2, 2, 3], [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2]);
  expectValues(E.expand(tensor([[1], [2]]), [-1, 2]), [2, 2], [1, 1, 2, 2]);
  expectValues(E.flip(x, 1), [2, 3], [2, 1, 0, 5, 4, 3]);
  expectValues(E.flip(x, [0, 1]), [2, 3], [5, 4, 3, 2, 1, 0]);
  expectValues(E.squeeze(E.zeros([1, 2, 1])), [2], [0, 0]);
  expectValues(E.squeeze(E.zeros([1, 2, 1]), 1), [1, 2, 1], [0, 0]); // not size 1: unchanged
  expectValues(E.unsqueeze(tensor([1, 2]), 0), [1, 2], [1, 2]);
  expectValues(E.unsqueeze(tensor([1, 2]), -1), [2, 1], [1, 2]);
  expectValues(E.unfold(arange(5), 0, 2, 1), [4, 2], [0, 1, 1, 2, 2, 3, 3, 4]);
  expectValues(E.unfold(arange(6), 0, 3, 3), [2, 3], [0, 1, 2, 3, 4, 5]);
  expectValues(E.unfold(x, 1, 2, 1), [2, 2, 2], [0, 1, 1, 2, 3, 4, 4, 5]);
  expectValues(E.contiguous(E.permute(x, [1, 0])), [3, 2], [0, 3, 1, 4, 2, 5]);
  expectValues(E.pad(tensor([[1, 2]]), [[1, 0], [0, 2]], 9), [2, 4], [9, 9, 9, 9, 1, 2, 9, 9]);
  expectValues(E.cat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], 1), [2, 3], [1, 3, 4, 2, 5, 6]);
  expectValues(E.cat([tensor([1]), tensor([2, 3])]), [3], [1, 2, 3]);
  expectValues(E.stack([tensor([1, 2]), tensor([3, 4])]), [2, 2], [1, 2, 3, 4]);
  expectValues(E.stack([tensor([1, 2]), tensor([3, 4])], 1), [2, 2], [1, 3, 2, 4]);
  expectValues(E.stack([tensor([1, 2]), tensor([3, 4])], -1), [2, 2], [1, 3, 2, 4]);
});

test('casts', () => {
  expectValues(E.cast(tensor([1.7, -1.7, 0.2]), 'int32'), [3], [1, -1, 0]); // toward zero
  expectValues(E.cast(tensor([0, 2, -0.5]), 'bool'), [3], [0, 1, 1]); // non-zero is true
  expectValues(E.cast(tensor([true, false]), 'float32'), [2], [1, 0]);
  assert.is(tensor([1, 2]).double().dtype, 'float64');
  assert.is(tensor([1, 2]).int().dtype, 'int32');
  assert.is(tensor([1, 2], { dtype: 'int32' }).float().dtype, 'float32');
});

test('indexing: gather, indexSelect, scatterAdd, topk, embedding', () => {
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  expectValues(E.gather(x, 1, ints([2, 0, 0, 1], [2, 2])), [2, 2], [3, 1, 4, 5]);
  expectValues(E.gather(x, 0, ints([1, 0, 1], [1, 3])), [1, 3], [4, 2, 6]);
  expectValues(E.indexSelect(x, 1, ints([2, 2, 0])), [2, 3], [3, 3, 1, 6, 6, 4]);
  expectValues(E.indexSelect(x, 0, ints([1])), [1, 3], [4, 5, 6]);
  // Repeated positions accumulate.
  expectValues(E.scatterAdd(E.zeros([3]), 0, ints([0, 2, 0, 0]), tensor([1, 2, 3, 4])), [3], [8, 0, 2]);
  expectValues(E.scatterAdd(E.ones([2, 3]), 1, ints([2, 2, 0, 1], [2, 2]), tensor([[1, 2], [3, 4]])), [2, 3], [1, 1, 4, 4, 5, 1]);
  const t = E.topk(tensor([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]]), 2);
  expectValues(t.values, [2, 2], [5, 4, 9, 6]);
  expectValues(t.indices, [2, 2], [4, 2, 0, 2]);
  const smallest = E.topk(tensor([3, 1, 4, 1, 5]), 3, { largest: false });
  expectValues(smallest.values, [3], [1, 1, 3]);
  expectValues(smallest.indices, [3], [1, 3, 0]); // ties: lower index first
  const byColumn = E.topk(tensor([[1, 8], [7, 2], [4, 5]]), 1, { axis: 0 });
  expectValues(byColumn.values, [1, 2], [7, 8]);
  expectValues(byColumn.indices, [1, 2], [1, 0]);
  const weight = tensor([[0, 0.5], [1, 1.5], [2, 2.5]]);
  expectValues(E.embedding(weight, ints([2, 0, 2, 1], [2, 2])), [2, 2, 2], [2, 2.5, 0, 0.5, 2, 2.5, 1, 1.5]);
});

test('dropout: seeded mask, scaled survivors, identity in eval', () => {
  const x = E.ones([1000]);
  const a = E.dropout(x, 0.25, { rng: createRng(5) }).toTypedArray();
  const b = E.dropout(x, 0.25, { rng: createRng(5) }).toTypedArray();
  assert.equal(Array.from(a), Array.from(b));
  const kept = a.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6), 'survivors are scaled by 1/(1-p)');
  assert.ok(Math.abs(kept.length / 1000 - 0.75) < 0.05, `kept ${kept.length} of 1000`);
  assert.is(E.dropout(x, 0.5, { training: false }), x);
  assert.is(E.dropout(x, 0), x);
});

test('layerNorm over the last axis', () => {
  // [1, 2, 3]: mean 2, biased variance 2/3.
  const s = 1 / Math.sqrt(2 / 3 + 1e-5);
  expectValues(E.layerNorm(tensor([[1, 2, 3], [5, 5, 5]])), [2, 3], [-s, 0, s, 0, 0, 0]);
  expectValues(E.layerNorm(tensor([1, 2, 3]), tensor([1, 2, 3]), tensor([0, 1, 0])), [3], [-s, 1, 3 * s]);
});

test('crossEntropy: mean over kept targets, sum, none, label smoothing', () => {
  const logits = tensor([[0, 0], [1, 0], [0, 3]]);
  const nll = [Math.log(2), Math.log(1 + Math.E) - 1, Math.log(1 + Math.exp(3))];
  const targets = ints([0, 0, 0]);
  expectValues(E.crossEntropy(logits, targets), [], [(nll[0]! + nll[1]! + nll[2]!) / 3]);
  expectValues(E.crossEntropy(logits, ints([0, -100, 0])), [], [(nll[0]! + nll[2]!) / 2]);
  expectValues(E.crossEntropy(logits, ints([0, 5, 0]), { ignoreIndex: 5, reduction: 'sum' }), [], [nll[0]! + nll[2]!]);
  expectValues(E.crossEntropy(logits, ints([0, -100, 0]), { reduction: 'none' }), [3], [nll[0]!, 0, nll[2]!]);
  // Smoothing ε: (1−ε)·nll + ε·mean over classes of −log p.
  const logP = [-Math.log(1 + Math.E), 1 - Math.log(1 + Math.E)];
  const smoothed = 0.9 * -logP[0]! + 0.1 * -(logP[0]! + logP[1]!) / 2;
  expectValues(E.crossEntropy(tensor([[0, 1]]), ints([0]), { labelSmoothing: 0.1 }), [], [smoothed]);
  expectValues(E.crossEntropy(tensor([[[0, 0]], [[1, 0]]]), ints([0, 0], [2, 1]), { reduction: 'none' }), [2, 1], [nll[0]!, nll[1]!]);
});

test.run();
