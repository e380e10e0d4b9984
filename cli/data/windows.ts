// Position-faithful windows for the sequence-length warm-up (`lsgrad train --short-windows`). Short
// steps read only --short-seq-len tokens; read from the start, they train the first few hundred
// position embeddings only, and after the switch to --seq-len the model meets thousands of positions
// still at their random initial values (npm start's validation at 4,096 bytes sat at ~90% while the
// same model scored 95% at 256). A window is a stretch of the document's full-length row read at
// the positions it has there, so the warm-up trains every position row the full length uses, on
// the text that really sits at that position.
import { createRng } from '../../engine/index.js';
import { mixSeed, type Batch } from './batches.js';

/** Salt that keeps the window stream apart from the batch order's and the crops', which use the same seed. */
const WINDOW_SALT = 0x77696e64;

/**
 * Position ids of a row read from `start` at `width` tokens: [CLS] keeps 0, the window's tokens
 * keep their positions in the full row (start + 1 …), and [SEP] and padding follow on.
 * @example windowPositions(3, 6)  // Int32Array [0, 4, 5, 6, 7, 8]
 */
export function windowPositions(start: number, width: number): Int32Array {
  const positions = new Int32Array(width);
  for (let i = 1; i < width; i++) positions[i] = start + i;
  return positions;
}

/**
 * Cuts each row of a full-length batch to `width` tokens: with probability `windowProb`, a window of
 * width − 2 tokens from a uniformly random place among the row's real tokens, with its full-row
 * positions (windowPositions); otherwise, or when the row's tokens fit in the width anyway, its
 * start (as gatherRows would cut it). Every row then ends with [SEP]. Which rows are windows, and
 * where, depends only on (seed, step, row position), so a resumed run reads what an uninterrupted
 * one did. The result carries `positionIds` for every row.
 * @param full rows at their full length (encodeRows at the model's seq-len)
 */
export function windowBatch(full: Batch, width: number, windowProb: number, sepId: number, seed: number, step: number): Batch {
  if (!(windowProb >= 0 && windowProb <= 1)) throw new Error(`windowBatch: windowProb ${windowProb} is invalid; expected a number in [0, 1]`);
  if (!Number.isInteger(width) || width < 3 || width > full.width) throw new Error(`windowBatch: width ${width} is invalid; expected an integer from 3 to the batch's width ${full.width}`);
  const rows = full.labels.length;
  const rng = createRng(mixSeed(mixSeed(seed, WINDOW_SALT), step));
  const inputIds = new Int32Array(rows * width);
  const attentionMask = new Int32Array(rows * width);
  const positionIds = new Int32Array(rows * width);
  for (let row = 0; row < rows; row++) {
    const from = row * full.width;
    const to = row * width;
    const realTokens = full.attentionMask.subarray(from, from + full.width).reduce((sum, keep) => sum + keep, 0);
    // Drawn for every row, so one row's choice never shifts another's.
    const windowed = rng.uniform() < windowProb;
    const where = rng.uniform();
    // The window holds content tokens only: between [CLS] (token 0) and the row's [SEP] (token realTokens − 1).
    const lastStart = Math.max(0, realTokens - width);
    const start = windowed ? Math.floor(where * (lastStart + 1)) : 0;
    inputIds[to] = full.inputIds[from]!;
    inputIds.set(full.inputIds.subarray(from + start + 1, from + start + width), to + 1);
    attentionMask.set(full.attentionMask.subarray(from, from + width), to);
    if (realTokens > width) inputIds[to + width - 1] = sepId;
    positionIds.set(windowPositions(start, width), to);
  }
  return { inputIds, attentionMask, labels: full.labels, width, positionIds };
}
