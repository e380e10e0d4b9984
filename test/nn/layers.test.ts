import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, createRng, randn, zeros } from '../../engine/index.js';
import { Linear, LayerNorm, Embedding, Dropout, ACTIVATIONS } from '../../nn/index.js';
import { gradcheckParameters } from '../helpers/gradcheck.js';

const F64 = { dtype: 'float64' as const };

test('Linear stores [out, in] and computes x Wᵀ + b', () => {
  const layer = new Linear(3, 2);
  assert.equal(layer.weight.shape, [2, 3]);
  const { weight, bias } = layer;
  const x = tensor([[1, 0, 2]]);
  const w = weight.toArray() as number[][];
  const b = bias!.toArray() as number[];
  const expected = [0, 1].map((o) => w[o]![0]! + 2 * w[o]![2]! + b[o]!);
  const actual = layer.forward(x).toArray() as number[][];
  expected.forEach((value, o) => assert.ok(Math.abs(actual[0]![o]! - value) < 1e-6));
  assert.throws(() => layer.forward(tensor([[1, 2]])), /Linear.forward: x.shape \[1,2\] is invalid; expected a last dimension of 3/);
  assert.throws(() => new Linear(0, 2), /Linear: inFeatures 0 is invalid/);
});

test('Linear and LayerNorm gradients (float64 central differences)', () => {
  const rng = createRng(3);
  const x = randn([2, 3, 4], { rng, ...F64 });
  const linear = new Linear(4, 3, { rng, ...F64 });
  gradcheckParameters(() => linear.forward(x).tanh().sum(), linear.parameters(), { op: 'Linear' });
  const norm = new LayerNorm(4, { eps: 1e-12, ...F64 });
  const target = randn([2, 3, 4], { rng, ...F64 });
  gradcheckParameters(() => norm.forward(x).mul(target).sum(), norm.parameters(), { op: 'LayerNorm' });
});

test('LayerNorm normalises with biased variance and the given eps', () => {
  const out = new LayerNorm(4, { eps: 1e-12 }).forward(tensor([[1, 2, 3, 4]])).toArray() as number[][];
  const expected = [-1.3416407, -0.4472136, 0.4472136, 1.3416407];
  expected.forEach((value, i) => assert.ok(Math.abs(out[0]![i]! - value) < 1e-6));
});

test('Embedding: padding row starts at zero and never receives gradient', () => {
  const table = new Embedding(5, 3, { paddingIdx: 0, rng: createRng(4), ...F64 });
  assert.equal((table.weight.toArray() as number[][])[0], [0, 0, 0]);
  const ids = tensor([[0, 2, 2, 0]], { dtype: 'int32' });
  const target = randn([1, 4, 3], { rng: createRng(5), ...F64 });
  table.forward(ids).mul(target).sum().backward();
  const grad = table.weight.grad!.toArray() as number[][];
  assert.equal(grad[0], [0, 0, 0]);
  assert.equal(grad[1], [0, 0, 0]);
  const t = target.toArray() as number[][][];
  grad[2]!.forEach((value, j) => assert.ok(Math.abs(value - (t[0]![1]![j]! + t[0]![2]![j]!)) < 1e-12));
  const free = new Embedding(5, 3, { rng: createRng(6), ...F64 });
  gradcheckParameters(() => free.forward(ids).mul(target).sum(), free.parameters(), { op: 'Embedding' });
  assert.throws(() => new Embedding(5, 3, { paddingIdx: 5 }), /Embedding: paddingIdx 5 is invalid/);
});

test('Dropout: seeded, scales kept values, identity in eval', () => {
  const x = zeros([1000]).add(1);
  const a = new Dropout(0.25, { seed: 7 }).forward(x).toTypedArray();
  const b = new Dropout(0.25, { seed: 7 }).forward(x).toTypedArray();
  assert.equal(Array.from(a), Array.from(b));
  const kept = Array.from(a).filter((value) => value !== 0);
  assert.ok(kept.every((value) => Math.abs(value - 1 / 0.75) < 1e-6));
  assert.ok(Math.abs(kept.length / 1000 - 0.75) < 0.06);
  const drop = new Dropout(0.25).eval();
  assert.ok(drop.forward(x) === x);
  assert.throws(() => new Dropout(1), /Dropout: p 1 is invalid/);
});

test('activations match their definitions', () => {
  const x = tensor([-2, -0.5, 0, 0.7, 3], F64);
  const values = Array.from(x.toTypedArray() as Float64Array);
  const check = (name: keyof typeof ACTIVATIONS, reference: (v: number) => number, tol: number) => {
    const out = Array.from(ACTIVATIONS[name](x).toTypedArray() as Float64Array);
    out.forEach((value, i) => assert.ok(Math.abs(value - reference(values[i]!)) <= tol, `${name}(${values[i]}) = ${value}`));
  };
  check('gelu_new', (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), 1e-12);
  check('relu', (v) => Math.max(0, v), 0);
  check('tanh', Math.tanh, 1e-15);
  // Exact gelu at a few points from tables of the normal CDF.
  const exact = ACTIVATIONS.gelu(tensor([1, -1], F64)).toTypedArray() as Float64Array;
  assert.ok(Math.abs(exact[0]! - 0.8413447460685429) < 1e-7 && Math.abs(exact[1]! + 0.15865525393145707) < 1e-7);
});

test.run();
