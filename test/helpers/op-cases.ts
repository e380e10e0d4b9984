// OP_CASES: the one table of op cases. The CPU backend gradient-checks every row in float64 on three
// memory layouts (test/engine/gradcheck.test.ts); every other backend (each gpu.js mode) runs the same
// rows in float32 and must match the CPU backend's values and gradients (test/gpujs/parity.ts).
// Each row names the public op it exercises, how to build its inputs, and a function of those inputs.
import {
  abs, add, argmax, argmin, cast, cat, clamp, contiguous, createRng, crossEntropy, div, dropout, embedding, eq,
  attentionProbabilities, denseAttention, erf, exp, expand, flatten, flip, gather, ge, gelu, geluNew, gt, indexSelect, layerNorm, le, log, logSoftmax,
  logSumExp, lt, maskedFill, matmul, max, maximum, mean, min, minimum, mul, narrow, ne, neg, pad, permute, pow,
  reciprocal, relu, reshape, rsqrt, scatterAdd, sigmoid, sign, slice, softmax, sqrt, squeeze, stack, sub, sum,
  tanh, tensor, toBackend, topk, transpose, unfold, unsqueeze, variance, where, registerBackend, type DType, type Tensor,
} from '../../engine/index.js';
import { cpuBackend } from '../../backends/cpu/index.js';

export interface InputSpec {
  shape: readonly number[];
  /** 'float' (default) inputs are checked by gradcheck; 'int' (int32) and 'bool' are constants. */
  kind?: 'float' | 'int' | 'bool';
  /** float: uniform in [lo, hi). int: integers in [lo, hi). Default [-2, 2) for floats, [0, 3) for ints. */
  range?: readonly [number, number];
  /** float: |x| in `range` with a random sign, for ops with a kink or pole at 0 (abs, relu, div). */
  awayFromZero?: boolean;
  /** Exact values (row-major), instead of random ones. */
  values?: readonly number[];
}

export interface OpCase {
  /** The public op (an export of engine/index.ts) this row exercises. */
  name: string;
  /** What distinguishes this row from others of the same op. */
  variant?: string;
  inputs: readonly InputSpec[];
  run: (...inputs: Tensor[]) => Tensor;
  /** false when the output is not differentiable (comparisons, indices): forward-only. */
  grad?: boolean;
  /** Overrides for the gradient check (e.g. a row that rounds through float32). */
  gradcheck?: { step?: number; tol?: { rtol: number; atol: number } };
}

/** A label for messages: `matmul (batched)`. */
export function caseLabel(c: OpCase): string {
  return c.variant ? `${c.name} (${c.variant})` : c.name;
}

/** The CPU kernels under another name: a second backend for the toBackend rows. */
const OTHER_BACKEND = 'cpu-copy';
registerBackend({ ...cpuBackend, name: OTHER_BACKEND });

const f = (...shape: number[]): InputSpec => ({ shape });
const positive = (...shape: number[]): InputSpec => ({ shape, range: [0.5, 2] });
const away = (...shape: number[]): InputSpec => ({ shape, range: [0.3, 2], awayFromZero: true });
const ints = (shape: readonly number[], range: readonly [number, number]): InputSpec => ({ shape, kind: 'int', range });
const bools = (...shape: number[]): InputSpec => ({ shape, kind: 'bool' });
const exact = (shape: readonly number[], values: readonly number[], kind: InputSpec['kind'] = 'float'): InputSpec => ({ shape, values, kind });

