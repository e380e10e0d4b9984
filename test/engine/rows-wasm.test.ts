// The WebAssembly row kernels (rows.wat: softmax, layer norm, gelu_new, forward and backward): the
// committed bytes are the assembly of the .wat, the float32 CPU kernels take the wasm path, and
// they give the float64 TypeScript kernels' values within float32 rounding on odd shapes, strided
// views, several chunks, masked and NaN rows; softmax and its gradient within the per-element
// bounds rows.wat derives for its float32 arithmetic, on extreme rows too; gelu_new and its gradient
// within theirs on a dense sweep of float32 x, with ±0, ±∞, NaN and huge x at their limits;
// LSGRAD_WASM=0 switches the path off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createRng, MASK_VALUE, randn, tensor, type Rng, type Tensor, type TypedArray, type View } from '../../engine/index.js';
import { activation, activationGrad } from '../../backends/cpu/activations.js';
import { layerNorm, layerNormGrad } from '../../backends/cpu/layernorm.js';
import { softmax, softmaxGrad } from '../../backends/cpu/reduce.js';
import { ROWS_WASM_BASE64 } from '../../backends/cpu/wasm/rows-wasm.generated.js';
import { wasmGeluNew, wasmGeluNewGrad, wasmLayerNorm, wasmSoftmax } from '../../backends/cpu/wasm/rows-wasm.js';
import { decodeWasm, wasmSwitchedOff } from '../../backends/cpu/wasm/instantiate.js';
import { assemble, WASM_MODULES } from '../../scripts/build-wasm.js';
import { expectClose, F32_TOL } from '../helpers/close.js';

/** The CPU backend's tensors are views of typed arrays: the kernels take them as they are. */
const asView = (x: Tensor) => x as unknown as View<TypedArray>;
/** The same values as float32 (wasm) and float64 (the TypeScript loops). */
const both = (x: Tensor) => ({ single: asView(x.cast('float32')), double: asView(x.cast('float64')) });

test('the committed module is the assembly of rows.wat (run npm run build:wasm after editing it)', async () => {
  const assembled = await assemble(WASM_MODULES.rows);
  assert.equal(Buffer.from(ROWS_WASM_BASE64, 'base64').toString('hex'), Buffer.from(assembled).toString('hex'));
});

// Under LSGRAD_WASM=0 the path is off on purpose (the last test checks that).
(wasmSwitchedOff() ? test.skip : test)('float32 takes the wasm path; float64, and rows whose width is not a multiple of 4, do not', () => {
  const floats = { data: new Float32Array(24).fill(1), start: 0 };
  const newOutput = (size: number) => new Float32Array(size);
  assert.ok(wasmSoftmax(floats, 24, 8, newOutput) instanceof Float32Array);
  assert.ok(wasmGeluNew(floats, 23, newOutput) instanceof Float32Array);
  assert.is(wasmSoftmax(floats, 24, 6, newOutput), null);
  assert.is(wasmLayerNorm({ data: new Float64Array(24), start: 0 }, null, null, 24, 8, 1e-5, newOutput), null);
});

// Rows × width: one row, widths 4…4096, and more rows than one chunk holds (16,384 floats).
const ROW_SHAPES = [[1, 4], [3, 8], [5, 68], [300, 64], [6, 4096]] as const;

test('softmax and its gradient: wasm float32 equals the float64 kernel, with masked keys and a strided input', () => {
  const rng = createRng(21);
  for (const [rows, width] of ROW_SHAPES) {
    // Scores with some keys masked out (they must get exactly zero weight), read through a transpose.
    const scores = randn([width, rows], { rng, dtype: 'float64' }).mul(5).transpose();
    const masked = scores.add(tensor(Array.from({ length: width }, (_, j) => (j % 3 === 2 ? MASK_VALUE : 0)), { dtype: 'float64' }));
    const x = both(masked);
    const exact = softmax(x.double);
    const fast = softmax(x.single);
    assert.ok(fast instanceof Float32Array);
    expectClose(fast, exact, F32_TOL, `softmax [${rows}, ${width}]`);
    fast.forEach((p, i) => { if ((i % width) % 3 === 2) assert.is(p, 0, `a masked key's weight in [${rows}, ${width}]`); });
    const y = tensor(exact, { shape: [rows, width], dtype: 'float64' });
    const dy = randn([rows, width], { rng, dtype: 'float64' });
    expectClose(softmaxGrad(both(y).single, both(dy).single), softmaxGrad(asView(y), asView(dy)), F32_TOL, `softmax gradient [${rows}, ${width}]`);
  }
});

