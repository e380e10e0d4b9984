// Fuzzing the engine's ops: random shapes (empty axes and scalars included), dtypes, broadcasts
// and non-contiguous views, and random (often invalid) arguments. Each call returns the documented
// shape with the values a plain JS reference computes, finite for finite inputs, or throws a typed error.
import { test } from 'uvu';
import fc from 'fast-check';
import * as E from '../../engine/index.js';
import { ShapeError, tensor, type DType, type Tensor } from '../../engine/index.js';
import {
  ALL_DTYPES, FLOAT_DTYPES, broadcastShapes, broadcastSource, expectShapeAndFinite, forEachIndex, fuzz, laidOut, layoutArb,
  shapeArb, sizeOfShape, typedOrValue, valueArb, type Layout,
} from './helpers.js';

const RUNS = 60;
const TOL = 1e-4;

/** Values for a dtype: ints rounded, bools as 0/1. */
const asDtype = (values: readonly number[], dtype: DType) =>
  dtype === 'int32' ? values.map((v) => Math.round(v)) : dtype === 'bool' ? values.map((v) => (v > 0 ? 1 : 0)) : [...values];

/** A shape and as many values. */
const shapedValues = (maxRank = 3, maxDim = 3) => shapeArb(maxRank, maxDim).chain((shape) =>
  fc.tuple(fc.constant(shape), fc.array(valueArb, { minLength: sizeOfShape(shape), maxLength: sizeOfShape(shape) })));

/** A second shape that broadcasts with `shape` most of the time. */
const partnerShape = (shape: number[]) => fc.oneof(
  fc.constant(shape),
  fc.integer({ min: 0, max: shape.length }).map((drop) => shape.slice(drop)),
  fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }).map((ones) => shape.map((d, i) => (ones[i] ? 1 : d))),
  shapeArb(3, 3),
);

