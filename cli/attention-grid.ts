// One head's attention probabilities on one input, computed row by row from its queries and
// keys and pooled into a small grid, so a 4096-token pattern fits an SVG without a
// 4096 × 4096 tensor.
import type { Tensor } from '../engine/index.js';

export interface AttentionGrid {
  /** Row-major (rows × columns) shades in [0, 1], max-pooled. */
  values: Float64Array;
  rows: number;
  columns: number;
  /** Rows (and columns) drawn, before pooling: the real (unpadded) tokens, or the close-up's first ones. */
  length: number;
  title: string;
}

/** Shade of a key the query may see but barely weighs, so LSG's pattern stays visible. */
export const ALLOWED_FLOOR = 0.12;

/**
 * q, k: (1, 1, seq, headDim); keep: (1, seq) 1/0 flags or undefined; allowed: (1, 1, seq, ≥ seq)
 * counts of how often each query sees each key (LSG connectivity), or undefined for dense.
 * Only the real (kept) tokens are drawn. A key the query may see gets the shade
 * ALLOWED_FLOOR + (1 − ALLOWED_FLOOR)·p / (largest p of the row), so each row shows its own
 * distribution (one key taking most of the mass would otherwise hide everything else); a key the
 * query cannot see stays white. Each grid cell holds the largest shade it covers.
 * `firstTokens` draws only the first rows and columns, unpooled when they fit in `maxCells`.
 */
export function attentionProbabilityGrid(
  q: Tensor, k: Tensor, keep: Tensor | undefined, allowed: Tensor | undefined, title: string,
  { maxCells = 256, firstTokens = Infinity }: { maxCells?: number; firstTokens?: number } = {},
): AttentionGrid {
  const [, , length, headDim] = q.shape as [number, number, number, number];
  const queries = q.toTypedArray();
  const keys = k.toTypedArray();
  const keepFlags = keep ? keep.toTypedArray() : undefined;
  let realLength = length;
  if (keepFlags) { realLength = 0; for (let i = 0; i < length; i++) if (keepFlags[i]) realLength = i + 1; }
  // A close-up draws the first rows and columns only; shades stay relative to the row's largest
  // probability over every key it may see, so a row looking mostly past the close-up shows pale.
  const drawn = Math.min(realLength, firstTokens);
  const counts = allowed ? allowed.toTypedArray() : undefined;
  const countColumns = allowed ? allowed.shape[3]! : 0;
  const factor = Math.max(1, Math.ceil(drawn / maxCells));
  const cells = Math.ceil(drawn / factor);
  const grid = new Float64Array(cells * cells);
  const scores = new Float64Array(realLength);
  const scale = 1 / Math.sqrt(headDim);
  for (let row = 0; row < drawn; row++) {
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
    const gridRow = Math.floor(row / factor) * cells;
    for (let column = 0; column < drawn; column++) {
      if (scores[column] === -Infinity) continue;
      // exp(score − max) is p / (largest p of the row): the softmax's own normaliser cancels.
      const shade = ALLOWED_FLOOR + (1 - ALLOWED_FLOOR) * Math.exp(scores[column]! - maximum);
      const cell = gridRow + Math.floor(column / factor);
      if (shade > grid[cell]!) grid[cell] = shade;
    }
  }
  const note = factor > 1 ? `; cells max-pooled ${factor}×${factor}` : '';
  return { values: grid, rows: cells, columns: cells, length: drawn, title: title + note };
}
