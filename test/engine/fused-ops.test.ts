// The fused GELU and layerNorm ops: same values and gradients as their compositions (which every
// backend without the fused kernels runs), and float32 results within an ulp of the exact value
// (gelu_new and its gradient within the bounds of the CPU backend's float32 kernel, rows.wat).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  createRng, gelu, geluNew, getBackend, layerNorm, randn, registerBackend, softmax, tensor, withBackend, type Backend, type Tensor,
} from '../../engine/index.js';
import { expForFloat32 } from '../../backends/cpu/fast-exp.js';
import { expectClose, F64_TOL } from '../helpers/close.js';
import { graphOps } from '../helpers/graph.js';

/** The CPU backend without its fused kernel pairs: the engine must fall back to the compositions. */
const FUSED_KERNELS = ['activation', 'layerNorm', 'softmax'];
const cpu = getBackend('cpu');

/** The CPU backend under another name, without the listed optional kernels. */
function cpuWithout(name: string, kernels: readonly string[]): void {
  const backend = Object.fromEntries(Object.entries(cpu).filter(([key]) => !kernels.includes(key)));
  registerBackend({ ...backend, name } as unknown as Backend);
}
cpuWithout('cpu-composed', FUSED_KERNELS);

interface FusedCase {
  label: string;
  /** The fused op's name, which must appear in the fused graph and not in the composed one. */
  op: string;
  shapes: readonly (readonly number[])[];
  run: (...inputs: Tensor[]) => Tensor;
}

const CASES: readonly FusedCase[] = [
  { label: 'gelu', op: 'gelu', shapes: [[4, 6]], run: (x) => gelu(x) },
  { label: 'geluNew', op: 'geluNew', shapes: [[4, 6]], run: (x) => geluNew(x) },
  { label: 'layerNorm, weight and bias', op: 'layerNorm', shapes: [[3, 4, 8], [8], [8]], run: (x, w, b) => layerNorm(x, w, b, 1e-12) },
  { label: 'layerNorm, weight only', op: 'layerNorm', shapes: [[5, 8], [8]], run: (x, w) => layerNorm(x, w) },
  { label: 'layerNorm, bias only', op: 'layerNorm', shapes: [[5, 8], [8]], run: (x, b) => layerNorm(x, undefined, b) },
  { label: 'layerNorm, neither', op: 'layerNorm', shapes: [[2, 3, 8]], run: (x) => layerNorm(x) },
  { label: 'softmax, last axis', op: 'softmax', shapes: [[3, 4, 7]], run: (x) => softmax(x) },
  { label: 'softmax, axis 1', op: 'softmax', shapes: [[3, 4, 7]], run: (x) => softmax(x, 1) },
];

/** Output and input gradients (for a fixed random upstream gradient) of `run` on the named backend. */
function valuesAndGradients(backend: string, c: FusedCase, seed: number) {
  return withBackend(backend, () => {
    const rng = createRng(seed);
    const inputs = c.shapes.map((shape) => randn(shape, { rng, dtype: 'float64', requiresGrad: true }).mul(3).detach());
    inputs.forEach((x) => (x.requiresGrad = true));
    const out = c.run(...inputs);
    const ops = graphOps(out); // before backward, which releases the graph
    out.backward(randn(out.shape, { rng, dtype: 'float64' }));
    return { out, ops, grads: inputs.map((x) => x.grad!) };
  });
}

for (const c of CASES) {
  test(`${c.label}: the fused op equals the composition a backend without the kernels runs`, () => {
    const fused = valuesAndGradients('cpu', c, 3);
    const composed = valuesAndGradients('cpu-composed', c, 3);
    assert.ok(fused.ops.has(c.op), `the fused graph records ${c.op} (got ${[...fused.ops]})`);
    assert.not.ok(composed.ops.has(c.op), `the composed graph has no ${c.op} node (got ${[...composed.ops]})`);
    expectClose(fused.out, composed.out, F64_TOL, `${c.label} values`);
    fused.grads.forEach((grad, k) => expectClose(grad, composed.grads[k]!, F64_TOL, `${c.label} gradient of input ${k}`));
  });
}

