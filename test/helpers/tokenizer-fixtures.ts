// Small HuggingFace tokenizer.json files of each model kind, built here rather than downloaded:
// a lower-casing WordPiece (BERT's layout and special tokens), a byte-level BPE with merges
// (RoBERTa's special tokens) and a Metaspace Unigram (SentencePiece's). Each comes with a text
// and the ids HuggingFace's tokenizers give it, worked out by hand from the vocabularies below.

const special = (names: readonly string[]) =>
  names.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));

const BERT_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
const ROBERTA_SPECIALS = ['<s>', '<pad>', '</s>', '<unk>', '<mask>'] as const;

function template(cls: string, sep: string, clsId: number, sepId: number) {
  return {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }],
    pair: [{ SpecialToken: { id: cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: sep, type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: sep, type_id: 1 } }],
    special_tokens: { [cls]: { id: cls, ids: [clsId], tokens: [cls] }, [sep]: { id: sep, ids: [sepId], tokens: [sep] } },
  };
}

const vocabulary = (tokens: readonly string[]) => Object.fromEntries(tokens.map((token, id) => [token, id]));

export interface TokenizerFixture {
  kind: 'WordPiece' | 'BPE' | 'Unigram';
  json: object;
  text: string;
  ids: number[];
  /** The special tokens' ids: pad, unk, cls, sep, mask. */
  special: { pad: number; unk: number; cls: number; sep: number; mask: number };
  /** Words the classification test uses; all in the vocabulary. */
  topicWords?: string[];
}

const TOPIC_WORDS = ['goal', 'match', 'team', 'coach', 'league', 'score', 'player', 'season', 'vote', 'party', 'election', 'senate',
  'minister', 'policy', 'campaign', 'law', 'stock', 'market', 'shares', 'bank', 'profit', 'rates', 'bond', 'investor'];

/** "Hello, unaffable world!" → hello , un ##aff ##able world ! */
export const WORDPIECE: TokenizerFixture = {
  kind: 'WordPiece',
  json: {
    version: '1.0', truncation: null, padding: null,
    added_tokens: special(BERT_SPECIALS),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: template('[CLS]', '[SEP]', 2, 3),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: vocabulary([...BERT_SPECIALS, 'hello', 'world', 'un', '##aff', '##able', ',', '!', ':', ...TOPIC_WORDS, ...'0123456789'.split(''), ...'0123456789'.split('').map((digit) => `##${digit}`)]),
    },
  },
  text: 'Hello, unaffable world!',
  ids: [5, 10, 7, 8, 9, 6, 11],
  special: { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 },
  topicWords: TOPIC_WORDS,
};

/** "hello world" → hello Ġw o r l d (merges h+e, l+l, he+ll, hell+o, Ġ+w). */
export const BPE: TokenizerFixture = {
  kind: 'BPE',
  json: {
    version: '1.0', truncation: null, padding: null,
    added_tokens: special(ROBERTA_SPECIALS),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: template('<s>', '</s>', 0, 2),
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false,
      vocab: vocabulary([...ROBERTA_SPECIALS, 'h', 'e', 'l', 'o', 'he', 'll', 'hell', 'hello', 'Ġ', 'w', 'r', 'd', 'Ġw']),
      merges: ['h e', 'l l', 'he ll', 'hell o', 'Ġ w'],
    },
  },
  text: 'hello world',
  ids: [12, 17, 8, 15, 7, 16],
  special: { cls: 0, pad: 1, sep: 2, unk: 3, mask: 4 },
};

/** "hello world" → ▁hello ▁wor ld (the most probable segmentation). */
export const UNIGRAM: TokenizerFixture = {
  kind: 'Unigram',
  json: {
    version: '1.0', truncation: null, padding: null,
    added_tokens: special(['<pad>', '<s>', '</s>', '<unk>', '<mask>']),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: template('<s>', '</s>', 1, 2),
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: {
      type: 'Unigram', unk_id: 3, byte_fallback: false,
      vocab: [['<pad>', 0], ['<s>', 0], ['</s>', 0], ['<unk>', 0], ['<mask>', 0], ['▁hello', -1], ['▁wor', -2], ['ld', -2], ['▁', -3],
        ['h', -6], ['e', -6], ['l', -6], ['o', -6], ['w', -6], ['r', -6], ['d', -6]],
    },
  },
  text: 'hello world',
  ids: [5, 6, 7],
  special: { pad: 0, cls: 1, sep: 2, unk: 3, mask: 4 },
};
