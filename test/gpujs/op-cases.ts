// The gpujs parity table: every engine op, forward and gradient, on small random inputs.
// Each case builds its inputs on the CPU backend from a seed; the harness copies them to the backend under test.
import * as E from '../../engine/index.js';
import { createRng, tensor, type Tensor } from '../../engine/index.js';

export type Domain = 'normal' | 'positive' | 'int' | 'bool' | 'index';

export interface InputSpec {
  shape: readonly number[];
  domain?: Domain;
  /** For 'int' and 'index': values in [0, high). */
  high?: number;
  /** Differentiate with respect to this input (float inputs only; default true for floats). */
  grad?: boolean;
}

export interface OpCase {
  name: string;
  /** Engine op names this row exercises (checked against definedOpNames). */
  covers: readonly string[];
  inputs: readonly InputSpec[];
  run: (...xs: Tensor[]) => Tensor;
}

const f = (...shape: number[]): InputSpec => ({ shape });
const pos = (...shape: number[]): InputSpec => ({ shape, domain: 'positive' });
const idx = (high: number, ...shape: number[]): InputSpec => ({ shape, domain: 'index', high });

export const OP_CASES: readonly OpCase[] = [
  // elementwise, with broadcasting and non-contiguous operands
  { name: 'add broadcast', covers: ['add', 'expand'], inputs: [f(2, 3, 4), f(3, 1)], run: (a, b) => a.add(b) },
  { name: 'sub transposed', covers: ['sub', 'permute'], inputs: [f(3, 4), f(4, 3)], run: (a, b) => a.sub(b.transpose()) },
  { name: 'mul scalar and tensor', covers: ['mul'], inputs: [f(2, 5), f(5)], run: (a, b) => a.mul(b).mul(1.5) },
  { name: 'div', covers: ['div'], inputs: [f(3, 4), pos(3, 4)], run: (a, b) => a.div(b.add(0.5)) },
  { name: 'pow positive base', covers: ['pow'], inputs: [pos(3, 4), f(3, 4)], run: (a, b) => a.add(0.5).pow(b.mul(0.5)) },
  { name: 'pow integer exponent', covers: ['pow'], inputs: [f(6)], run: (a) => a.pow(3) },
  { name: 'maximum', covers: ['maximum'], inputs: [f(4, 3), f(3)], run: (a, b) => a.maximum(b) },
  { name: 'minimum', covers: ['minimum'], inputs: [f(4, 3), f(4, 3)], run: (a, b) => a.minimum(b) },
  { name: 'clamp', covers: ['maximum', 'minimum'], inputs: [f(10)], run: (a) => a.clamp(-0.5, 0.5) },
  { name: 'comparisons', covers: ['eq', 'ne', 'lt', 'le', 'gt', 'ge'], inputs: [f(3, 4), f(4)], run: (a, b) =>
    E.stack([a.eq(a), a.ne(b), a.lt(b), a.le(b), a.gt(b), a.ge(b)].map((c) => c.float())) },
  { name: 'where', covers: ['where'], inputs: [f(3, 4), f(3, 4), f(4)], run: (c, a, b) => E.where(c.gt(0), a, b) },
  { name: 'maskedFill', covers: ['where'], inputs: [f(2, 5), { shape: [5], domain: 'bool' }], run: (a, m) => a.maskedFill(m, -1e4) },
  { name: 'neg', covers: ['neg'], inputs: [f(2, 3)], run: (a) => a.neg() },
  { name: 'exp', covers: ['exp'], inputs: [f(2, 3)], run: (a) => a.exp() },
  { name: 'log', covers: ['log'], inputs: [pos(2, 3)], run: (a) => a.add(0.1).log() },
  { name: 'sqrt', covers: ['sqrt'], inputs: [pos(2, 3)], run: (a) => a.add(0.1).sqrt() },
  { name: 'rsqrt', covers: ['sqrt', 'reciprocal'], inputs: [pos(2, 3)], run: (a) => a.add(0.1).rsqrt() },
  { name: 'abs', covers: ['abs'], inputs: [f(7)], run: (a) => a.abs() },
  { name: 'sign', covers: ['sign'], inputs: [f(7)], run: (a) => a.sign().add(a) },
  { name: 'tanh', covers: ['tanh'], inputs: [f(3, 3)], run: (a) => a.mul(2).tanh() },
  { name: 'sigmoid', covers: ['sigmoid'], inputs: [f(3, 3)], run: (a) => a.mul(3).sigmoid() },
  { name: 'relu', covers: ['relu'], inputs: [f(3, 3)], run: (a) => a.relu() },
  { name: 'erf', covers: ['erf'], inputs: [f(3, 3)], run: (a) => a.mul(1.5).erf() },
  { name: 'reciprocal', covers: ['reciprocal'], inputs: [pos(4)], run: (a) => a.add(0.5).reciprocal() },
  { name: 'gelu', covers: ['gelu', 'erf'], inputs: [f(2, 4)], run: (a) => a.gelu() },
  { name: 'geluNew', covers: ['geluNew', 'tanh'], inputs: [f(2, 4)], run: (a) => a.geluNew() },
  // reductions
  { name: 'sum all', covers: ['sum'], inputs: [f(3, 4)], run: (a) => a.sum() },
  { name: 'sum axes of a permuted view', covers: ['sum', 'permute'], inputs: [f(2, 3, 4)], run: (a) => a.permute([2, 0, 1]).sum([0, 2], true) },
  { name: 'mean', covers: ['sum'], inputs: [f(3, 5)], run: (a) => a.mean(-1) },
  { name: 'max axis', covers: ['max'], inputs: [f(4, 5)], run: (a) => a.max(1) },
  { name: 'min all', covers: ['min'], inputs: [f(4, 5)], run: (a) => a.min() },
  { name: 'argmax argmin', covers: ['argmax', 'argmin'], inputs: [f(4, 5)], run: (a) => E.stack([a.argmax(1), a.argmin(0).slice(0, 0, 4)]).float() },
  { name: 'var', covers: ['sum'], inputs: [f(3, 6)], run: (a) => a.var(-1) },
  { name: 'logSumExp', covers: ['max', 'exp', 'log'], inputs: [f(3, 6)], run: (a) => a.logSumExp(-1) },
  // linear algebra and composites
  { name: 'matmul 2-D', covers: ['matmul'], inputs: [f(3, 5), f(5, 4)], run: (a, b) => a.matmul(b) },
  { name: 'matmul batched, transposed b', covers: ['matmul'], inputs: [f(2, 3, 5), f(2, 4, 5)], run: (a, b) => a.matmul(b.transpose()) },
  { name: 'matmul broadcast batch', covers: ['matmul'], inputs: [f(2, 1, 3, 4), f(3, 4, 2)], run: (a, b) => a.matmul(b) },
  { name: 'matmul shared weight', covers: ['matmul'], inputs: [f(2, 3, 4), f(4, 5)], run: (a, b) => a.matmul(b) },
  { name: 'matmul vector', covers: ['matmul'], inputs: [f(4), f(4, 3)], run: (a, b) => E.matmul(a, b) },
  { name: 'softmax last axis', covers: ['softmax'], inputs: [f(3, 5)], run: (a) => a.mul(2).softmax(-1) },
  { name: 'softmax middle axis', covers: ['softmax'], inputs: [f(2, 4, 3)], run: (a) => a.softmax(1) },
  { name: 'logSoftmax', covers: ['max'], inputs: [f(3, 5)], run: (a) => a.logSoftmax(-1) },
  { name: 'layerNorm', covers: ['layerNorm', 'sum'], inputs: [f(3, 6), f(6), f(6)], run: (x, w, b) => E.layerNorm(x, w, b, 1e-5) },
  { name: 'crossEntropy', covers: ['gather'], inputs: [f(5, 4), idx(4, 5)], run: (logits, target) => E.crossEntropy(logits, target) },
  { name: 'dropout', covers: ['mul'], inputs: [f(4, 6)], run: (a) => E.dropout(a, 0.3, { rng: createRng(7) }) },
  // movement
  { name: 'reshape copy of a transposed view', covers: ['reshape', 'permute'], inputs: [f(3, 4)], run: (a) => a.transpose().reshape([2, 6]) },
  { name: 'flatten unsqueeze squeeze', covers: ['reshape'], inputs: [f(2, 1, 3)], run: (a) => a.squeeze(1).unsqueeze(0).flatten() },
  { name: 'slice with step', covers: ['slice'], inputs: [f(7, 3)], run: (a) => a.slice(0, 1, 7, 2) },
  { name: 'narrow', covers: ['slice'], inputs: [f(4, 6)], run: (a) => a.narrow(1, 2, 3) },
  { name: 'expand', covers: ['expand'], inputs: [f(3, 1)], run: (a) => a.expand([2, 3, 4]) },
  { name: 'flip', covers: ['flip'], inputs: [f(3, 4)], run: (a) => a.flip([0, 1]).mul(a) },
  { name: 'unfold without overlap', covers: ['unfold'], inputs: [f(2, 6)], run: (a) => a.unfold(1, 3, 3) },
  { name: 'unfold with overlap', covers: ['unfold'], inputs: [f(2, 6)], run: (a) => a.unfold(1, 3, 1) },
  { name: 'contiguous', covers: ['contiguous'], inputs: [f(3, 4)], run: (a) => a.transpose().contiguous() },
  { name: 'cat', covers: ['cat'], inputs: [f(2, 3), f(2, 2), f(2, 1)], run: (a, b, c) => E.cat([a, b.mul(2), c], 1) },
  { name: 'stack', covers: ['cat', 'reshape'], inputs: [f(3), f(3)], run: (a, b) => E.stack([a, b], 0) },
  { name: 'pad', covers: ['pad'], inputs: [f(2, 3)], run: (a) => a.pad([[1, 0], [2, 1]], 0.5) },
  { name: 'cast round trip', covers: ['cast'], inputs: [f(2, 3)], run: (a) => a.mul(3).int().float().add(a) },
  // indexing
  { name: 'gather', covers: ['gather'], inputs: [f(3, 5), idx(5, 3, 4)], run: (a, i) => a.gather(1, i) },
  { name: 'indexSelect', covers: ['gather'], inputs: [f(4, 3), idx(4, 6)], run: (a, i) => a.indexSelect(0, i) },
  { name: 'scatterAdd', covers: ['scatterAdd'], inputs: [f(3, 4), idx(4, 3, 5), f(3, 5)], run: (x, i, s) => x.scatterAdd(1, i, s) },
  // gpujs keys its lists by the axes where the index varies: along the axis only (indexSelect's gradient; src an
  // offset view), along the axis and a leading axis (a per-head index), and an index covering part of x (general lists).
  { name: 'scatterAdd along one axis', covers: ['scatterAdd'], inputs: [f(4, 3), idx(4, 5), f(6, 3)],
    run: (x, i, s) => x.scatterAdd(0, i.reshape([5, 1]).expand([5, 3]), s.slice(0, 1, 6)) },
  { name: 'scatterAdd per-head index', covers: ['scatterAdd'], inputs: [f(2, 4, 3), idx(4, 2, 5, 1), f(2, 5, 3)],
    run: (x, i, s) => x.scatterAdd(1, i.expand([2, 5, 3]), s) },
  { name: 'scatterAdd into part of x', covers: ['scatterAdd'], inputs: [f(4, 4), idx(4, 2, 3), f(2, 3)], run: (x, i, s) => x.scatterAdd(1, i, s) },
  { name: 'topk', covers: ['topkIndices', 'gather'], inputs: [f(3, 6)], run: (a) => a.topk(3).values },
  { name: 'topk indices', covers: ['topkIndices'], inputs: [f(3, 6)], run: (a) => a.topk(2, { largest: false }).indices.float() },
  { name: 'embedding', covers: ['gather'], inputs: [f(5, 3), idx(5, 2, 3)], run: (w, ids) => E.embedding(w, ids) },
  { name: 'scatterView (gradient of a strided slice)', covers: ['scatterView'], inputs: [f(4, 6)], run: (a) => a.slice(1, 1, 6, 2).permute([1, 0]) },
  // Reading a transposed view into the CPU backend and back: the gradient of each copy returns to where its input lives.
  // (On the CPU reference both copies are the same tensor, so this row checks the gpujs side against plain ops.)
  { name: 'toBackend round trip through cpu', covers: ['toBackend', 'permute', 'tanh', 'mul'], inputs: [f(3, 4)],
    run: (a) => E.toBackend(E.toBackend(a.transpose(), 'cpu').tanh(), a.backend.name).mul(a.transpose()) },
];

/** Deterministic inputs for one case, on the CPU backend. */
export function caseInputs(opCase: OpCase, seed: number): Tensor[] {
  const rng = createRng(seed);
  return opCase.inputs.map((spec) => {
    const size = spec.shape.reduce((p, d) => p * d, 1);
    const domain = spec.domain ?? 'normal';
    if (domain === 'index' || domain === 'int') {
      const high = spec.high ?? 5;
      return tensor(Int32Array.from({ length: size }, () => rng.int(high)), { shape: spec.shape, dtype: 'int32' });
    }
    if (domain === 'bool') return tensor(Uint8Array.from({ length: size }, () => (rng.uniform() < 0.5 ? 1 : 0)), { shape: spec.shape, dtype: 'bool' });
    const values = Float32Array.from({ length: size }, () => (domain === 'positive' ? rng.uniform() * 2 : rng.normal()));
    return tensor(values, { shape: spec.shape });
  });
}

export function wantsGrad(spec: InputSpec): boolean {
  const domain = spec.domain ?? 'normal';
  return (spec.grad ?? true) && (domain === 'normal' || domain === 'positive');
}