test('softmax of a row holding NaN is NaN, as the TypeScript kernel', () => {
  const x = tensor([[1, Number.NaN, 2, 3], [1, 2, 3, 4]], { dtype: 'float32' });
  const out = softmax(asView(x));
  assert.ok([0, 1, 2, 3].every((i) => Number.isNaN(out[i]!)));
  assert.ok([4, 5, 6, 7].every((i) => Number.isFinite(out[i]!)));
});

/** Unit roundoff of float32. */
const U = 2 ** -24;
const view = (data: Float32Array | Float64Array, width: number) => ({ storage: data, shape: [data.length / width, width], strides: [width, 1], offset: 0, dtype: data instanceof Float32Array ? 'float32' : 'float64' }) as unknown as View<TypedArray>;

/** Rows of scaled normal scores, some with −∞, ±1e30 or MASK_VALUE entries, one of all MASK_VALUE. */
function extremeRows(rng: Rng, rows: number, width: number, scale: number): Float32Array {
  const x = Float32Array.from({ length: rows * width }, () => rng.normal() * scale);
  const specials = [-Infinity, 1e30, -1e30, MASK_VALUE];
  for (let row = 1; row < rows; row++) {
    for (let n = 0; n < 1 + (row % 3); n++) x[row * width + rng.int(width)] = specials[(row + n) % specials.length]!;
  }
  x.fill(MASK_VALUE, 0, width); // every weight 1/width
  return x;
}

(wasmSwitchedOff() ? test.skip : test)('softmax: each float32 weight within (15 + |x − max| + ln width)·2^−24 of the weight in doubles, relative, on extreme rows', () => {
  // rows.wat derives (14 + |x − max| + ln width)·u to first order; one more u covers the rest. The
  // absolute 2^−126: weights below the normal float32 range may come out 0.
  const rng = createRng(24);
  for (const width of [4, 8, 12, 36, 64, 4096]) {
    for (const scale of [1, 10, 40]) {
      const x = extremeRows(rng, 9, width, scale);
      const fast = wasmSoftmax({ data: x, start: 0 }, x.length, width, (n) => new Float32Array(n))!;
      const exact = softmax(view(Float64Array.from(x), width));
      for (let row = 0; row < x.length; row += width) {
        const peak = Math.max(...x.subarray(row, row + width));
        for (let i = row; i < row + width; i++) {
          const relative = exact[i] === 0 ? 0 : (15 + Math.abs(x[i]! - peak) + Math.log(width)) * U * exact[i]!; // not ∞·0
          const bound = relative + 2 ** -126;
          if (!(Math.abs(fast[i]! - exact[i]!) <= bound)) {
            assert.unreachable(`softmax width ${width}, scale ${scale}, index ${i} (x ${x[i]}, max ${peak}): ${fast[i]}, in doubles ${exact[i]}`);
          }
        }
      }
      for (let i = 0; i < width; i++) assert.is(fast[i], Math.fround(1 / width), 'a row of all MASK_VALUE is uniform');
    }
  }
});

(wasmSwitchedOff() ? test.skip : test)('softmax of rows of all −∞, holding NaN or +∞ is NaN as in the TypeScript kernel; −∞ and −1e30 entries weigh exactly 0', () => {
  const width = 12;
  const rows = [
    Array(width).fill(-Infinity),
    [Number.NaN, ...Array(width - 1).fill(-Infinity)],
    [...Array(width - 1).fill(0), Number.NaN],
    [Infinity, ...Array(width - 1).fill(1)],
    [3, -Infinity, -1e30, 1e30, ...Array(width - 4).fill(-Infinity)],
  ];
  const x = Float32Array.from(rows.flat());
  const fast = wasmSoftmax({ data: x, start: 0 }, x.length, width, (n) => new Float32Array(n))!;
  const reference = softmax(view(Float64Array.from(x), width));
  for (let i = 0; i < 4 * width; i++) assert.ok(Number.isNaN(fast[i]!) && Number.isNaN(reference[i]!), `index ${i}: ${fast[i]}`);
  assert.equal([...fast.subarray(4 * width)], [0, 0, 0, 1, ...Array(width - 4).fill(0)]);
});

