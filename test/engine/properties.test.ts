// Properties over random shapes, broadcasting pairs and non-contiguous views (random permutes, stepped
// slices, flips): every op gives on a view what it gives on the view's contiguous copy.
// A failing property prints its seed and path; paste them into fc.assert's options to replay it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import '../helpers/property-seed.js';
import * as E from '../../engine/index.js';
import { createRng, randn, type Tensor } from '../../engine/index.js';
import { broadcastShapes } from '../../engine/shape.js';
import { expectClose, F64_TOL } from '../helpers/close.js';

const RUNS = 80;

const dims = (min: number, max: number, rankMin: number, rankMax: number) =>
  fc.array(fc.integer({ min, max }), { minLength: rankMin, maxLength: rankMax });

/** How to lay a tensor of a given shape out as a non-contiguous view of a larger buffer. */
interface ViewSpec { order: number[]; steps: number[]; starts: number[]; flips: boolean[]; seed: number }

function viewSpec(rank: number): fc.Arbitrary<ViewSpec> {
  const axes = Array.from({ length: rank }, (_, i) => i);
  const perAxis = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: rank, maxLength: rank });
  return fc.record({
    order: fc.shuffledSubarray(axes, { minLength: rank, maxLength: rank }),
    steps: perAxis(fc.integer({ min: 1, max: 3 })),
    starts: perAxis(fc.integer({ min: 0, max: 2 })),
    flips: perAxis(fc.boolean()),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

/**
 * A float64 tensor of `shape` whose storage order is permuted, stepped, offset and (maybe) reversed:
 * built from a larger random buffer by slice, flip and permute, all views.
 */
function makeView(shape: readonly number[], spec: ViewSpec): Tensor {
  // A spec drawn for a higher rank is cut down to this one.
  spec = { ...spec, order: spec.order.filter((axis) => axis < shape.length) };
  const stored = spec.order.map((axis) => shape[axis]!); // axis i of the buffer holds axis order[i]
  const bufferShape = stored.map((d, i) => spec.starts[i]! + Math.max(1, d * spec.steps[i]!));
  let t = randn(bufferShape, { rng: createRng(spec.seed), dtype: 'float64' });
  stored.forEach((d, i) => { t = t.slice(i, spec.starts[i]!, spec.starts[i]! + d * spec.steps[i]!, spec.steps[i]!); });
  const flipped = spec.flips.slice(0, shape.length).flatMap((flip, axis) => (flip ? [axis] : []));
  if (flipped.length > 0) t = t.flip(flipped);
  const inverse = shape.map((_, axis) => spec.order.indexOf(axis));
  return t.permute(inverse);
}

const shapeAndView = (rankMin = 0, rankMax = 4, dimMax = 4) =>
  dims(0, dimMax, rankMin, rankMax).chain((shape) => fc.tuple(fc.constant(shape), viewSpec(shape.length)));

/** Two shapes that broadcast to `out`: each a suffix of it with some axes set to 1. */
const broadcastPair = dims(1, 4, 0, 4).chain((out) => {
  const operand = fc.tuple(fc.integer({ min: 0, max: out.length }), fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }))
    .map(([drop, ones]) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return fc.tuple(fc.constant(out), operand, operand, viewSpec(4), viewSpec(4));
});

const same = (actual: Tensor, expected: Tensor, label: string) => {
  assert.equal([...actual.shape], [...expected.shape], `${label}: shape`);
  expectClose(actual, expected, F64_TOL, label);
};

test('makeView builds non-contiguous views with the requested shape', () => {
  fc.assert(fc.property(shapeAndView(2, 4, 4), ([shape, spec]) => {
    const v = makeView(shape, spec);
    assert.equal([...v.shape], shape);
    const c = v.contiguous();
    assert.ok(c.isContiguous);
    assert.equal(Array.from(c.toTypedArray()), Array.from(v.toTypedArray()));
  }), { numRuns: 30 });
});

test('unary ops on views equal the ops on contiguous copies', () => {
  fc.assert(fc.property(shapeAndView(), ([shape, spec]) => {
    const v = makeView(shape, spec);
    const c = v.contiguous();
    for (const name of ['neg', 'exp', 'tanh', 'sigmoid', 'relu', 'abs', 'erf'] as const) {
      same(E[name](v), E[name](c), name);
    }
    same(E.gelu(v), E.gelu(c), 'gelu');
  }), { numRuns: RUNS });
});

test('broadcasting binary ops on views equal the ops on contiguous, pre-expanded copies', () => {
  fc.assert(fc.property(broadcastPair, ([, shapeA, shapeB, specA, specB]) => {
    const a = makeView(shapeA, specA);
    const b = makeView(shapeB, specB);
    const out = broadcastShapes('test', shapeA, shapeB);
    const a2 = a.expand(out).contiguous();
    const b2 = b.expand(out).contiguous();
    for (const name of ['add', 'sub', 'mul', 'maximum', 'minimum'] as const) same(E[name](a, b), E[name](a2, b2), name);
    same(E.div(a, b.abs().add(0.5)), E.div(a2, b2.abs().add(0.5)), 'div');
    same(E.gt(a, b).cast('float64'), E.gt(a2, b2).cast('float64'), 'gt');
    same(E.where(a.gt(0), a, b), E.where(a2.gt(0), a2, b2), 'where');
  }), { numRuns: RUNS });
});

test('reductions over random axes on views equal those on contiguous copies and a plain loop', () => {
  const arb = shapeAndView(1, 4, 4).chain(([shape, spec]) =>
    fc.tuple(fc.constant(shape), fc.constant(spec), fc.subarray(shape.map((_, i) => i), { minLength: 1 }), fc.boolean()));
  fc.assert(fc.property(arb, ([shape, spec, axes, keepDim]) => {
    const v = makeView(shape, spec);
    const c = v.contiguous();
    same(E.sum(v, axes, keepDim), E.sum(c, axes, keepDim), 'sum');
    same(E.mean(v, axes, keepDim), E.mean(c, axes, keepDim), 'mean');
    if (axes.every((a) => shape[a]! > 0)) {
      same(E.max(v, axes, keepDim), E.max(c, axes, keepDim), 'max');
      same(E.min(v, axes, keepDim), E.min(c, axes, keepDim), 'min');
      same(E.logSumExp(v, axes, keepDim), E.logSumExp(c, axes, keepDim), 'logSumExp');
      same(E.argmax(v, axes[0]!).cast('float64'), E.argmax(c, axes[0]!).cast('float64'), 'argmax');
    }
    const total = Array.from(v.toTypedArray()).reduce((s, value) => s + value, 0);
    expectClose(E.sum(v), [total], F64_TOL, 'sum of all');
  }), { numRuns: RUNS });
});

test('softmax rows of views sum to 1 and equal those of contiguous copies', () => {
  fc.assert(fc.property(shapeAndView(1, 3, 5), ([shape, spec]) => {
    const v = makeView(shape, spec).mul(10);
    const c = v.contiguous();
    same(E.softmax(v), E.softmax(c), 'softmax');
    same(E.logSoftmax(v, 0), E.logSoftmax(c, 0), 'logSoftmax');
    if (shape[shape.length - 1]! > 0) expectClose(E.softmax(v).sum(-1), E.ones(shape.slice(0, -1)), F64_TOL, 'row sums');
  }), { numRuns: RUNS });
});

/** (batch..., M, K) @ (batch..., K, N) with broadcast batch axes. */
const matmulCase = fc.record({
  batch: dims(1, 3, 0, 2),
  broadcastA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  broadcastB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  M: fc.integer({ min: 1, max: 9 }),
  K: fc.integer({ min: 0, max: 9 }),
  N: fc.integer({ min: 1, max: 9 }),
  specA: viewSpec(4),
  specB: viewSpec(4),
});

function naiveMatmul(a: Tensor, b: Tensor): Tensor {
  // Broadcast batch axes, then a plain triple loop per batch entry.
  const batch = broadcastShapes('naiveMatmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape[b.rank - 1]!;
  const av = a.expand([...batch, M, K]).toTypedArray();
  const bv = b.expand([...batch, K, N]).toTypedArray();
  const count = batch.reduce((p, d) => p * d, 1);
  const out = new Float64Array(count * M * N);
  for (let p = 0; p < count; p++) for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += av[p * M * K + i * K + k]! * bv[p * K * N + k * N + j]!;
    out[p * M * N + i * N + j] = s;
  }
  return E.tensor(out, { shape: [...batch, M, N], dtype: 'float64' });
}

test('matmul of views (batched, broadcast) equals matmul of contiguous copies and a plain loop', () => {
  fc.assert(fc.property(matmulCase, ({ batch, broadcastA, broadcastB, M, K, N, specA, specB }) => {
    const batchA = batch.map((d, i) => (broadcastA[i] ? 1 : d));
    const batchB = batch.slice(broadcastB[0] ? 1 : 0).map((d, i) => (broadcastB[i + 1] ? 1 : d));
    const a = makeView([...batchA, M, K], specA);
    const b = makeView([...batchB, K, N], specB);
    const out = E.matmul(a, b);
    same(out, E.matmul(a.contiguous(), b.contiguous()), 'matmul vs contiguous');
    same(out, naiveMatmul(a, b), 'matmul vs plain loop');
  }), { numRuns: RUNS });
});

test('reshape and permute round trips are the identity on views', () => {
  fc.assert(fc.property(shapeAndView(1, 4, 4), ([shape, spec]) => {
    const v = makeView(shape, spec);
    const values = Array.from(v.toTypedArray());
    assert.equal(Array.from(v.reshape([-1]).toTypedArray()), values);
    const reversed = shape.map((_, i) => shape.length - 1 - i);
    assert.equal(Array.from(v.permute(reversed).permute(reversed).toTypedArray()), values);
    assert.equal(Array.from(v.flatten().reshape(shape).toTypedArray()), values);
  }), { numRuns: RUNS });
});

/** The prime factors of n in increasing order (1 has none). */
function primeFactors(n: number): number[] {
  const factors: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) { factors.push(p); n /= p; }
  return factors;
}

test('reshape of a view to any shape of the same size equals reshape of its contiguous copy', () => {
  const arb = shapeAndView(1, 4, 4).chain(([shape, spec]) => fc.tuple(fc.constant(shape), fc.constant(spec), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 })));
  fc.assert(fc.property(arb, ([shape, spec, cuts]) => {
    const v = makeView(shape, spec);
    // Group the size's prime factors into new axes, with size-1 axes sprinkled in.
    const factors = primeFactors(v.size);
    const newShape: number[] = [];
    let current = 1;
    factors.forEach((factor, i) => {
      current *= factor;
      if (cuts[i % cuts.length]! % 2 === 0) { newShape.push(current); current = 1; }
      if (cuts[(i + 5) % cuts.length] === 3) newShape.push(1);
    });
    if (current > 1 || newShape.length === 0) newShape.push(current);
    if (v.size === 0) newShape.splice(0, newShape.length, 0, ...shape.filter((d) => d > 0));
    const reshaped = v.reshape(newShape);
    assert.equal([...reshaped.shape], newShape);
    assert.equal(Array.from(reshaped.toTypedArray()), Array.from(v.contiguous().toTypedArray()));
  }), { numRuns: 2 * RUNS });
});

test.run();
