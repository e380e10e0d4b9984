// Masked-language-model data: documents cut into windows of at most seqLen − 2 tokens (each framed
// [CLS] … [SEP]), and BERT's masking (Devlin et al. 2019, section 3.1): 15% of the real tokens
// are chosen; a chosen token becomes [MASK] 80% of the time, a random token 10%, and stays itself
// 10%; the model is scored on the chosen tokens only. Special tokens are never chosen. Which
// tokens are chosen, and how, depends only on (seed, step), so a resumed run masks as an
// uninterrupted one did.
import { createRng } from '../../engine/index.js';
import { mixSeed, type Batch } from './batches.js';
import type { SpecialIds } from './tokenizers.js';

export const MASK_PROBABILITY = 0.15;
/** Of the chosen tokens: [MASK] below 0.8, a random token below 0.9, unchanged otherwise. */
const REPLACE_WITH_MASK = 0.8;
const REPLACE_WITH_RANDOM = 0.9;
/** The label of a position that is not scored (crossEntropy's ignoreIndex). */
export const NOT_SCORED = -100;
/** Salt that keeps the masking stream apart from the batch order's, which uses the same seed. */
const MASKING_SALT = 0x6d61736b;

/**
 * Cuts each document's ids into consecutive windows of at most `windowTokens` (the last may be
 * shorter; none is empty).
 * @example windows([Int32Array.of(1, 2, 3, 4, 5)], 2).map((w) => Array.from(w))  // [[1, 2], [3, 4], [5]]
 */
export function windows(documents: readonly Int32Array[], windowTokens: number): Int32Array[] {
  if (!Number.isInteger(windowTokens) || windowTokens < 1) throw new Error(`windows: windowTokens ${windowTokens} is invalid; expected a positive integer`);
  const out: Int32Array[] = [];
  for (const ids of documents) for (let start = 0; start < ids.length; start += windowTokens) out.push(ids.subarray(start, start + windowTokens));
  return out;
}

/** A batch with the masked-LM labels: the original id at chosen positions, NOT_SCORED elsewhere. */
export interface MaskedBatch extends Omit<Batch, 'labels'> {
  /** (rows × width) */
  labels: Int32Array;
  /** Positions chosen for prediction. */
  chosen: number;
}

/**
 * Masks a batch of framed rows (ids and attention mask, `width` tokens each) as BERT does. Random
 * replacement ids are drawn uniformly from the vocabulary's non-special ids. At least one real
 * token of the batch is always chosen, so the loss is defined even for a tiny batch.
 * @example maskBatch(batch, BYTE_TOKENIZER.special, 261, 0, 1).chosen
 */
export function maskBatch(batch: Omit<Batch, 'labels'>, special: SpecialIds, vocabSize: number, seed: number, step: number): MaskedBatch {
  const rng = createRng(mixSeed(mixSeed(seed, MASKING_SALT), step));
  const specialIds = new Set(Object.values(special));
  const ordinary = Array.from({ length: vocabSize }, (_, id) => id).filter((id) => !specialIds.has(id));
  const inputIds = batch.inputIds.slice();
  const labels = new Int32Array(batch.inputIds.length).fill(NOT_SCORED);
  const candidates: number[] = [];
  let chosen = 0;
  const choose = (position: number, draw: number, replacement: number) => {
    labels[position] = batch.inputIds[position]!;
    if (draw < REPLACE_WITH_MASK) inputIds[position] = special.mask;
    else if (draw < REPLACE_WITH_RANDOM) inputIds[position] = replacement;
    chosen++;
  };
  for (let position = 0; position < inputIds.length; position++) {
    // Drawn for every position, so one position's fate never shifts another's.
    const select = rng.uniform();
    const how = rng.uniform();
    const replacement = ordinary[rng.int(ordinary.length)]!;
    if (batch.attentionMask[position] === 0 || specialIds.has(batch.inputIds[position]!)) continue;
    candidates.push(position);
    if (select < MASK_PROBABILITY) choose(position, how, replacement);
  }
  if (chosen === 0 && candidates.length > 0) choose(candidates[rng.int(candidates.length)]!, rng.uniform(), ordinary[rng.int(ordinary.length)]!);
  return { inputIds, attentionMask: batch.attentionMask, labels, width: batch.width, chosen };
}