(wasmSwitchedOff() ? test.skip : test)('softmax gradient: each float32 element within 2.1·2^−24·|y|·(|dy − Σ dy⊙y| + Σ|dy⊙y|) of the gradient in doubles', () => {
  // rows.wat derives 2u·|y|·(…) to first order; the 0.1 covers second-order terms, and 2^−149 the
  // rounding of results below the normal float32 range (the weights of extreme rows reach there).
  const rng = createRng(25);
  for (const width of [4, 12, 64, 4096]) {
    for (const scale of [1, 10]) {
      const y = wasmSoftmax({ data: extremeRows(rng, 7, width, scale), start: 0 }, 7 * width, width, (n) => new Float32Array(n))!;
      const dy = Float32Array.from({ length: y.length }, () => rng.normal() * 3);
      const fast = softmaxGrad(view(y, width), view(dy, width));
      assert.ok(fast instanceof Float32Array);
      const exact = softmaxGrad(view(Float64Array.from(y), width), view(Float64Array.from(dy), width));
      for (let row = 0; row < y.length; row += width) {
        let dot = 0;
        let magnitude = 0;
        for (let i = row; i < row + width; i++) {
          dot += y[i]! * dy[i]!;
          magnitude += Math.abs(y[i]! * dy[i]!);
        }
        for (let i = row; i < row + width; i++) {
          const bound = 2.1 * U * Math.abs(y[i]!) * (Math.abs(dy[i]! - dot) + magnitude) + 2 ** -149;
          if (!(Math.abs(fast[i]! - exact[i]!) <= bound)) {
            assert.unreachable(`softmax gradient width ${width}, index ${i}: ${fast[i]}, in doubles ${exact[i]} (bound ${bound})`);
          }
        }
      }
    }
  }
});

test('layerNorm and its gradient: wasm float32 equals the float64 kernel, with and without weight and bias', () => {
  const rng = createRng(22);
  for (const [rows, width] of ROW_SHAPES) {
    const x = both(randn([rows, width], { rng, dtype: 'float64' }).mul(3).add(1));
    const weight = both(randn([width], { rng, dtype: 'float64' }));
    const bias = both(randn([width], { rng, dtype: 'float64' }));
    const dy = both(randn([rows, width], { rng, dtype: 'float64' }));
    for (const affine of [true, false]) {
      const label = `layerNorm [${rows}, ${width}]${affine ? '' : ' without weight and bias'}`;
      const fast = layerNorm(x.single, affine ? weight.single : null, affine ? bias.single : null, 1e-5);
      assert.ok(fast instanceof Float32Array);
      expectClose(fast, layerNorm(x.double, affine ? weight.double : null, affine ? bias.double : null, 1e-5), F32_TOL, label);
      const fastGrads = layerNormGrad(x.single, affine ? weight.single : null, dy.single, 1e-5);
      const exactGrads = layerNormGrad(x.double, affine ? weight.double : null, dy.double, 1e-5);
      for (const name of ['dx', 'dweight', 'dbias'] as const) expectClose(fastGrads[name], exactGrads[name], F32_TOL, `${label}: ${name}`);
    }
  }
});

test('gelu_new and its gradient: wasm float32 equals the float64 kernel on odd sizes, several chunks and a strided input', () => {
  const rng = createRng(23);
  for (const size of [1, 3, 4, 37, 20_001]) {
    const values = randn([size], { rng, dtype: 'float64' }).mul(4);
    // Extremes: where e^(−2u) leaves the float32 range either way.
    const x = both(size > 8 ? values.add(tensor([-30, -12, 0, 12, 30, ...Array(size - 5).fill(0)], { dtype: 'float64' })) : values);
    const dy = both(randn([size], { rng, dtype: 'float64' }));
    const fast = activation('geluNew', x.single);
    assert.ok(fast instanceof Float32Array);
    expectClose(fast, activation('geluNew', x.double), F32_TOL, `geluNew [${size}]`);
    expectClose(activationGrad('geluNew', x.single, dy.single), activationGrad('geluNew', x.double, dy.double), F32_TOL, `geluNew gradient [${size}]`);
  }
  const strided = randn([40, 6], { rng, dtype: 'float64' }).transpose();
  expectClose(activation('geluNew', both(strided).single), activation('geluNew', both(strided).double), F32_TOL, 'geluNew of a transposed view');
});

