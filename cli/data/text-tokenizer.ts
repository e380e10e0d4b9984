// What lsgrad's tokenizers are (TextTokenizer), the byte tokenizer, how the contents of a HuggingFace
// tokenizer.json become a tokenizer, and the row layout a classifier reads ([CLS] ids [SEP] [PAD]…).
// No Node module: the playground imports this to classify with a checkpoint's own tokenizer, as
// `lsgrad predict` does; cli/data/tokenizers.ts reads and writes the files in Node.
import { DataError } from '../../engine/index.js';
import { BYTE_OFFSET, SPECIAL_TOKENS, VOCAB_SIZE, decodeBytes, encodeBytes, type EncodedText } from './tokenizer.js';

/** The literal that stands for the mask token in fill-mask input, whatever the tokenizer calls it. */
export const MASK_LITERAL = '[MASK]';

export interface SpecialIds { pad: number; unk: number; cls: number; sep: number; mask: number }

export interface TextTokenizer {
  readonly kind: 'bytes' | 'tokenizer.json';
  readonly description: string;
  /** One more than the largest id. */
  readonly vocabSize: number;
  readonly special: SpecialIds;
  /** The ids of `text`, no special tokens added; `maxTokens` lets a long document stop early. */
  encode(text: string | Uint8Array, maxTokens?: number): Int32Array;
  /** A token's text, for fill-mask's answers. */
  tokenText(id: number): string;
  /** Ids back to text, special tokens dropped. */
  decode(ids: ArrayLike<number>): string;
  /** tokenizer.json, tokenizer_config.json and special_tokens_map.json, as HuggingFace writes them. */
  files(maxLength: number): Record<'tokenizer.json' | 'tokenizer_config.json' | 'special_tokens_map.json', object>;
}

const SPECIAL_NAMES = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;
/** The byte tokenizer's special ids (tokenizer.ts calls [UNK] `unknown`). */
const BYTE_SPECIAL: SpecialIds = { pad: SPECIAL_TOKENS.pad, unk: SPECIAL_TOKENS.unknown, cls: SPECIAL_TOKENS.cls, sep: SPECIAL_TOKENS.sep, mask: SPECIAL_TOKENS.mask };
const BYTE_SPECIAL_ENTRIES = Object.entries(BYTE_SPECIAL) as [keyof SpecialIds, number][];

/**
 * GPT-2's byte ↔ character table of the ByteLevel pre-tokenizer: printable Latin-1 bytes stand for
 * themselves, every other byte for a character from U+0100 on, in byte order.
 */