test('a backend offers a fused kernel with its backward or not at all', () => {
  const { softmax: pair } = cpu;
  // @ts-expect-error a forward without its backward does not compile
  const forwardOnly: Backend['softmax'] = { forward: pair!.forward };
  // @ts-expect-error nor a backward without its forward
  const backwardOnly: Backend['softmax'] = { backward: pair!.backward };
  assert.ok(forwardOnly && backwardOnly && typeof pair!.forward === 'function' && typeof pair!.backward === 'function');
});

/** Distance in float32 units in the last place between two float32 values. */
function ulpDistance(a: number, b: number): number {
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (i: number) => (bits[i]! < 0 ? -0x80000000 - bits[i]! : bits[i]!);
  return Math.abs(ordered(0) - ordered(1));
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * gelu_new in float64 from Math.tanh; for u < 0 as x·e^(2u)/(1 + e^(2u)), the same value without the
 * cancellation in 1 + tanh u (which would leave few correct digits in the far negative tail).
 */
function geluNewExact(x: number): number {
  const u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
  if (u >= 0) return 0.5 * x * (1 + Math.tanh(u));
  const e = Math.exp(2 * u);
  return (x * e) / (1 + e);
}

/** Exact GELU in float64 from the backend's double-precision erf, on float64 tensors. */
function geluExact(xs: readonly number[]): Float64Array {
  const x = tensor(xs, { dtype: 'float64' });
  return x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5).toTypedArray() as Float64Array;
}

/** Worst ulp distance of float32 `actual` from float64 `exact`, over values not float32-subnormal. */
function worstUlps(label: string, xs: readonly number[], actual: ArrayLike<number>, exact: ArrayLike<number>): number {
  let worst = 0;
  xs.forEach((x, i) => {
    // Below ~1e-30 "1 ulp" of float32 loses its meaning near subnormals; those must simply be tiny.
    if (Math.abs(exact[i]!) < 1e-30) return assert.ok(Math.abs(actual[i]!) < 1e-29, `${label}(${x}) = ${actual[i]}, expected ${exact[i]}`);
    worst = Math.max(worst, ulpDistance(actual[i]!, exact[i]!));
  });
  return worst;
}

const grid = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.fround(from + i * step));

/** Unit roundoff of float32. */
const U = 2 ** -24;

/**
 * The error rows.wat derives for its float32 gelu_new (the CPU backend's float32 path; the
 * TypeScript fallback keeps 1 ulp): with d = −2|u|, 4.5u relative for x ≥ 0, (4.6|d| + 5.4)u for
 * x < 0 (−2|u| rounded to float32 moves e^d by up to 4.6|d|·u), plus 2^−122 where e^d underflows and
 * 2^−149 for subnormal results; the gradient σ + T within (4.6|d| + 21)u·(|σ| + |T|) + 2^−118.
 */
function geluNewFloat32Bounds(x: number): { value: number; gradient: number } {
  const d = 2 * SQRT_2_OVER_PI * Math.abs(x + 0.044715 * x * x * x);
  const e = Math.exp(-d);
  const s = 1 / (1 + e);
  const q = e * s;
  const value = Math.abs(x) * (x >= 0 ? s : q);
  const slope = Math.abs(x * 2 * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x) * s * q);
  return {
    value: x >= 0 ? 4.5 * U * value + 2 ** -149 : (4.6 * d + 5.4) * U * value + 2 ** -122,
    gradient: (4.6 * d + 21) * U * ((x >= 0 ? s : q) + slope) + 2 ** -118,
  };
}

test('geluNew in float32 is within the float32 kernel\'s bound of the float64 value (Math.tanh), over [-12, 12]', () => {
  const xs = grid(-12, 12, 0.003);
  const actual = geluNew(tensor(xs, { dtype: 'float32' })).toTypedArray();
  xs.forEach((x, i) => {
    const exact = geluNewExact(x);
    const bound = geluNewFloat32Bounds(x).value;
    assert.ok(Math.abs(actual[i]! - exact) <= bound, `geluNew(${x}) = ${actual[i]}, in float64 ${exact} (bound ${bound})`);
  });
  // Where e^(−2|u|) is near 1 the bound is a few ulp; the rounding of d only matters in the tail.
  const near = xs.flatMap((x, i) => (Math.abs(x) <= 1 ? [i] : []));
  const nearUlps = worstUlps('geluNew', near.map((i) => xs[i]!), near.map((i) => actual[i]!), near.map((i) => geluNewExact(xs[i]!)));
  assert.ok(nearUlps <= 3, `geluNew float32 on [−1, 1]: worst error ${nearUlps} ulp`);
});

