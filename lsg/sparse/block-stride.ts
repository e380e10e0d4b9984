// block_stride: in every block, head h takes the blockSize/sparsityFactor consecutive tokens
// starting at h·blockSize/sparsityFactor (wrapping inside the block) (docs/lsg-reference.md#sparse-tokens).
import { selectPositions, headPositions } from './select.js';
import type { SparseSelector } from './types.js';

/** @example blockStride(source).positions // bs 8, sf 4, head 1: [2, 3, 10, 11, …] */
export const blockStride: SparseSelector = (source) => {
  const { blockSize, sparsityFactor } = source;
  const heads = source.keys.shape[1]!;
  const numBlocks = source.keys.shape[2]! / blockSize;
  const step = blockSize / sparsityFactor;
  const perHead = Array.from({ length: heads }, (_, head) => {
    const positions: number[] = [];
    for (let block = 0; block < numBlocks; block++) {
      for (let slot = 0; slot < step; slot++) positions.push(block * blockSize + ((slot + head * step) % blockSize));
    }
    return positions;
  });
  return selectPositions(source, headPositions(perHead));
};
