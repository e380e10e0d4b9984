// Fused GELU kernels: one pass forward, one pass backward, in doubles (stored once in the output dtype);
// float32 outputs use the fast exp (see fast-exp.ts). float32 gelu_new runs rows.wat (SIMD) where it
// can; these loops are the fallback and reference.
import type { ActivationKind, View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { newBufferToOverwrite, newFloat32Output } from './buffer-pool.js';
import { sizeOf } from '../../engine/shape.js';
import { rowMajorData } from './dense.js';
import { erf } from './erf.js';
import { expFor } from './fast-exp.js';
import { wasmGeluNew, wasmGeluNewGrad } from './wasm/rows-wasm.js';

type Storage = TypedArray;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_NEW_CUBIC = 0.044715;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * gelu_new(x) = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³), computed as x·σ(2u) = x / (1 + e^(−2u)):
 * the same function (1 + tanh u = 2σ(2u)), one exp instead of a tanh, and no cancellation in 1 + tanh u.
 */
function geluNewForward(x: Storage, xStart: number, out: Storage, size: number): void {
  const exp = expFor(out);
  for (let i = 0; i < size; i++) {
    const v = x[xStart + i]!;
    const u = SQRT_2_OVER_PI * (v + GELU_NEW_CUBIC * v * v * v);
    out[i] = v / (1 + exp(-2 * u));
  }
}

/** d/dx x·σ(2u) = σ + x·2σ(1 − σ)·u′, with 1 − σ = e^(−2u)·σ (exact, and 0 where e^(−2u) overflows). */
function geluNewBackward(x: Storage, xStart: number, dy: Storage, dyStart: number, out: Storage, size: number): void {
  const exp = expFor(out);
  for (let i = 0; i < size; i++) {
    const v = x[xStart + i]!;
    const v2 = v * v;
    const u = SQRT_2_OVER_PI * (v + GELU_NEW_CUBIC * v2 * v);
    const e = exp(-2 * u);
    const s = 1 / (1 + e);
    const slope = e < Infinity ? 2 * s * s * e : 0;
    out[i] = dy[dyStart + i]! * (s + v * slope * SQRT_2_OVER_PI * (1 + 3 * GELU_NEW_CUBIC * v2));
  }
}

/** gelu(x) = x·Φ(x), Φ(x) = ½(1 + erf(x/√2)). */
function geluForward(x: Storage, xStart: number, out: Storage, size: number): void {
  for (let i = 0; i < size; i++) {
    const v = x[xStart + i]!;
    out[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
  }
}

/** d/dx x·Φ(x) = Φ(x) + x·φ(x), φ the standard normal density. */
function geluBackward(x: Storage, xStart: number, dy: Storage, dyStart: number, out: Storage, size: number): void {
  for (let i = 0; i < size; i++) {
    const v = x[xStart + i]!;
    const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
    out[i] = dy[dyStart + i]! * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
}

const FORWARD: Record<ActivationKind, typeof geluForward> = { gelu: geluForward, geluNew: geluNewForward };
const BACKWARD: Record<ActivationKind, typeof geluBackward> = { gelu: geluBackward, geluNew: geluNewBackward };

export function activation(kind: ActivationKind, x: View<Storage>): Storage {
  const size = sizeOf(x.shape);
  const { data, start } = rowMajorData(x);
  const fromWasm = kind === 'geluNew' ? wasmGeluNew({ data, start }, size, newFloat32Output) : null;
  if (fromWasm) return fromWasm;
  const out = newBufferToOverwrite(x.dtype, size);
  FORWARD[kind](data, start, out, size);
  return out;
}

export function activationGrad(kind: ActivationKind, x: View<Storage>, dy: View<Storage>): Storage {
  const size = sizeOf(x.shape);
  const xs = rowMajorData(x);
  const dys = rowMajorData(dy);
  const fromWasm = kind === 'geluNew' ? wasmGeluNewGrad(xs, dys, size, newFloat32Output) : null;
  if (fromWasm) return fromWasm;
  const out = newBufferToOverwrite(x.dtype, size);
  BACKWARD[kind](xs.data, xs.start, dys.data, dys.start, out, size);
  return out;
}
