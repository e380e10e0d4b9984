// Elementwise kernels: unary maps, binary zips over broadcast views, and where.
import type { BinaryOp, UnaryOp, View } from '../../engine/backend.js';
import { allocate, type DType, type TypedArray } from '../../engine/dtype.js';
import { sizeOf } from '../../engine/shape.js';
import { erf } from './erf.js';
import { forEachRun } from './strided.js';

type Storage = TypedArray;

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: Math.sign,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  erf,
  reciprocal: (x) => 1 / x,
};

const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

export function unary(op: UnaryOp, x: View<Storage>): Storage {
  const out = allocate(x.dtype, sizeOf(x.shape));
  const fn = UNARY[op];
  const src = x.storage;
  forEachRun(x.shape, [x], (bases, length, outStart, steps) => {
    const step = steps[0]!;
    for (let j = 0, i = bases[0]!; j < length; j++, i += step) out[outStart + j] = fn(src[i]!);
  });
  return out;
}

export function binary(op: BinaryOp, a: View<Storage>, b: View<Storage>, outDtype: DType): Storage {
  const out = allocate(outDtype, sizeOf(a.shape));
  const A = a.storage;
  const B = b.storage;
  const fn = BINARY[op];
  forEachRun(a.shape, [a, b], (bases, length, o, steps) => {
    const sa = steps[0]!;
    const sb = steps[1]!;
    let ia = bases[0]!;
    let ib = bases[1]!;
    // The four arithmetic ops get their own loops: a call per element would dominate the time.
    switch (op) {
      case 'add':
        for (let j = 0; j < length; j++, ia += sa, ib += sb) out[o + j] = A[ia]! + B[ib]!;
        break;
      case 'sub':
        for (let j = 0; j < length; j++, ia += sa, ib += sb) out[o + j] = A[ia]! - B[ib]!;
        break;
      case 'mul':
        for (let j = 0; j < length; j++, ia += sa, ib += sb) out[o + j] = A[ia]! * B[ib]!;
        break;
      case 'div':
        for (let j = 0; j < length; j++, ia += sa, ib += sb) out[o + j] = A[ia]! / B[ib]!;
        break;
      default:
        for (let j = 0; j < length; j++, ia += sa, ib += sb) out[o + j] = fn(A[ia]!, B[ib]!);
    }
  });
  return out;
}

export function where(cond: View<Storage>, a: View<Storage>, b: View<Storage>): Storage {
  const out = allocate(a.dtype, sizeOf(a.shape));
  const C = cond.storage;
  const A = a.storage;
  const B = b.storage;
  forEachRun(a.shape, [cond, a, b], (bases, length, o, steps) => {
    let ic = bases[0]!;
    let ia = bases[1]!;
    let ib = bases[2]!;
    for (let j = 0; j < length; j++, ic += steps[0]!, ia += steps[1]!, ib += steps[2]!) {
      out[o + j] = C[ic] ? A[ia]! : B[ib]!;
    }
  });
  return out;
}