(wasmSwitchedOff() ? test.skip : test)('the float32 exp of softmax and gelu_new: within 1.18 ulp of e^d for float32 d in [−88, 0] where e^d is normal, within 2^−126 below', () => {
  // Its own instance: the module exports $exp (no shift) for this test only.
  const k = new WebAssembly.Instance(new WebAssembly.Module(decodeWasm(ROWS_WASM_BASE64)), {}).exports as unknown as {
    memory: WebAssembly.Memory; exp(from: number, to: number, floats: number): void;
  };
  // Every 1021st float32 bit pattern from −0 to −88, then specials (NaN stays NaN; −∞ and far below −88 give 0).
  const bits: number[] = [];
  for (let b = 0x80000000; b <= 0xc2b00000; b += 1021) bits.push(b);
  const sweep = new Float32Array(Uint32Array.from(bits).buffer);
  const d = Float32Array.from([...sweep, -88, 0, Number.NaN, -Infinity, -1e30, -100, -87.68, -87.34, 0, 0]); // a multiple of 4
  k.memory.grow(Math.ceil((8 * d.length) / 65536));
  new Float32Array(k.memory.buffer, 0, d.length).set(d);
  k.exp(0, 4 * d.length, d.length);
  const e = new Float32Array(k.memory.buffer, 4 * d.length, d.length);
  let worst = 0;
  for (let i = 0; i < d.length; i++) {
    const exact = Math.exp(d[i]!);
    if (Number.isNaN(exact)) {
      assert.ok(Number.isNaN(e[i]!), `e^NaN = ${e[i]}`);
    } else if (exact >= 2 ** -126) {
      const ulps = Math.abs(e[i]! - exact) / 2 ** (Math.floor(Math.log2(exact)) - 23);
      if (!(ulps <= 1.18)) assert.unreachable(`e^${d[i]} = ${e[i]}, in doubles ${exact}: ${ulps} ulp`);
      worst = Math.max(worst, ulps);
    } else if (!(Math.abs(e[i]! - exact) < 2 ** -126)) {
      assert.unreachable(`e^${d[i]} = ${e[i]}, in doubles ${exact}`);
    }
  }
  assert.ok(worst > 0.5, `the sweep reaches the rounding's scale (worst ${worst} ulp)`);
  assert.equal([e[d.length - 7], e[d.length - 9]], [0, 1], 'e^−∞ = 0 and e^0 = 1 exactly');
});

/** gelu_new in doubles as rows.wat computes it (e = e^(−2|u|), no overflow), with its gradient's two terms. */
function geluNewInDoubles(x: number): { y: number; d: number; sigma: number; slope: number } {
  const c = Math.sqrt(2 / Math.PI);
  const d = -2 * c * Math.abs(x + 0.044715 * x * x * x);
  const e = Math.exp(d);
  const s = 1 / (1 + e);
  const q = e * s;
  return { y: x >= 0 ? x * s : x * q, d, sigma: x >= 0 ? s : q, slope: x * 2 * c * (1 + 3 * 0.044715 * x * x) * s * q };
}

/** Every `stride`-th float32 in [−16, 16] by bit pattern (dense near 0 and at every scale), and [−12, 12] in steps of 2^−10. */
function geluSweep(stride: number): Float32Array {
  const bits: number[] = [];
  for (let b = 0; b <= 0x41800000; b += stride) bits.push(b, (b | 0x80000000) >>> 0);
  const x = new Float32Array(Uint32Array.from(bits).buffer);
  return Float32Array.from([...x, ...Array.from({ length: 24 * 1024 + 1 }, (_, i) => -12 + i / 1024)]);
}

const newFloats = (n: number) => new Float32Array(n);

