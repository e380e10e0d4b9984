// stride: sparse token j of head h is token j·sparsityFactor + (h mod sparsityFactor), so the
// heads together cover every token (docs/lsg-reference.md#sparse-tokens).
import { selectPositions, headPositions } from './select.js';
import type { SparseSelector } from './types.js';

/** @example stride(source).positions // head 1 of sf 4: [1, 5, 9, …] */
export const stride: SparseSelector = (source) => {
  const heads = source.keys.shape[1]!;
  const sparseLength = source.keys.shape[2]! / source.sparsityFactor;
  const perHead = Array.from({ length: heads }, (_, head) =>
    Array.from({ length: sparseLength }, (_, j) => j * source.sparsityFactor + (head % source.sparsityFactor)));
  return selectPositions(source, headPositions(perHead));
};