function expectClose(what: string, actual: Tensor, expected: readonly number[]): void {
  const values = actual.toTypedArray();
  if (values.length !== expected.length) throw new Error(`${what}: ${values.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [values[i]!, expected[i]!];
    if (!(Math.abs(a - e) <= TOL * (1 + Math.abs(e)))) throw new Error(`${what}: value ${a} at ${i}, expected ${e}`);
  }
}

const BINARY: Record<string, { op: (a: Tensor, b: Tensor) => Tensor; ref: (a: number, b: number) => number }> = {
  add: { op: E.add, ref: (a, b) => a + b },
  sub: { op: E.sub, ref: (a, b) => a - b },
  mul: { op: E.mul, ref: (a, b) => a * b },
  div: { op: (a, b) => E.div(a, b.abs().add(0.5)), ref: (a, b) => a / (Math.abs(b) + 0.5) },
  maximum: { op: E.maximum, ref: Math.max },
  minimum: { op: E.minimum, ref: Math.min },
};

fuzz('binary ops broadcast over views and dtypes, match a JS reference, and have finite gradients', RUNS, fc.property(
  shapedValues(), fc.constantFrom(...Object.keys(BINARY)), layoutArb, layoutArb, fc.constantFrom(...ALL_DTYPES), fc.constantFrom(...ALL_DTYPES),
  fc.integer({ min: 0, max: 1000 }),
  ([shapeA, rawA], name, layoutA, layoutB, dtypeA, dtypeB, salt) => {
    const shapeB = fc.sample(partnerShape(shapeA), { seed: salt, numRuns: 1 })[0]!;
    const rawB = Array.from({ length: sizeOfShape(shapeB) }, (_, i) => ((i * 7 + salt) % 13) / 4 - 1.5);
    const { op, ref } = BINARY[name]!;
    const a = laidOut(asDtype(rawA, dtypeA), shapeA, dtypeA, layoutA);
    const b = laidOut(asDtype(rawB, dtypeB), shapeB, dtypeB, layoutB);
    const expectedShape = broadcastShapes(shapeA, shapeB);
    const outcome = typedOrValue(() => op(a.t, b.t));
    if (!expectedShape) {
      if (outcome.ok || !(outcome.error instanceof ShapeError)) throw new Error(`${name} [${shapeA}] and [${shapeB}] should be a ShapeError`);
      return;
    }
    if (!outcome.ok) return; // a typed refusal (a dtype combination) is allowed
    expectShapeAndFinite(name, outcome.value, expectedShape);
    if (dtypeA === dtypeB && FLOAT_DTYPES.includes(dtypeA)) {
      const expected: number[] = [];
      forEachIndex(expectedShape, (index) => expected.push(ref(a.values[broadcastSource(index, shapeA)]!, b.values[broadcastSource(index, shapeB)]!)));
      expectClose(`${name} [${shapeA}] ${layoutA} with [${shapeB}] ${layoutB}`, outcome.value, expected);
      // Gradients through the view ops and the broadcast reach the leaves with their shapes.
      const leafA = tensor(a.values.length ? a.values : [], { shape: shapeA, dtype: dtypeA, requiresGrad: true });
      const leafB = tensor(b.values, { shape: shapeB, dtype: dtypeB, requiresGrad: true });
      op(leafA, leafB).sum().backward();
      if (leafA.grad) expectShapeAndFinite(`${name} grad a`, leafA.grad, shapeA);
      if (leafB.grad) expectShapeAndFinite(`${name} grad b`, leafB.grad, shapeB);
    }
  },
));

const UNARY: Record<string, { op: (x: Tensor) => Tensor; ref: (x: number) => number }> = {
  neg: { op: E.neg, ref: (x) => -x },
  exp: { op: E.exp, ref: Math.exp },
  tanh: { op: E.tanh, ref: Math.tanh },
  sigmoid: { op: E.sigmoid, ref: (x) => 1 / (1 + Math.exp(-x)) },
  relu: { op: E.relu, ref: (x) => Math.max(0, x) },
  abs: { op: E.abs, ref: Math.abs },
  sqrt: { op: (x) => x.abs().add(1).sqrt(), ref: (x) => Math.sqrt(Math.abs(x) + 1) },
  log: { op: (x) => x.abs().add(1).log(), ref: (x) => Math.log(Math.abs(x) + 1) },
  square: { op: (x) => x.pow(2), ref: (x) => x * x },
  clamp: { op: (x) => x.clamp(-1, 2), ref: (x) => Math.min(2, Math.max(-1, x)) },
  gelu: { op: E.gelu, ref: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)) },
};

/** Abramowitz–Stegun 7.1.26 (error < 1.5e-7). */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

fuzz('unary ops over views match a JS reference and have finite gradients', RUNS, fc.property(
  shapedValues(), fc.constantFrom(...Object.keys(UNARY)), layoutArb, fc.constantFrom(...FLOAT_DTYPES),
  ([shape, raw], name, layout, dtype) => {
    const { op, ref } = UNARY[name]!;
    const x = laidOut(raw, shape, dtype, layout);
    const out = op(x.t);
    expectShapeAndFinite(name, out, shape);
    expectClose(`${name} [${shape}] ${layout}`, out, x.values.map(ref));
    const leaf = tensor(x.values, { shape, dtype, requiresGrad: true });
    op(leaf).sum().backward();
    if (leaf.grad) expectShapeAndFinite(`${name} grad`, leaf.grad, shape);
  },
));

type Reduction = (x: Tensor, axis: number | undefined, keepDim: boolean) => Tensor;
const REDUCTIONS: Record<string, { op: Reduction; needsElements: boolean }> = {
  sum: { op: (x, axis, keep) => x.sum(axis, keep), needsElements: false },
  mean: { op: (x, axis, keep) => x.mean(axis, keep), needsElements: true },
  max: { op: (x, axis, keep) => x.max(axis, keep), needsElements: true },
  min: { op: (x, axis, keep) => x.min(axis, keep), needsElements: true },
  argmax: { op: (x, axis, keep) => x.argmax(axis, keep), needsElements: true },
  logSumExp: { op: (x, axis, keep) => E.logSumExp(x, axis, keep), needsElements: true },
  variance: { op: (x, axis, keep) => E.variance(x, axis, { keepDim: keep }), needsElements: true },
  softmax: { op: (x, axis) => E.softmax(x, axis ?? -1), needsElements: false },
  logSoftmax: { op: (x, axis) => E.logSoftmax(x, axis ?? -1), needsElements: false },
};

fuzz('reductions over any (or an invalid) axis: the documented shape, finite, or a typed error', RUNS, fc.property(
  shapedValues(), fc.constantFrom(...Object.keys(REDUCTIONS)), layoutArb, fc.option(fc.integer({ min: -5, max: 4 }), { nil: undefined }), fc.boolean(),
  ([shape, raw], name, layout, axis, keepDim) => {
    const { op } = REDUCTIONS[name]!;
    const x = laidOut(raw, shape, 'float32', layout);
    const outcome = typedOrValue(() => op(x.t, axis, keepDim));
    const rank = shape.length;
    const validAxis = axis === undefined || (axis >= -Math.max(rank, 1) && axis < Math.max(rank, 1));
    if (!validAxis && outcome.ok && rank > 0) throw new Error(`${name}: axis ${axis} of a rank-${rank} tensor was accepted`);
    if (!outcome.ok) return;
    const out = outcome.value;
    if (out.size > 0 && sizeOfShape(shape) > 0 && name !== 'variance') expectShapeAndFinite(name, out, out.shape);
    if (name === 'softmax' || name === 'logSoftmax') {
      if (out.shape.join() !== shape.join()) throw new Error(`${name}: shape [${out.shape}], expected [${shape}]`);
      return;
    }
    if (axis === undefined || rank === 0) return;
    const a = axis < 0 ? axis + rank : axis;
    const expected = keepDim ? shape.map((d, i) => (i === a ? 1 : d)) : shape.filter((_, i) => i !== a);
    if (out.shape.join() !== expected.join()) throw new Error(`${name} axis ${axis} keepDim ${keepDim} of [${shape}]: shape [${out.shape}], expected [${expected}]`);
  },
));

fuzz('matmul over random (often disagreeing) shapes: the product a JS reference computes, or a ShapeError', RUNS, fc.property(
  fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }),
  fc.constantFrom([], [2], [1], [2, 1]), fc.constantFrom([], [2], [1], [3]), fc.boolean(), fc.boolean(), layoutArb,
  (m, k, k2, n, batchA, batchB, vectorA, vectorB, layout) => {
    const shapeA = vectorA ? [k] : [...batchA, m, k];
    const shapeB = vectorB ? [k2] : [...batchB, k2, n];
    const valuesA = Array.from({ length: sizeOfShape(shapeA) }, (_, i) => (i % 5) - 2);
    const valuesB = Array.from({ length: sizeOfShape(shapeB) }, (_, i) => (i % 3) - 1);
    const a = laidOut(valuesA, shapeA, 'float64', layout);
    const outcome = typedOrValue(() => E.matmul(a.t, tensor(valuesB, { shape: shapeB, dtype: 'float64' })));
    const batch = broadcastShapes(vectorA ? [] : batchA, vectorB ? [] : batchB);
    if (k !== k2 || !batch) {
      if (outcome.ok) throw new Error(`matmul [${shapeA}] × [${shapeB}] was accepted`);
      if (!(outcome.error instanceof ShapeError)) throw new Error(`matmul [${shapeA}] × [${shapeB}]: ${outcome.error.name}, expected a ShapeError`);
      return;
    }
    if (!outcome.ok) throw outcome.error;
    const expectedShape = [...batch, ...(vectorA ? [] : [m]), ...(vectorB ? [] : [n])];
    expectShapeAndFinite(`matmul [${shapeA}] × [${shapeB}]`, outcome.value, expectedShape);
    const expected: number[] = [];
    const fullA = vectorA ? [1, k] : [...batchA, m, k];
    const fullB = vectorB ? [k, 1] : [...batchB, k, n];
    forEachIndex(expectedShape, (index) => {
      const batchIndex = index.slice(0, batch.length);
      const row = vectorA ? 0 : index[batch.length]!;
      const column = vectorB ? 0 : index[index.length - 1]!;
      let total = 0;
      for (let j = 0; j < k; j++) {
        total += a.values[broadcastSource([...batchIndex, row, j], fullA)]! * valuesB[broadcastSource([...batchIndex, j, column], fullB)]!;
      }
      expected.push(total);
    });
    expectClose(`matmul [${shapeA}] × [${shapeB}] ${layout}`, outcome.value, expected);
  },
));

const intArg = fc.integer({ min: -4, max: 6 });
const MOVEMENT: Record<string, fc.Arbitrary<(x: Tensor) => Tensor>> = {
  reshape: fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 4 }).map((shape) => (x: Tensor) => x.reshape(shape)),
  permute: fc.array(intArg, { maxLength: 4 }).map((axes) => (x: Tensor) => x.permute(axes)),
  transpose: fc.tuple(intArg, intArg).map(([a, b]) => (x: Tensor) => x.transpose(a, b)),
  narrow: fc.tuple(intArg, intArg, intArg).map(([axis, start, length]) => (x: Tensor) => x.narrow(axis, start, length)),
  slice: fc.tuple(intArg, intArg, fc.option(intArg, { nil: undefined }), fc.integer({ min: -1, max: 3 })).map(([axis, start, end, step]) => (x: Tensor) => E.slice(x, axis, start, end, step)),
  expand: fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 5 }).map((shape) => (x: Tensor) => x.expand(shape)),
  flip: fc.array(intArg, { maxLength: 3 }).map((axes) => (x: Tensor) => E.flip(x, axes)),
  unsqueeze: intArg.map((axis) => (x: Tensor) => x.unsqueeze(axis)),
  squeeze: fc.option(intArg, { nil: undefined }).map((axis) => (x: Tensor) => x.squeeze(axis)),
  flatten: fc.tuple(intArg, intArg).map(([start, end]) => (x: Tensor) => x.flatten(start, end)),
  unfold: fc.tuple(intArg, intArg, intArg).map(([axis, size, step]) => (x: Tensor) => E.unfold(x, axis, size, step)),
  pad: fc.array(fc.tuple(fc.integer({ min: -1, max: 2 }), fc.integer({ min: -1, max: 2 })), { maxLength: 4 }).map((pads) => (x: Tensor) => E.pad(x, pads as never)),
  cat: fc.tuple(intArg, fc.boolean()).map(([axis, same]) => (x: Tensor) => E.cat([x, same ? x : x.reshape([-1])], axis)),
  stack: intArg.map((axis) => (x: Tensor) => E.stack([x, x], axis)),
  cast: fc.constantFrom(...ALL_DTYPES).map((dtype) => (x: Tensor) => x.cast(dtype)),
  contiguous: fc.constant((x: Tensor) => x.contiguous()),
};

fuzz('movement ops with random arguments keep every value or throw a typed error; their gradients have the input\'s shape', RUNS * 2, fc.property(
  shapedValues(), layoutArb, fc.constantFrom(...Object.keys(MOVEMENT)).chain((name) => fc.tuple(fc.constant(name), MOVEMENT[name]!)),
  ([shape, raw], layout: Layout, [name, move]) => {
    const x = laidOut(raw, shape, 'float32', layout);
    const outcome = typedOrValue(() => move(x.t));
    if (!outcome.ok) return;
    const out = outcome.value;
    expectShapeAndFinite(name, out, out.shape);
    const values = Array.from(out.toTypedArray());
    // Every output value is one of the input's (or a pad's 0).
    const known = new Set([...x.values.map((v) => Math.fround(v)), 0, 1]);
    if (name !== 'cast') for (const value of values) if (!known.has(value)) throw new Error(`${name}: value ${value} is none of the input's`);
    const leaf = tensor(x.values, { shape, requiresGrad: true });
    const moved = typedOrValue(() => move(leaf));
    if (moved.ok && moved.value.dtype === 'float32') {
      moved.value.sum().backward();
      if (leaf.grad) expectShapeAndFinite(`${name} grad`, leaf.grad, shape);
    }
  },
));

