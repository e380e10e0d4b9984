// One head's attention probabilities on one input, computed row by row from its queries and
// keys and pooled into a small grid, so a 4096-token pattern fits an SVG without a
// 4096 × 4096 tensor.
import type { Tensor } from '../engine/index.js';

export interface AttentionGrid {
  /** Row-major (rows × columns), max-pooled probabilities. */
  values: Float64Array;
  rows: number;
  columns: number;
  title: string;
}

/**
 * q, k: (1, 1, seq, headDim); keep: (1, seq) 1/0 flags or undefined; allowed: (1, 1, seq, ≥ seq)
 * counts of how often each query sees each key (LSG connectivity), or undefined for dense.
 * Only the real (kept) tokens are drawn; each grid cell holds the largest probability it covers.
 */
export function attentionProbabilityGrid(q: Tensor, k: Tensor, keep: Tensor | undefined, allowed: Tensor | undefined, title: string, maxCells = 256): AttentionGrid {
  const [, , length, headDim] = q.shape as [number, number, number, number];
  const queries = q.toTypedArray();
  const keys = k.toTypedArray();
  const keepFlags = keep ? keep.toTypedArray() : undefined;
  let realLength = length;
  if (keepFlags) { realLength = 0; for (let i = 0; i < length; i++) if (keepFlags[i]) realLength = i + 1; }
  const counts = allowed ? allowed.toTypedArray() : undefined;
  const countColumns = allowed ? allowed.shape[3]! : 0;
  const factor = Math.max(1, Math.ceil(realLength / maxCells));
  const cells = Math.ceil(realLength / factor);
  const grid = new Float64Array(cells * cells);
  const scores = new Float64Array(realLength);
  const scale = 1 / Math.sqrt(headDim);
  for (let row = 0; row < realLength; row++) {
    let maximum = -Infinity;
    for (let column = 0; column < realLength; column++) {
      const count = counts ? counts[row * countColumns + column]! : (keepFlags ? keepFlags[column]! : 1);
      if (!count) { scores[column] = -Infinity; continue; }
      let dot = 0;
      for (let d = 0; d < headDim; d++) dot += queries[row * headDim + d]! * keys[column * headDim + d]!;
      // NOTE: log(count) weighs a key listed twice double, as attention over the key list does.
      const score = dot * scale + Math.log(count);
      scores[column] = score;
      if (score > maximum) maximum = score;
    }
    if (maximum === -Infinity) continue;
    let total = 0;
    for (let column = 0; column < realLength; column++) total += scores[column] === -Infinity ? 0 : Math.exp(scores[column]! - maximum);
    const gridRow = Math.floor(row / factor) * cells;
    for (let column = 0; column < realLength; column++) {
      if (scores[column] === -Infinity) continue;
      const probability = Math.exp(scores[column]! - maximum) / total;
      const cell = gridRow + Math.floor(column / factor);
      if (probability > grid[cell]!) grid[cell] = probability;
    }
  }
  const note = factor > 1 ? ` (${realLength} tokens, ${factor}×${factor} max-pooled)` : ` (${realLength} tokens)`;
  return { values: grid, rows: cells, columns: cells, title: title + note };
}