(wasmSwitchedOff() ? test.skip : test)('gelu_new: each float32 result within 4.5·2^−24 relative of the result in doubles for x ≥ 0, (4.6|d| + 5.4)·2^−24 (+ 2^−122) for x < 0', () => {
  // rows.wat derives both, d = −2|u|, to first order (the second-order terms are under 1e−4 of the
  // bound). 2^−149: a subnormal result's rounding.
  const x = geluSweep(4099);
  const fast = wasmGeluNew({ data: x, start: 0 }, x.length, newFloats)!;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const { y, d } = geluNewInDoubles(x[i]!);
    const bound = x[i]! >= 0 ? 4.5 * U * Math.abs(y) + 2 ** -149 : (4.6 * Math.abs(d) + 5.4) * U * Math.abs(y) + 2 ** -122;
    const error = Math.abs(fast[i]! - y);
    if (!(error <= bound)) assert.unreachable(`gelu_new(${x[i]}) = ${fast[i]}, in doubles ${y} (bound ${bound})`);
    worst = Math.max(worst, error / bound);
  }
  assert.ok(worst > 0.1, `the sweep reaches the bound's scale (worst error ${worst} of it)`);
});

(wasmSwitchedOff() ? test.skip : test)('gelu_new gradient: each float32 element within (4.6|d| + 21)·2^−24·|dy|·(|σ| + |x·2u′·σ(1 − σ)|) (+ |dy|·2^−118) of the gradient in doubles', () => {
  const rng = createRng(26);
  const x = geluSweep(4099);
  const dy = Float32Array.from(x, () => rng.normal() * 3);
  const fast = wasmGeluNewGrad({ data: x, start: 0 }, { data: dy, start: 0 }, x.length, newFloats)!;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const { d, sigma, slope } = geluNewInDoubles(x[i]!);
    const exact = dy[i]! * (sigma + slope);
    const bound = Math.abs(dy[i]!) * ((4.6 * Math.abs(d) + 21) * U * (Math.abs(sigma) + Math.abs(slope)) + 2 ** -118) + 2 ** -149;
    const error = Math.abs(fast[i]! - exact);
    if (!(error <= bound)) assert.unreachable(`gelu_new′(${x[i]})·${dy[i]} = ${fast[i]}, in doubles ${exact} (bound ${bound})`);
    worst = Math.max(worst, error / bound);
  }
  assert.ok(worst > 0.1, `the sweep reaches the bound's scale (worst error ${worst} of it)`);
});

(wasmSwitchedOff() ? test.skip : test)('gelu_new and its gradient at ±0, ±∞, NaN and huge x: their limits, never NaN from ∞/∞ or 0·∞', () => {
  const max = 3.4028234663852886e38;
  const x = Float32Array.from([0, -0, Infinity, -Infinity, Number.NaN, 1e30, -1e30, max, -max, 20, -20, 2 ** -148, -(2 ** -148)]);
  const forward = wasmGeluNew({ data: x, start: 0 }, x.length, newFloats)!;
  // The smallest subnormals halve exactly (x·σ(0) = x/2), signs and all.
  const limits = [0, -0, Infinity, -0, Number.NaN, Math.fround(1e30), -0, max, -0, 20, -0, 2 ** -149, -(2 ** -149)];
  limits.forEach((limit, i) => assert.ok(Object.is(forward[i], limit), `gelu_new(${x[i]}) = ${forward[i]}, not ${limit}`));
  const dy = new Float32Array(x.length).fill(2);
  const backward = wasmGeluNewGrad({ data: x, start: 0 }, { data: dy, start: 0 }, x.length, newFloats)!;
  const slopes = [1, 1, 2, 0, Number.NaN, 2, 0, 2, 0, 2, 0, 1, 1];
  slopes.forEach((slope, i) => assert.ok(backward[i] === slope || (Number.isNaN(slope) && Number.isNaN(backward[i]!)), `2·gelu_new′(${x[i]}) = ${backward[i]}, not ${slope}`));
  const upstreamNaN = wasmGeluNewGrad({ data: x, start: 0 }, { data: new Float32Array(x.length).fill(Number.NaN), start: 0 }, x.length, newFloats)!;
  assert.ok(upstreamNaN.every(Number.isNaN), 'NaN upstream gives NaN');
});

test('LSGRAD_WASM=0 turns the wasm path off', () => {
  const script = `import { wasmSoftmax } from './backends/cpu/wasm/rows-wasm.ts';
    console.log(wasmSoftmax({ data: new Float32Array(8), start: 0 }, 8, 4, (size) => new Float32Array(size)) === null ? 'off' : 'on');`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, LSGRAD_WASM: '0' }, encoding: 'utf8',
  });
  assert.is(run.stdout.trim(), 'off', run.stderr);
});

test.run();