export const OP_CASES: readonly OpCase[] = [
  // Elementwise binary, with broadcasting and number operands.
  { name: 'add', inputs: [f(2, 3), f(3)], run: (a, b) => add(a, b) },
  { name: 'add', variant: 'both broadcast', inputs: [f(2, 1, 3), f(4, 1)], run: (a, b) => add(a, b) },
  { name: 'add', variant: 'number', inputs: [f(2, 3)], run: (a) => add(2.5, a) },
  { name: 'sub', inputs: [f(3, 1), f(1, 4)], run: (a, b) => sub(a, b) },
  { name: 'sub', variant: 'number', inputs: [f(4)], run: (a) => sub(a, 1).add(sub(1, a).mul(3)) },
  { name: 'sub', variant: 'transposed operand', inputs: [f(3, 4), f(4, 3)], run: (a, b) => sub(a, b.transpose()) },
  { name: 'mul', inputs: [f(2, 3), f(2, 1)], run: (a, b) => mul(a, b) },
  { name: 'mul', variant: 'same input twice', inputs: [f(5)], run: (a) => mul(a, a) },
  { name: 'div', inputs: [f(2, 3), away(3)], run: (a, b) => div(a, b) },
  { name: 'div', variant: 'number numerator', inputs: [away(4)], run: (a) => div(1, a) },
  { name: 'pow', variant: 'tensor exponent', inputs: [positive(2, 3), f(3)], run: (a, b) => pow(a, b) },
  { name: 'pow', variant: 'number exponent', inputs: [positive(5)], run: (a) => pow(a, 2.5) },
  { name: 'pow', variant: 'number base', inputs: [f(5)], run: (b) => pow(3, b) },
  { name: 'pow', variant: 'zero base, zero exponent', inputs: [exact([3], [0, 1.5, 0]), exact([3], [2, 0, 3])], run: (a, b) => pow(a, b) },
  // NOTE: GLSL and WGSL leave pow(negative, y) undefined; gpu.js kernels restore the sign for integer exponents.
  { name: 'pow', variant: 'integer exponent, any sign', inputs: [f(6)], run: (a) => pow(a, 3) },
  { name: 'maximum', inputs: [f(2, 3), f(3)], run: (a, b) => maximum(a, b) },
  { name: 'minimum', inputs: [f(2, 3), f(2, 1)], run: (a, b) => minimum(a, b) },
  { name: 'clamp', inputs: [f(8)], run: (x) => clamp(x, -0.5, 0.7) },
  { name: 'clamp', variant: 'min only', inputs: [f(6)], run: (x) => clamp(x, 0.1) },

  // Elementwise unary.
  { name: 'neg', inputs: [f(2, 3)], run: (x) => neg(x) },
  { name: 'exp', inputs: [f(2, 3)], run: (x) => exp(x) },
  { name: 'log', inputs: [positive(2, 3)], run: (x) => log(x) },
  { name: 'sqrt', inputs: [positive(2, 3)], run: (x) => sqrt(x) },
  { name: 'rsqrt', inputs: [positive(2, 3)], run: (x) => rsqrt(x) },
  { name: 'abs', inputs: [away(2, 3)], run: (x) => abs(x) },
  { name: 'sign', inputs: [away(2, 3)], run: (x) => sign(x).mul(x) },
  { name: 'tanh', inputs: [f(2, 3)], run: (x) => tanh(x) },
  { name: 'sigmoid', inputs: [{ shape: [6], range: [-6, 6] }], run: (x) => sigmoid(x) },
  { name: 'relu', inputs: [away(2, 3)], run: (x) => relu(x) },
  { name: 'erf', inputs: [{ shape: [8], range: [-3.5, 3.5] }], run: (x) => erf(x) },
  { name: 'reciprocal', inputs: [away(2, 3)], run: (x) => reciprocal(x) },
  { name: 'gelu', inputs: [{ shape: [2, 4], range: [-4, 4] }], run: (x) => gelu(x) },
  { name: 'geluNew', inputs: [{ shape: [2, 4], range: [-4, 4] }], run: (x) => geluNew(x) },
  // The fused kernels' tails: erf and e^(−2u) saturate, σ(2u) underflows.
  { name: 'gelu', variant: 'tails', inputs: [{ shape: [3, 4], range: [-12, 12] }], run: (x) => gelu(x) },
  { name: 'geluNew', variant: 'tails', inputs: [{ shape: [3, 4], range: [-12, 12] }], run: (x) => geluNew(x) },
  { name: 'geluNew', variant: 'inside a composition', inputs: [f(2, 3), f(3)], run: (x, b) => geluNew(x.mul(b)).mul(x) },

  // Comparisons (bool out), where, maskedFill.
  ...(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((name): OpCase => ({
    name,
    inputs: [ints([2, 3], [0, 3]), ints([3], [0, 3])],
    run: (a, b) => ({ eq, ne, lt, le, gt, ge })[name](a, b),
    grad: false,
  })),
  { name: 'lt', variant: 'float vs number', inputs: [f(2, 3)], run: (a) => lt(a, 0.25), grad: false },
  ...(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).map((name): OpCase => ({
    name,
    variant: 'float operands, broadcast',
    inputs: [f(3, 4), f(4)],
    // eq and ne compare a with max(a, b), equal to a wherever a ≥ b, so both outcomes occur.
    run: (a, b) => ({ eq, ne, lt, le, gt, ge })[name](a, name === 'eq' || name === 'ne' ? maximum(a, b) : b),
    grad: false,
  })),
  { name: 'where', inputs: [bools(2, 3), f(2, 3), f(3)], run: (c, a, b) => where(c, a, b) },
  { name: 'where', variant: 'number branch', inputs: [bools(3, 1), f(3, 2)], run: (c, a) => where(c, a, -1) },
  { name: 'maskedFill', inputs: [f(2, 3), bools(3)], run: (x, m) => maskedFill(x, m, -5) },

  // Reductions.
  { name: 'sum', variant: 'all', inputs: [f(2, 3, 2)], run: (x) => sum(x) },
  { name: 'sum', variant: 'axes [0, 2] keepDim', inputs: [f(2, 3, 2)], run: (x) => sum(x, [0, 2], true) },
  { name: 'sum', variant: 'axis -1', inputs: [f(2, 3, 4)], run: (x) => sum(x, -1) },
  { name: 'sum', variant: 'axes of a permuted view', inputs: [f(2, 3, 4)], run: (x) => sum(permute(x, [2, 0, 1]), [0, 2], true) },
  { name: 'mean', inputs: [f(2, 3, 2)], run: (x) => mean(x, [1]) },
  { name: 'mean', variant: 'all keepDim', inputs: [f(2, 3)], run: (x) => mean(x, undefined, true) },
  { name: 'max', inputs: [f(3, 4)], run: (x) => max(x, 1) },
  { name: 'max', variant: 'all', inputs: [f(3, 4)], run: (x) => max(x) },
  { name: 'max', variant: 'ties share the gradient', inputs: [exact([2, 3], [1, 3, 3, 2, 2, 0])], run: (x) => max(x, 1, true) },
  { name: 'min', inputs: [f(3, 4)], run: (x) => min(x, [0], true) },
  { name: 'argmax', inputs: [f(3, 4)], run: (x) => argmax(x, 1), grad: false },
  { name: 'argmax', variant: 'flattened', inputs: [f(3, 4)], run: (x) => argmax(x), grad: false },
  { name: 'argmin', inputs: [f(3, 4)], run: (x) => argmin(x, 0, true), grad: false },
  { name: 'variance', inputs: [f(3, 4)], run: (x) => variance(x, 1) },
  { name: 'variance', variant: 'correction 0, keepDim', inputs: [f(2, 3, 2)], run: (x) => variance(x, [0, 2], { correction: 0, keepDim: true }) },
  { name: 'logSumExp', inputs: [f(3, 4)], run: (x) => logSumExp(x, -1) },
  { name: 'logSumExp', variant: 'axes [0, 1] keepDim', inputs: [{ shape: [2, 3, 2], range: [-20, 20] }], run: (x) => logSumExp(x, [0, 1], true) },

  // Linear algebra.
  { name: 'matmul', inputs: [f(3, 4), f(4, 2)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: 'batched', inputs: [f(2, 3, 4), f(2, 4, 5)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: 'broadcast batch', inputs: [f(2, 1, 3, 4), f(3, 4, 2)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: 'shared weight', inputs: [f(2, 3, 4), f(4, 5)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: 'transposed operands', inputs: [f(4, 3), f(5, 4)], run: (a, b) => matmul(a.transpose(), b.transpose()) },
  { name: 'matmul', variant: 'batched, transposed b', inputs: [f(2, 3, 5), f(2, 4, 5)], run: (a, b) => matmul(a, b.transpose()) },
  { name: 'matmul', variant: '1-D @ 2-D', inputs: [f(4), f(4, 3)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: '2-D @ 1-D', inputs: [f(3, 4), f(4)], run: (a, b) => matmul(a, b) },
  { name: 'matmul', variant: '1-D @ 1-D', inputs: [f(5), f(5)], run: (a, b) => matmul(a, b) },
  { name: 'softmax', inputs: [f(3, 4)], run: (x) => softmax(x) },
  { name: 'softmax', variant: 'axis 0', inputs: [{ shape: [3, 2], range: [-30, 30] }], run: (x) => softmax(x, 0) },
  { name: 'softmax', variant: 'middle axis', inputs: [f(2, 4, 3)], run: (x) => softmax(x, 1) },
  { name: 'attentionProbabilities', inputs: [f(2, 3, 4), f(2, 5, 4), f(1, 3, 5)], run: (q, k, mask) => attentionProbabilities(q, k, mask) },
  { name: 'denseAttention', inputs: [f(1, 2, 3, 4), f(1, 2, 5, 4), f(1, 2, 5, 4), f(1, 1, 1, 5)], run: (q, k, v, mask) => denseAttention(q, k, v, mask) },
  { name: 'logSoftmax', inputs: [f(3, 4)], run: (x) => logSoftmax(x) },
  { name: 'logSoftmax', variant: 'axis 1 of 3', inputs: [f(2, 3, 2)], run: (x) => logSoftmax(x, 1) },

  // Movement.
  { name: 'reshape', inputs: [f(2, 3, 2)], run: (x) => reshape(x, [3, -1]) },
  { name: 'reshape', variant: 'of a transposed view (copies)', inputs: [f(3, 4)], run: (x) => reshape(x.transpose(), [2, 6]) },
  { name: 'flatten', inputs: [f(2, 3, 2)], run: (x) => flatten(x, 1) },
  { name: 'permute', inputs: [f(2, 3, 4)], run: (x) => permute(x, [2, 0, 1]) },
  { name: 'transpose', inputs: [f(2, 3, 4)], run: (x) => transpose(x, 0, -1) },
  { name: 'slice', variant: 'step 2', inputs: [f(7, 3)], run: (x) => slice(x, 0, 1, 6, 2) },
  { name: 'slice', variant: 'negative start', inputs: [f(3, 5)], run: (x) => slice(x, -1, -3) },
  // The gradient of a strided slice of the last axis, read through a permutation, is one scatterView.
  { name: 'slice', variant: 'step 2 on the last axis, permuted', inputs: [f(4, 6)], run: (x) => permute(slice(x, 1, 1, 6, 2), [1, 0]) },
  { name: 'narrow', inputs: [f(4, 5)], run: (x) => narrow(x, 1, 1, 3) },
  { name: 'expand', inputs: [f(3, 1)], run: (x) => expand(x, [2, 3, 4]) },
  { name: 'flip', inputs: [f(2, 3, 2)], run: (x) => flip(x, [0, 2]) },
  { name: 'squeeze', inputs: [f(2, 1, 3)], run: (x) => squeeze(x, 1) },
  { name: 'squeeze', variant: 'all', inputs: [f(1, 3, 1)], run: (x) => squeeze(x) },
  { name: 'unsqueeze', inputs: [f(2, 3)], run: (x) => unsqueeze(x, -1) },
  { name: 'unfold', variant: 'overlapping windows', inputs: [f(2, 7)], run: (x) => unfold(x, 1, 3, 2) },
  { name: 'unfold', variant: 'blocks', inputs: [f(6, 2)], run: (x) => unfold(x, 0, 2, 2) },
  { name: 'contiguous', inputs: [f(3, 4)], run: (x) => contiguous(x.transpose()) },
  {
    name: 'cast',
    variant: 'through float32',
    inputs: [f(2, 3)],
    run: (x) => cast(cast(x, 'float32'), 'float64'),
    // Rounding to float32 (ulp ~1e-7) needs a wider step for central differences.
    gradcheck: { step: 1e-2, tol: { rtol: 1e-4, atol: 1e-5 } },
  },
  { name: 'cast', variant: 'to int32 has no gradient', inputs: [f(2, 3)], run: (x) => cast(cast(x, 'int32'), x.dtype).add(x) },
  { name: 'pad', inputs: [f(2, 3)], run: (x) => pad(x, [[1, 0], [2, 1]], 0.5) },
  { name: 'cat', inputs: [f(2, 1), f(2, 3), f(2, 2)], run: (a, b, c) => cat([a, b, c], 1) },
  { name: 'stack', inputs: [f(2, 3), f(2, 3)], run: (a, b) => stack([a, b], 1) },

  // Across backends: the copy's gradient must come back to the input's backend and add to its other gradients there.
  {
    name: 'toBackend',
    variant: 'round trip, both paths reach x',
    inputs: [f(2, 3)],
    run: (x) => toBackend(toBackend(x, OTHER_BACKEND).tanh(), x.backend.name).mul(x),
  },
  { name: 'toBackend', variant: 'int32 copies, no gradient', inputs: [ints([2, 3], [0, 5])], run: (i) => toBackend(i, OTHER_BACKEND), grad: false },
  {
    name: 'toBackend',
    variant: 'of a transposed view',
    inputs: [f(3, 4)],
    run: (x) => toBackend(toBackend(x.transpose(), OTHER_BACKEND).tanh(), x.backend.name).mul(x.transpose()),
  },

  // Indexing.
  { name: 'gather', inputs: [f(2, 3), ints([2, 4], [0, 3])], run: (x, i) => gather(x, 1, i) },
  { name: 'gather', variant: 'axis 0', inputs: [f(3, 2), ints([4, 2], [0, 3])], run: (x, i) => gather(x, 0, i) },
  { name: 'indexSelect', inputs: [f(4, 3), exact([5], [3, 0, 3, 1, 2], 'int')], run: (x, i) => indexSelect(x, 0, i) },
  { name: 'scatterAdd', inputs: [f(3, 4), ints([2, 4], [0, 3]), f(2, 4)], run: (x, i, s) => scatterAdd(x, 0, i, s) },
  // gpu.js keys its lists by the axes where the index varies: along the axis only (indexSelect's gradient; src an
  // offset view), along the axis and a leading axis (a per-head index), and an index covering part of x (general lists).
  { name: 'scatterAdd', variant: 'index varies along the axis only', inputs: [f(4, 3), ints([5], [0, 4]), f(6, 3)],
    run: (x, i, s) => scatterAdd(x, 0, i.reshape([5, 1]).expand([5, 3]), s.slice(0, 1, 6)) },
  { name: 'scatterAdd', variant: 'per-head index', inputs: [f(2, 4, 3), ints([2, 5, 1], [0, 4]), f(2, 5, 3)],
    run: (x, i, s) => scatterAdd(x, 1, i.expand([2, 5, 3]), s) },
  { name: 'scatterAdd', variant: 'into part of x', inputs: [f(4, 4), ints([2, 3], [0, 4]), f(2, 3)], run: (x, i, s) => scatterAdd(x, 1, i, s) },
  { name: 'topk', inputs: [f(3, 5)], run: (x) => topk(x, 2).values },
  { name: 'topk', variant: 'smallest along axis 0', inputs: [f(4, 3)], run: (x) => topk(x, 3, { axis: 0, largest: false }).values },
  { name: 'topk', variant: 'indices', inputs: [f(3, 5)], run: (x) => topk(x, 2).indices, grad: false },
  { name: 'topk', variant: 'indices of the smallest', inputs: [f(3, 6)], run: (x) => topk(x, 2, { largest: false }).indices, grad: false },
  { name: 'embedding', inputs: [f(5, 3), ints([2, 3], [0, 5])], run: (w, ids) => embedding(w, ids) },

  // nn-ish compositions.
  { name: 'dropout', variant: 'seeded', inputs: [f(4, 5)], run: (x) => dropout(x, 0.3, { rng: createRng(7) }) },
  { name: 'layerNorm', inputs: [f(3, 5), f(5), f(5)], run: (x, w, b) => layerNorm(x, w, b) },
  { name: 'layerNorm', variant: 'no affine', inputs: [f(2, 2, 4)], run: (x) => layerNorm(x, undefined, undefined, 1e-12) },
  { name: 'layerNorm', variant: 'weight only', inputs: [f(2, 3, 4), f(4)], run: (x, w) => layerNorm(x, w) },
  { name: 'layerNorm', variant: 'bias only', inputs: [f(4, 3), f(3)], run: (x, b) => layerNorm(x, undefined, b, 1e-6) },
  { name: 'layerNorm', variant: 'one row, shared input feeds the residual', inputs: [f(6), f(6), f(6)], run: (x, w, b) => layerNorm(x, w, b).mul(x) },
  { name: 'crossEntropy', variant: 'ignoreIndex', inputs: [f(4, 5), exact([4], [1, -100, 4, 0], 'int')], run: (l, t) => crossEntropy(l, t) },
  { name: 'crossEntropy', variant: 'labelSmoothing, sum', inputs: [f(3, 4), exact([3], [2, 0, 3], 'int')], run: (l, t) => crossEntropy(l, t, { labelSmoothing: 0.1, reduction: 'sum' }) },
  { name: 'crossEntropy', variant: 'none, [2, 3] targets', inputs: [f(2, 3, 4), ints([2, 3], [0, 4])], run: (l, t) => crossEntropy(l, t, { reduction: 'none' }) },
];

/**
 * defineOp names that no public function carries, and the public ops whose rows exercise them.
 * scatterView is the gradient of every view op; topkIndices is topk's index kernel.
 */
export const INTERNAL_OPS: Readonly<Record<string, readonly string[]>> = {
  scatterView: ['permute', 'slice', 'expand', 'flip', 'unfold', 'transpose', 'narrow'],
  topkIndices: ['topk'],
};

/** Exports of engine/index.ts that are not ops (creation, registry, autograd control, interop, errors). */
export const NOT_OPS: readonly string[] = [
  // The error classes and their factories.
  'ArgumentError', 'CheckpointError', 'ConfigError', 'DataError', 'LsgradError', 'ShapeError', 'configError',
  // Anomaly detection.
  'AnomalyError', 'detectAnomaly', 'isAnomalyDetectionEnabled',
  'Rng', 'Tensor', 'arange', 'argumentError', 'createRng', 'defineOp', 'definedOpNames', 'fromNdarray', 'full',
  'fullLike', 'getBackend', 'getDefaultRng', 'isGradEnabled', 'listBackends', 'manualSeed', 'noGrad', 'ones',
  'onesLike', 'opError', 'rand', 'randint', 'randn', 'registerBackend', 'tensor', 'toNdarray', 'useBackend',
  'tidy', 'withBackend', 'zeros', 'zerosLike',
];

/** A 32-bit hash of a string, to give every row its own seed. */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * The row's inputs, float ones in `floatDtype`, drawn from a generator seeded by the row's label.
 * @example const xs = makeInputs(OP_CASES[0], 'float64'); OP_CASES[0].run(...xs);
 */
export function makeInputs(c: OpCase, floatDtype: DType, seed = 0): Tensor[] {
  const rng = createRng(hash(caseLabel(c)) ^ seed);
  return c.inputs.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const kind = spec.kind ?? 'float';
    let values: number[];
    if (spec.values) {
      values = [...spec.values];
    } else if (kind === 'bool') {
      values = Array.from({ length: size }, () => (rng.uniform() < 0.5 ? 1 : 0));
    } else if (kind === 'int') {
      const [lo, hi] = spec.range ?? [0, 3];
      values = Array.from({ length: size }, () => lo + rng.int(hi - lo));
    } else {
      const [lo, hi] = spec.range ?? [-2, 2];
      values = Array.from({ length: size }, () => {
        const magnitude = lo + (hi - lo) * rng.uniform();
        return spec.awayFromZero && rng.uniform() < 0.5 ? -magnitude : magnitude;
      });
    }
    const dtype: DType = kind === 'float' ? floatDtype : kind === 'int' ? 'int32' : 'bool';
    return tensor(values, { shape: [...spec.shape], dtype });
  });
}
