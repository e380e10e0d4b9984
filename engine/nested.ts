// Nested JS arrays in and out.
import { argumentError } from './errors.js';

export type NestedArray = (number | boolean | NestedArray)[];

/** The shape of a rectangular nested array, and its values in row-major order. */
export function flattenNested(fn: string, data: unknown): { shape: number[]; values: number[]; allBoolean: boolean } {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let allBoolean = true;
  const visit = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node === 'number') { values.push(node); allBoolean = false; }
      else if (typeof node === 'boolean') values.push(node ? 1 : 0);
      else throw argumentError(fn, `data${path}`, node, 'a number or boolean');
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw argumentError(fn, `data${path}`, node, `an array of length ${shape[depth]} (nested arrays must be rectangular)`);
    }
    node.forEach((child, i) => visit(child, depth + 1, `${path}[${i}]`));
  };
  visit(data, 0, '');
  return { shape, values, allBoolean: allBoolean && values.length > 0 };
}

/** Row-major flat values to nested arrays of the given shape (a number for shape []). */
export function toNested(values: ArrayLike<number>, shape: readonly number[]): NestedArray | number {
  if (shape.length === 0) return values[0]!;
  let position = 0;
  const build = (depth: number): NestedArray => {
    const out: NestedArray = new Array(shape[depth]!);
    for (let i = 0; i < shape[depth]!; i++) out[i] = depth === shape.length - 1 ? values[position++]! : build(depth + 1);
    return out;
  };
  return build(0);
}
