// Index arithmetic written into kernel sources: flat output index → coordinates → input offsets.
// Shapes and strides are literals (they are part of the kernel cache key); offsets are arguments,
// so views of one storage at different offsets share a compiled kernel.
import { collapseAxes } from '../cpu/strided.js';

/** A numeric literal that is safe inside any expression (negative values parenthesised). */
export function literal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`gpujs literal: ${value} is not finite; kernel sources take finite numbers only`);
  const text = Number.isInteger(value) ? `${value}.0` : `${value}`;
  return value < 0 ? `(${text})` : text;
}

/** Integers below this are exact in float32, the number type every gpu.js mode shares: the index limit. */
export const FLOAT_INDEX_LIMIT = 2 ** 24;

/**
 * Statements that set `quotient` = ⌊value / divisor⌋ and `remainder` = value − quotient·divisor exactly, for
 * integers value < 2^24 and divisor ≥ 1 held in float32 (declared with let).
 * NOTE: float32 division is only within a few ulp in GLSL and WGSL; the quotient it gives is off by at most
 * two here (an error near one ulp matters only for quotients ≥ 2^22, i.e. divisors ≤ 4, and dividing by 1, 2
 * or 4 is exact). Products and differences of integers below 2^24 are exact, so two correction steps each way
 * make the result exact.
 */
export function exactDivision(value: string, divisor: string, quotient: string, remainder: string): string[] {
  return [
    `let ${quotient} = Math.floor(${value} / ${divisor});`,
    `let ${remainder} = ${value} - ${quotient} * ${divisor};`,
    ...[1, 2].flatMap(() => [
      `if (${remainder} < 0.0) { ${quotient} = ${quotient} - 1.0; ${remainder} = ${remainder} + ${divisor}; }`,
      `if (${remainder} >= ${divisor}) { ${quotient} = ${quotient} + 1.0; ${remainder} = ${remainder} - ${divisor}; }`,
    ]),
  ];
}

/**
 * Statements that split `flat` (an integer below FLOAT_INDEX_LIMIT) into coordinates
 * `${prefix}0 … ${prefix}{rank-1}` of `dims` (row-major), exactly.
 */
export function decodeIndex(flat: string, dims: readonly number[], prefix: string): string[] {
  const lines: string[] = [];
  if (dims.length === 0) return lines;
  lines.push(`let ${prefix}Rem = ${flat};`);
  for (let axis = dims.length - 1; axis > 0; axis--) {
    lines.push(...exactDivision(`${prefix}Rem`, literal(dims[axis]!), `${prefix}Q${axis}`, `${prefix}${axis}`));
    lines.push(`${prefix}Rem = ${prefix}Q${axis};`);
  }
  lines.push(`const ${prefix}0 = ${prefix}Rem;`);
  return lines;
}

/** `offset + Σ coordinate·stride` as an expression (zero strides dropped). */
export function offsetExpression(offset: string, prefix: string, strides: readonly number[]): string {
  const terms = [offset];
  strides.forEach((stride, axis) => {
    if (stride !== 0) terms.push(`${prefix}${axis} * ${literal(stride)}`);
  });
  return terms.join(' + ');
}

/** The output shape and every operand's strides with size-1 axes dropped and contiguous neighbours merged. */
export function collapse(shape: readonly number[], stridesList: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  return collapseAxes(shape, stridesList);
}