test('gelu in float32 is within 1 ulp of the float64 value, over [-3, 10]', () => {
  // NOTE: below −3 the float64 reference ½x(1 + erf) itself loses digits to cancellation.
  const xs = grid(-3, 10, 0.003);
  const actual = gelu(tensor(xs, { dtype: 'float32' })).toTypedArray();
  const worst = worstUlps('gelu', xs, actual, geluExact(xs));
  assert.ok(worst <= 1, `gelu float32: worst error ${worst} ulp`);
});

test('the float32 kernels\' exp is within 3e-10 of Math.exp, and exact at the edges', () => {
  let worst = 0;
  for (let i = 0; i <= 200_000; i++) {
    const x = -700 + i * 0.007;
    worst = Math.max(worst, Math.abs(expForFloat32(x) / Math.exp(x) - 1));
  }
  assert.ok(worst < 3e-10, `worst relative error ${worst}`);
  assert.equal([expForFloat32(0), expForFloat32(800), expForFloat32(-800), expForFloat32(-Infinity)], [1, Infinity, 0, 0]);
  assert.ok(Number.isNaN(expForFloat32(NaN)));
});

test('softmax in float32 is within 1 ulp of float64, and geluNew\'s gradient within the float32 kernel\'s bound', () => {
  const rng = createRng(11);
  // float64 values that float32 holds exactly, so both dtypes see the same inputs.
  const x = randn([64, 161], { rng, dtype: 'float64' }).mul(6).cast('float32').cast('float64');
  const single = softmax(x.cast('float32')).toTypedArray();
  const exact = softmax(x).toTypedArray();
  const xs = Array.from(x.toTypedArray());
  const softmaxUlps = worstUlps('softmax', xs, single, exact);
  assert.ok(softmaxUlps <= 1, `softmax float32: worst error ${softmaxUlps} ulp`);
  const gradientAt = (dtype: 'float32' | 'float64') => {
    const leaf = x.cast(dtype).detach();
    leaf.requiresGrad = true;
    geluNew(leaf).sum().backward();
    return leaf.grad!.toTypedArray();
  };
  const [single32, exact64] = [gradientAt('float32'), gradientAt('float64')];
  xs.forEach((v, i) => {
    const bound = geluNewFloat32Bounds(v).gradient;
    assert.ok(Math.abs(single32[i]! - exact64[i]!) <= bound, `geluNew′(${v}) = ${single32[i]}, in float64 ${exact64[i]} (bound ${bound})`);
  });
});

test('layerNorm in float32 matches float64 to float32 precision', () => {
  const rng = createRng(5);
  const x = randn([16, 64], { rng, dtype: 'float64' }).mul(4).add(2);
  const w = randn([64], { rng, dtype: 'float64' });
  const b = randn([64], { rng, dtype: 'float64' });
  const exact = layerNorm(x, w, b, 1e-12);
  const single = layerNorm(x.cast('float32'), w.cast('float32'), b.cast('float32'), 1e-12);
  expectClose(single, exact, { rtol: 1e-6, atol: 1e-6 }, 'float32 layerNorm');
});

test('layerNorm with a strided (transposed) input runs the fused kernel on the right elements', () => {
  const rng = createRng(9);
  const stored = randn([8, 5], { rng, dtype: 'float64' });
  const fused = layerNorm(stored.transpose(), undefined, undefined);
  const composed = withBackend('cpu-composed', () => layerNorm(stored.toBackend('cpu-composed').transpose()));
  expectClose(fused, composed.toBackend('cpu'), F64_TOL, 'transposed input');
});

test.run();
