// Byte-level tokenizer: every UTF-8 byte is a token, so there is no vocabulary to download and
// no unknown input. A handful of special ids sit below the bytes.

/** Special token ids. PAD is 0 so that zero-filled buffers are already padding. */
export const SPECIAL_TOKENS = { pad: 0, unknown: 1, cls: 2, sep: 3, mask: 4 } as const;
/** Byte `b` maps to id `b + BYTE_OFFSET`. */
export const BYTE_OFFSET = 5;
/** 256 bytes + 5 special tokens. */
export const VOCAB_SIZE = 256 + BYTE_OFFSET;

export interface EncodedText {
  /** (seqLen) token ids: [CLS] bytes... [SEP] [PAD]... */
  inputIds: Int32Array;
  /** (seqLen) 1 for real tokens (CLS, bytes, SEP), 0 for padding. */
  attentionMask: Int32Array;
  /** Number of real tokens (CLS and SEP included). */
  length: number;
}

const utf8 = new TextEncoder();

/**
 * Encodes `text` as [CLS] + its first `seqLen - 2` UTF-8 bytes + [SEP], padded with [PAD] to `seqLen`.
 * Truncation may cut a multi-byte character; at the byte level that is harmless.
 * @example encodeBytes('hi', 6).inputIds  // Int32Array [2, 109, 110, 3, 0, 0]
 */
export function encodeBytes(text: string | Uint8Array, seqLen: number): EncodedText {
  if (!Number.isInteger(seqLen) || seqLen < 2) {
    throw new Error(`encodeBytes: seqLen ${seqLen} is invalid; expected an integer >= 2 (room for CLS and SEP)`);
  }
  const bytes = typeof text === 'string' ? utf8.encode(text) : text;
  const kept = Math.min(bytes.length, seqLen - 2);
  const inputIds = new Int32Array(seqLen); // zero = PAD
  const attentionMask = new Int32Array(seqLen);
  inputIds[0] = SPECIAL_TOKENS.cls;
  for (let i = 0; i < kept; i++) inputIds[i + 1] = bytes[i]! + BYTE_OFFSET;
  inputIds[kept + 1] = SPECIAL_TOKENS.sep;
  attentionMask.fill(1, 0, kept + 2);
  return { inputIds, attentionMask, length: kept + 2 };
}

/**
 * Turns ids back into text, dropping special tokens (invalid UTF-8 becomes U+FFFD).
 * @example decodeBytes(encodeBytes('héllo', 16).inputIds)  // 'héllo'
 */
export function decodeBytes(ids: ArrayLike<number>): string {
  const bytes: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id >= BYTE_OFFSET && id < VOCAB_SIZE) bytes.push(id - BYTE_OFFSET);
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
