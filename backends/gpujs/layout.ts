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

/**
 * Statements that split `flat` into coordinates `${prefix}0 … ${prefix}{rank-1}` of `dims` (row-major).
 * NOTE: divisions are in float32 (the only number type every gpu.js mode shares). Dividing
 * `rem + 0.5` keeps floor() exact while indices stay below 2^22; larger outputs are split into chunks.
 */
export function decodeIndex(flat: string, dims: readonly number[], prefix: string): string[] {
  const lines: string[] = [];
  if (dims.length === 0) return lines;
  lines.push(`let ${prefix}Rem = ${flat};`);
  for (let axis = dims.length - 1; axis > 0; axis--) {
    const dim = literal(dims[axis]!);
    lines.push(`const ${prefix}Q${axis} = Math.floor((${prefix}Rem + 0.5) / ${dim});`);
    lines.push(`const ${prefix}${axis} = ${prefix}Rem - ${prefix}Q${axis} * ${dim};`);
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
