// norm: in every chunk, keep the tokens whose keys have the largest L2 norm (masked keys count
// as norm 0). The choice runs without gradient, as in the reference (docs/lsg-reference.md#norm-without-gradient).
import { arange, noGrad, type Tensor } from '../../engine/index.js';
import { selectPositions } from './select.js';
import type { SparseSelector } from './types.js';

/** @example norm(source).positions // per chunk, chunkSize/sparsityFactor positions by ascending norm */
export const norm: SparseSelector = (source) => {
  const { chunkSize, sparsityFactor } = source;
  const [batch, heads, tokens] = source.keys.shape as [number, number, number];
  const numChunks = tokens / chunkSize;
  const positions = noGrad((): Tensor => {
    const keep = source.mask.eq(0).cast(source.keys.dtype);                        // (B, 1, T)
    const norms = source.keys.mul(source.keys).sum(-1).sqrt().mul(keep);            // (B, H, T)
    const { indices } = norms.reshape([batch, heads, numChunks, chunkSize])
      .topk(chunkSize / sparsityFactor, { axis: -1, largest: true });               // (B, H, chunks, kept)
    // The reference model takes the tail of an ascending argsort: ascending norm order. The order
    // matters only when a sparse window boundary cuts a chunk.
    const chunkStarts = arange(0, tokens, chunkSize, { dtype: 'int32' }).reshape([1, 1, numChunks, 1]);
    return indices.flip(-1).add(chunkStarts).reshape([batch, heads, numChunks * (chunkSize / sparsityFactor)]);
  });
  return selectPositions(source, positions);
};
