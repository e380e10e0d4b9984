// Deterministic batches: which emails form step `s` depends only on (seed, s), never on what ran
// before, so a resumed run sees exactly the batches an uninterrupted run would have seen.
import { SPECIAL_TOKENS, encodeBytes, type EncodedText } from './tokenizer.js';

/** splitmix32: a small, well-mixed integer hash, used to derive per-epoch shuffle seeds. */
export function mixSeed(seed: number, salt: number): number {
  let state = (seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  state = Math.imul(state ^ (state >>> 16), 0x21f0aaad);
  state = Math.imul(state ^ (state >>> 15), 0x735a2d97);
  return (state ^ (state >>> 15)) >>> 0;
}

/** A permutation of 0..size-1 from a seed (Fisher–Yates with a mulberry32 stream). */
export function seededPermutation(size: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: size }, (_, i) => i);
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Dataset indices of the batch for 1-based `step`: the training set is walked in epochs, each a
 * fresh permutation seeded by (seed, epoch); a batch may straddle two epochs.
 * @example batchIndices(10, 4, 1, 0).length  // 4
 */
export function batchIndices(datasetSize: number, batchSize: number, step: number, seed: number): number[] {
  if (!Number.isInteger(step) || step < 1) throw new Error(`batchIndices: step ${step} is invalid; expected an integer >= 1`);
  if (!Number.isInteger(datasetSize) || datasetSize < 1) throw new Error(`batchIndices: datasetSize ${datasetSize} is invalid; expected a positive integer`);
  const indices: number[] = [];
  let cachedEpoch = -1;
  let permutation: Int32Array = new Int32Array(0);
  for (let i = 0; i < batchSize; i++) {
    const position = (step - 1) * batchSize + i;
    const epoch = Math.floor(position / datasetSize);
    if (epoch !== cachedEpoch) { permutation = seededPermutation(datasetSize, mixSeed(seed, epoch)); cachedEpoch = epoch; }
    indices.push(permutation[position % datasetSize]!);
  }
  return indices;
}

/** Documents encoded once into flat (count × seqLen) id and mask buffers. */
export interface EncodedSet {
  count: number;
  seqLen: number;
  /** The [SEP] id, which ends a row cut shorter (gatherRows). */
  sepId: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  /** Real tokens per row ([CLS] and [SEP] included); the rest of the row is padding. */
  lengths: Int32Array;
}

/** How a document becomes one row: [CLS] tokens [SEP] [PAD]… (encodeBytes, or a tokenizer's encodeForModel). */
export type RowEncoder = (text: string | Uint8Array, seqLen: number) => EncodedText;

/**
 * `texts` may be strings or their UTF-8 bytes already; `encode` is the tokenizer's row layout
 * (default: bytes), `sepId` its [SEP].
 */
export function encodeSet(texts: readonly (string | Uint8Array)[], labels: readonly number[], seqLen: number, encode: RowEncoder = encodeBytes, sepId: number = SPECIAL_TOKENS.sep): EncodedSet {
  const inputIds = new Int32Array(texts.length * seqLen);
  const attentionMask = new Int32Array(texts.length * seqLen);
  const lengths = new Int32Array(texts.length);
  texts.forEach((text, index) => {
    const encoded = encode(text, seqLen);
    inputIds.set(encoded.inputIds, index * seqLen);
    attentionMask.set(encoded.attentionMask, index * seqLen);
    lengths[index] = encoded.length;
  });
  return { count: texts.length, seqLen, sepId, inputIds, attentionMask, labels: Int32Array.from(labels), lengths };
}

/** A batch of rows, `width` tokens each. */
export interface Batch {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  width: number;
  /** Position ids (batch × width) when rows are not read from their start (windowBatch); absent: 0, 1, 2, … */
  positionIds?: Int32Array;
}

/** Batch widths are rounded up to this, so that few distinct shapes occur (kernel caches of GPU backends). */
export const WIDTH_MULTIPLE = 64;

/**
 * Gathers rows of an encoded set into contiguous (batch × width) buffers. The width is the longest
 * row of the batch rounded up to WIDTH_MULTIPLE, at most `maxWidth` (default: the set's seqLen):
 * padding that no row needs is not computed. A row longer than `maxWidth` is cut to
 * [CLS] + its first maxWidth − 2 bytes + [SEP], exactly as encoding it at that length would.
 * @example gatherRows(set, [4, 1]).width
 */
export function gatherRows(set: EncodedSet, indices: readonly number[], maxWidth = set.seqLen): Batch {
  const { seqLen } = set;
  if (!Number.isInteger(maxWidth) || maxWidth < 2) throw new Error(`gatherRows: maxWidth ${maxWidth} is invalid; expected an integer >= 2`);
  const limit = Math.min(maxWidth, seqLen);
  const longest = indices.reduce((most, row) => Math.max(most, set.lengths[row]!), 2);
  const width = Math.min(limit, Math.ceil(longest / WIDTH_MULTIPLE) * WIDTH_MULTIPLE);
  const inputIds = new Int32Array(indices.length * width);
  const attentionMask = new Int32Array(indices.length * width);
  const labels = new Int32Array(indices.length);
  indices.forEach((row, position) => {
    const from = row * seqLen;
    const to = position * width;
    inputIds.set(set.inputIds.subarray(from, from + width), to);
    attentionMask.set(set.attentionMask.subarray(from, from + width), to);
    if (set.lengths[row]! > width) inputIds[to + width - 1] = set.sepId;
    labels[position] = set.labels[row]!;
  });
  return { inputIds, attentionMask, labels, width };
}

/** Training documents kept as their UTF-8 bytes, encoded a batch at a time (encodeRows). */
export interface TrainingDocuments {
  /** The documents' UTF-8 bytes (what --crop-prob crops too). */
  bytes: readonly Uint8Array[];
  labels: Int32Array;
  /** Tokens per encoded row: [CLS], the first seqLen − 2 tokens, [SEP], padding. */
  seqLen: number;
  encode: RowEncoder;
  sepId: number;
}

/**
 * The rows `indices` of `documents`, encoded now: the very batch gatherRows returns from
 * encodeSet(every document), without holding every document encoded at seqLen (4,816 training
 * emails × 4,096 tokens × 8 bytes = 158 MB at the default settings; their bytes take 28 MB).
 * Rows are encoded at most `maxWidth` long, which is what cutting them there gives.
 * @example encodeRows(documents, [4, 1], 256).width
 */
export function encodeRows(documents: TrainingDocuments, indices: readonly number[], maxWidth = documents.seqLen): Batch {
  const length = Math.min(maxWidth, documents.seqLen);
  const rows = encodeSet(indices.map((row) => documents.bytes[row]!), indices.map((row) => documents.labels[row]!), length, documents.encode, documents.sepId);
  return gatherRows(rows, indices.map((_, position) => position), maxWidth);
}