fuzz('indexing with random (also out-of-range) indices: gathered values or a typed error', RUNS, fc.property(
  shapedValues(2, 4), fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 6 }), intArg, fc.constantFrom('gather', 'indexSelect', 'embedding', 'topk', 'scatterAdd'),
  ([shape, raw], indices, axis, name) => {
    const x = tensor(raw, { shape });
    const index = tensor(indices, { dtype: 'int32' });
    const outcome = typedOrValue(() => {
      switch (name) {
        case 'gather': return E.gather(x, axis, index.reshape([...new Array(Math.max(shape.length - 1, 0)).fill(1), -1]));
        case 'indexSelect': return E.indexSelect(x, axis, index);
        case 'embedding': return E.embedding(x, index);
        case 'topk': return E.topk(x, Math.abs(axis)).values;
        default: return E.scatterAdd(x, axis, index.reshape([...new Array(Math.max(shape.length - 1, 0)).fill(1), -1]), tensor(indices.map(() => 1)).reshape([...new Array(Math.max(shape.length - 1, 0)).fill(1), -1]));
      }
    });
    if (!outcome.ok) return;
    expectShapeAndFinite(name, outcome.value, outcome.value.shape);
    const known = new Set([...raw.map((v) => Math.fround(v)), 0]);
    if (name !== 'scatterAdd') for (const value of outcome.value.toTypedArray()) if (!known.has(value)) throw new Error(`${name}: value ${value} is none of x's`);
  },
));

