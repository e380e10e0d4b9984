// Random-crop augmentation (`lsgrad train --crop-prob`): some training emails are read from a
// random line onward instead of from their first byte. Read from the start, an email's first
// 4 KB are mostly headers, and the model learns header cues (mailing lists mean ham) more than
// what the body says; a cropped row often holds body text only, and reaches text past the
// first --seq-len bytes. Evaluation always reads from the start.
import { createRng } from '../../engine/index.js';
import { mixSeed, type Batch, type RowEncoder } from './batches.js';
import { encodeBytes } from './tokenizer.js';
import { windowPositions } from './windows.js';

const NEWLINE = 0x0a;
/** Salt that keeps the crop stream apart from the batch order's, which uses the same seed. */
const CROP_SALT = 0x63726f70;

/**
 * Where a crop starts: a uniformly random byte moved forward to the next line start, or 0 when
 * no line starts after it. `uniform` is in [0, 1).
 * @example cropStart(new TextEncoder().encode('Subject: hi\nbody'), 0.3)  // 12
 */
export function cropStart(bytes: Uint8Array, uniform: number): number {
  if (!(uniform >= 0 && uniform < 1)) throw new Error(`cropStart: uniform ${uniform} is invalid; expected a number in [0, 1)`);
  const newline = bytes.indexOf(NEWLINE, Math.floor(uniform * bytes.length));
  return newline >= 0 && newline + 1 < bytes.length ? newline + 1 : 0;
}

/**
 * Replaces, with probability `cropProb` each, the rows of a gathered training batch by their
 * email read from `cropStart` on, at the batch's width. Which rows are cropped, and where, depends
 * only on (seed, step, row position), so a resumed run crops as an uninterrupted one did.
 * A cropped row is cut to the batch's width like any other ([SEP] last); it loses nothing an
 * uncropped row would have kept, since a row shorter than the width was the whole email.
 * @param emails the UTF-8 bytes of every training email, indexed like the batch's `indices`
 */
export function cropBatch(batch: Batch, emails: readonly Uint8Array[], indices: readonly number[], cropProb: number, seed: number, step: number, encode: RowEncoder = encodeBytes): Batch {
  if (!(cropProb >= 0 && cropProb <= 1)) throw new Error(`cropBatch: cropProb ${cropProb} is invalid; expected a number in [0, 1]`);
  if (indices.length !== batch.labels.length) throw new Error(`cropBatch: ${indices.length} indices for a batch of ${batch.labels.length} rows; expected equal`);
  if (cropProb === 0) return batch;
  const rng = createRng(mixSeed(mixSeed(seed, CROP_SALT), step));
  const { width } = batch;
  const inputIds = batch.inputIds.slice();
  const attentionMask = batch.attentionMask.slice();
  const positionIds = batch.positionIds?.slice();
  indices.forEach((row, position) => {
    const crop = rng.uniform() < cropProb;
    const where = rng.uniform(); // drawn for every row, so one row's choice never shifts another's
    if (!crop) return;
    const bytes = emails[row]!;
    const encoded = encode(bytes.subarray(cropStart(bytes, where)), width);
    inputIds.set(encoded.inputIds, position * width);
    attentionMask.set(encoded.attentionMask, position * width);
    // A cropped row is read from its (new) start: plain positions, whatever the row held before.
    positionIds?.set(windowPositions(0, width), position * width);
  });
  return { ...batch, inputIds, attentionMask, ...(positionIds && { positionIds }) };
}
