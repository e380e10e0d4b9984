// The fixed expression tables: each op is a few statements over the element value(s), ending in a return.
// Only constructs every gpu.js mode translates (cpu JS, WebAssembly, GLSL, WGSL) are used:
// no ternaries, no Math.sign/tanh, and clamped exponents so no mode depends on how it overflows.
import type { BinaryOp, ReduceOp, UnaryOp } from '../../engine/backend.js';

/** Unary ops on the value `v`. */
export const UNARY_EXPRESSIONS: Record<UnaryOp, string> = {
  neg: 'return -v;',
  exp: 'return Math.exp(v);',
  log: 'return Math.log(v);',
  sqrt: 'return Math.sqrt(v);',
  abs: 'return Math.abs(v);',
  sign: 'if (v > 0.0) { return 1.0; } if (v < 0.0) { return -1.0; } return 0.0;',
  // NOTE: tanh from exp: tanh(15) is 1 in float32, so clamping there loses nothing and avoids inf/inf.
  tanh: 'const c = Math.min(Math.max(v, -15.0), 15.0); const e = Math.exp(2.0 * c); return (e - 1.0) / (e + 1.0);',
  sigmoid: 'const c = Math.min(Math.max(v, -80.0), 80.0); return 1.0 / (1.0 + Math.exp(-c));',
  relu: 'if (v > 0.0) { return v; } return 0.0;',
  // Abramowitz & Stegun 7.1.26: absolute error below 1.5e-7, under float32 tolerance.
  erf: [
    'const ax = Math.abs(v);',
    'const t = 1.0 / (1.0 + 0.3275911 * ax);',
    'const poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;',
    'const y = 1.0 - poly * Math.exp(-ax * ax);',
    'if (v < 0.0) { return -y; } return y;',
  ].join(' '),
  reciprocal: 'return 1.0 / v;',
};

/** Binary float32 ops on `a` and `b`. Comparisons write bool, so they run on the host (the CPU loops, see `fallback` in backend.ts). */
export const BINARY_EXPRESSIONS: Partial<Record<BinaryOp, string>> = {
  add: 'return a + b;',
  sub: 'return a - b;',
  mul: 'return a * b;',
  div: 'return a / b;',
  // NOTE: GLSL and WGSL leave pow(negative, y) undefined; an integer exponent gets the sign back by hand.
  pow: [
    'const p = Math.pow(Math.abs(a), b);',
    'if (a < 0.0) { const half = b * 0.5; if (Math.floor(half) != half) { return -p; } }',
    'return p;',
  ].join(' '),
  maximum: 'return Math.max(a, b);',
  minimum: 'return Math.min(a, b);',
};

/** How a reduction folds the next value `v` into `acc`. */
export const REDUCE_STEPS: Record<ReduceOp, string> = {
  sum: 'acc = acc + v;',
  max: 'acc = Math.max(acc, v);',
  min: 'acc = Math.min(acc, v);',
};