const junk = fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant(Number.NaN), fc.constant(-1), fc.constant(2.5), fc.constant('3'), fc.constant([1, [2]]), fc.constant({}), fc.constant([2, -1]), fc.constant([1e9, 1e9]));

fuzz('creation and op arguments of the wrong kind are typed errors, never a TypeError', RUNS, fc.property(
  junk, junk, fc.constantFrom('tensor', 'zeros', 'full', 'arange', 'randn', 'randint', 'reshape', 'sum', 'softmax', 'crossEntropy', 'dropout', 'layerNorm', 'cast', 'maskedFill', 'where'),
  (first, second, name) => {
    const x = tensor([[1, 2], [3, 4]]);
    typedOrValue(() => {
      switch (name) {
        case 'tensor': return tensor(first as never, { shape: second as never });
        case 'zeros': return E.zeros(first as never);
        case 'full': return E.full(first as never, second as never);
        case 'arange': return E.arange(first as never, second as never);
        case 'randn': return E.randn(first as never);
        case 'randint': return E.randint(first as never, second as never, [2]);
        case 'reshape': return x.reshape(first as never);
        case 'sum': return x.sum(first as never, second as never);
        case 'softmax': return E.softmax(x, first as never);
        case 'crossEntropy': return E.crossEntropy(x, first as never);
        case 'dropout': return E.dropout(x, first as never);
        case 'layerNorm': return E.layerNorm(x, first as never, second as never);
        case 'cast': return x.cast(first as never);
        case 'maskedFill': return E.maskedFill(x, first as never, second as never);
        default: return E.where(first as never, x, second as never);
      }
    });
  },
));

test.run();
