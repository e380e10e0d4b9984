// A WordPiece tokenizer.json built from a run's own training documents (`--tokenizer words`), for a
// corpus that comes without a tokenizer. BERT's normalizer (lower-casing) and pre-tokenizer (words
// and single punctuation marks); the vocabulary is the five special tokens, every character seen,
// alone and as a "##" continuation (so a rarer word is spelled out instead of lost to [UNK]), then
// the commonest words up to the size asked for. It depends only on the documents' texts, never on
// their order, so a run, its --resume and scripts/word-tokenizer.ts build the same ids.

/** The choice of --tokenizer that builds the vocabulary from the training documents. */
export const WORDS_TOKENIZER = 'words';

/** --vocab-size's default: in the spam corpus, 1,415 specials and characters, then its 6,585 commonest words. */
export const DEFAULT_WORDS_VOCAB_SIZE = 8000;

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

/** The pieces BertPreTokenizer splits lower-cased text into: runs of letters and digits, and every other non-space character alone. */
const PIECES = /[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu;

const byCountThenText = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The vocabulary (token → id) of `vocabSize` tokens at most: specials, characters, "##" characters,
 * then words by falling count (ties in code-point order).
 * @example wordPieceVocabulary(['the cat', 'the dog'], 200).get('the')  // 21: after 5 specials and 2 × 8 characters
 */
export function wordPieceVocabulary(texts: Iterable<string>, vocabSize: number): Map<string, number> {
  const counts = new Map<string, number>();
  const characters = new Set<string>();
  for (const text of texts) {
    for (const word of text.toLowerCase().match(PIECES) ?? []) {
      counts.set(word, (counts.get(word) ?? 0) + 1);
      for (const character of word) characters.add(character);
    }
  }
  const alphabet = [...characters].sort();
  const tokens = [...SPECIALS, ...alphabet, ...alphabet.map((character) => `##${character}`)];
  if (tokens.length > vocabSize) {
    throw new Error(`--vocab-size ${vocabSize} is too small: the training documents hold ${alphabet.length} distinct characters, which with "##" continuations and 5 special tokens need ${tokens.length}; expected at least that`);
  }
  const known = new Set(tokens);
  const words = [...counts.entries()].filter(([word]) => !known.has(word)).sort(byCountThenText);
  for (const [word] of words.slice(0, vocabSize - tokens.length)) tokens.push(word);
  return new Map(tokens.map((token, id) => [token, id]));
}

/**
 * HuggingFace's tokenizer.json of a WordPiece vocabulary with BERT's specials, normalizer,
 * pre-tokenizer, [CLS] … [SEP] template and decoder.
 */
export function wordPieceTokenizerJson(vocabulary: ReadonlyMap<string, number>): object {
  const template = (name: string) => ({ id: name, ids: [vocabulary.get(name)!], tokens: [name] });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({ id: vocabulary.get(content)!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': template('[CLS]'), '[SEP]': template('[SEP]') },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocabulary) },
  };
}