function byteCharacters(): string[] {
  const printable = (byte: number) => (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  let next = 256;
  return Array.from({ length: 256 }, (_, byte) => String.fromCodePoint(printable(byte) ? byte : next++));
}

/**
 * The byte tokenizer as a HuggingFace tokenizer.json: a BPE with no merges over ByteLevel's 256
 * byte characters (ids byte + 5), the five special tokens first, and [CLS] … [SEP] added around a
 * text. HuggingFace's tokenizers library gives exactly the ids of encodeBytes.
 */
export function byteTokenizerJson(): object {
  const vocab: Record<string, number> = {};
  for (const [key, id] of BYTE_SPECIAL_ENTRIES) vocab[SPECIAL_NAMES[key]] = id;
  byteCharacters().forEach((character, byte) => { vocab[character] = byte + BYTE_OFFSET; });
  const byteLevel = { add_prefix_space: false, trim_offsets: false, use_regex: false };
  const special = (name: string, id: number) => ({ id: name, ids: [id], tokens: [name] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: BYTE_SPECIAL_ENTRIES.sort((a, b) => a[1] - b[1]).map(([key, id]) => ({
      id, content: SPECIAL_NAMES[key], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': special('[CLS]', SPECIAL_TOKENS.cls), '[SEP]': special('[SEP]', SPECIAL_TOKENS.sep) },
    },
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: { type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

function tokenizerConfig(names: Record<keyof SpecialIds, string>, maxLength: number): object {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: maxLength, clean_up_tokenization_spaces: false,
    cls_token: names.cls, sep_token: names.sep, pad_token: names.pad, mask_token: names.mask, unk_token: names.unk,
  };
}

function specialTokensMap(names: Record<keyof SpecialIds, string>): object {
  return { cls_token: names.cls, sep_token: names.sep, pad_token: names.pad, mask_token: names.mask, unk_token: names.unk };
}

const utf8 = new TextEncoder();

/** Every UTF-8 byte a token (cli/data/tokenizer.ts): --tokenizer bytes, and pretrain's default. */
export const BYTE_TOKENIZER: TextTokenizer = {
  kind: 'bytes',
  description: 'byte-level',
  vocabSize: VOCAB_SIZE,
  special: BYTE_SPECIAL,
  encode: (text, maxTokens) => {
    const bytes = typeof text === 'string' ? utf8.encode(text) : text;
    return Int32Array.from(maxTokens === undefined ? bytes : bytes.subarray(0, maxTokens), (byte) => byte + BYTE_OFFSET);
  },
  tokenText: (id) => {
    const name = BYTE_SPECIAL_ENTRIES.find(([, special]) => special === id)?.[0];
    if (name) return SPECIAL_NAMES[name];
    return decodeBytes([id]);
  },
  decode: decodeBytes,
  files: (maxLength) => ({
    'tokenizer.json': byteTokenizerJson(),
    'tokenizer_config.json': tokenizerConfig(SPECIAL_NAMES, maxLength),
    'special_tokens_map.json': specialTokensMap(SPECIAL_NAMES),
  }),
};

/** What lsgrad uses of an @huggingface/tokenizers Tokenizer. */
interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  id_to_token(id: number): string | undefined;
  token_to_id(token: string): number | undefined;
  get_vocab(withAddedTokens?: boolean): Map<string, number>;
}

/** @huggingface/tokenizers' `Tokenizer` class: built from tokenizer.json and tokenizer_config.json contents. */
export type TokenizerClass = new (json: object, config: object) => HfTokenizer;

/** Candidate names of each special token, HuggingFace's BERT names first, then RoBERTa/SentencePiece ones. */
const SPECIAL_CANDIDATES: Record<keyof SpecialIds, readonly string[]> = {
  pad: ['[PAD]', '<pad>'], unk: ['[UNK]', '<unk>'], cls: ['[CLS]', '<s>', '<cls>'], sep: ['[SEP]', '</s>', '<sep>'], mask: ['[MASK]', '<mask>'],
};

/**
 * A tokenizer from the contents of tokenizer.json and tokenizer_config.json ({} when there is none),
 * built with the @huggingface/tokenizers Tokenizer class that `library` returns: the playground
 * imports the class, Node loads it (an optional peer dependency) only once `json` has passed the
 * first check. `source` names where the contents came from in errors.
 * @example tokenizerFromJsonWith(() => Tokenizer, JSON.parse(tokenizerJson), {}, 'tokenizer.json').encode('Hello world')
 */
export function tokenizerFromJsonWith(library: () => TokenizerClass, json: Record<string, unknown>, config: Record<string, unknown>, source: string): TextTokenizer {
  const model = json.model as { type?: string } | undefined;
  if (typeof model !== 'object' || model === null || typeof model.type !== 'string') {
    throw new DataError(source, `no "model" with a "type"; expected a HuggingFace tokenizer.json (WordPiece, BPE or Unigram)`);
  }
  const Tokenizer = library();
  let tokenizer: HfTokenizer;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (error) {
    throw new DataError(source, `the tokenizers library cannot build it (${(error as Error).message}); expected a HuggingFace tokenizer.json`);
  }
  const vocabulary = tokenizer.get_vocab(true);
  const names = {} as Record<keyof SpecialIds, string>;
  const special = {} as SpecialIds;
  for (const key of Object.keys(SPECIAL_CANDIDATES) as (keyof SpecialIds)[]) {
    const configured = config[`${key}_token`];
    const configuredName = typeof configured === 'string' ? configured : (configured as { content?: string } | undefined)?.content;
    const name = [configuredName, ...SPECIAL_CANDIDATES[key]].find((candidate) => candidate !== undefined && vocabulary.has(candidate));
    if (name === undefined) {
      throw new DataError(source, `no ${key} token in the vocabulary (looked for ${[configuredName, ...SPECIAL_CANDIDATES[key]].filter(Boolean).join(', ')}); expected the special tokens of a BERT-style or RoBERTa-style tokenizer`);
    }
    names[key] = name;
    special[key] = vocabulary.get(name)!;
  }
  const vocabSize = Math.max(...vocabulary.values()) + 1;
  return {
    kind: 'tokenizer.json',
    description: `${model.type} tokenizer (${vocabSize.toLocaleString('en-US')} tokens)`,
    vocabSize,
    special,
    encode: (text, maxTokens) => {
      let source = typeof text === 'string' ? text : new TextDecoder().decode(text);
      // NOTE: a token covers at least one character (rare byte-level pieces aside), so a long
      // document is cut well past what maxTokens needs before it is tokenized.
      if (maxTokens !== undefined && source.length > 16 * maxTokens + 64) source = source.slice(0, 16 * maxTokens + 64);
      const ids = tokenizer.encode(source, { add_special_tokens: false }).ids;
      return Int32Array.from(maxTokens === undefined ? ids : ids.slice(0, maxTokens));
    },
    tokenText: (id) => tokenizer.id_to_token(id) ?? `[id ${id}]`,
    decode: (ids) => tokenizer.decode(Array.from(ids), { skip_special_tokens: true }),
    files: (maxLength) => ({
      'tokenizer.json': json,
      'tokenizer_config.json': { ...config, ...tokenizerConfig(names, maxLength) },
      'special_tokens_map.json': specialTokensMap(names),
    }),
  };
}

/** The tokenizer files a checkpoint holds, as `TextTokenizer.files` gives them. */
export type TokenizerFiles = ReturnType<TextTokenizer['files']>;

/**
 * [CLS] + the first seqLen − 2 tokens of `text` + [SEP], padded with [PAD] to seqLen.
 * @example encodeForModel(BYTE_TOKENIZER, 'hi', 6).inputIds  // Int32Array [2, 109, 110, 3, 0, 0]
 */
export function encodeForModel(tokenizer: TextTokenizer, text: string | Uint8Array, seqLen: number): EncodedText {
  if (tokenizer.kind === 'bytes') return encodeBytes(text, seqLen);
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new Error(`encodeForModel: seqLen ${seqLen} is invalid; expected an integer >= 2 (room for CLS and SEP)`);
  return layout(tokenizer.special, tokenizer.encode(text, seqLen - 2), seqLen);
}

/** [CLS] ids [SEP] [PAD]…, the ids cut to seqLen − 2. */
export function layout(special: SpecialIds, ids: Int32Array, seqLen: number): EncodedText {
  const kept = Math.min(ids.length, seqLen - 2);
  const inputIds = new Int32Array(seqLen).fill(special.pad);
  const attentionMask = new Int32Array(seqLen);
  inputIds[0] = special.cls;
  inputIds.set(ids.subarray(0, kept), 1);
  inputIds[kept + 1] = special.sep;
  attentionMask.fill(1, 0, kept + 2);
  return { inputIds, attentionMask, length: kept + 2 };
}

/**
 * The ids of a fill-mask input: every literal [MASK] is the tokenizer's mask token (for bytes, one
 * masked byte), the text between is encoded as usual.
 * @example encodeWithMasks(BYTE_TOKENIZER, 'a[MASK]c')  // Int32Array [102, 4, 104]
 */
export function encodeWithMasks(tokenizer: TextTokenizer, text: string): Int32Array {
  const parts = text.split(MASK_LITERAL);
  const ids: number[] = [];
  parts.forEach((part, index) => {
    if (index > 0) ids.push(tokenizer.special.mask);
    if (part !== '') ids.push(...tokenizer.encode(part));
  });
  return Int32Array.from(ids);
}
