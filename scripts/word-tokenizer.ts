// Builds a small WordPiece tokenizer.json (HuggingFace's format, BERT's special tokens and
// lower-casing normalizer) from the words of a JSONL corpus: the --vocab-size − 100 commonest
// words, plus every character seen, alone and as a "##" continuation, so that a rarer word is
// spelled out rather than lost to [UNK]. For `lsgrad train|pretrain --tokenizer` on a corpus
// that comes without a tokenizer.
//   npx tsx scripts/word-tokenizer.ts --data out/data/sotu.jsonl --out out/data/sotu-words/tokenizer.json
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseProgramArgs } from '../cli/args.js';
import { writeFileAtomic } from '../cli/atomic.js';

const flags = parseProgramArgs('scripts/word-tokenizer.ts', 'Builds a WordPiece tokenizer.json from the commonest words of a JSONL corpus.', {
  data: { kind: 'string', default: 'out/data/sotu.jsonl', placeholder: 'FILE', help: 'the JSONL corpus' },
  textField: { kind: 'string', default: 'text', placeholder: 'NAME', help: 'the field holding the text' },
  vocabSize: { kind: 'int', default: 8000, min: 200, help: 'tokens in all: special tokens, characters and ## characters, then the commonest words' },
  out: { kind: 'string', default: 'out/data/sotu-words/tokenizer.json', placeholder: 'FILE', help: 'the tokenizer.json written' },
});

const SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const counts = new Map<string, number>();
const characters = new Set<string>();
for (const line of readFileSync(flags.data, 'utf8').split('\n')) {
  if (line.trim() === '') continue;
  const text = String((JSON.parse(line) as Record<string, unknown>)[flags.textField]).toLowerCase();
  // BertPreTokenizer splits on whitespace and punctuation: count the same pieces.
  for (const word of text.match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
    for (const character of word) characters.add(character);
  }
}
const alphabet = [...characters].sort();
const vocab: string[] = [...SPECIALS, ...alphabet, ...alphabet.map((character) => `##${character}`)];
const known = new Set(vocab);
const words = [...counts.entries()].filter(([word]) => !known.has(word)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
for (const [word] of words) {
  if (vocab.length >= flags.vocabSize) break;
  vocab.push(word);
}
const template = (name: string, id: number) => ({ id: name, ids: [id], tokens: [name] });
const json = {
  version: '1.0', truncation: null, padding: null,
  added_tokens: SPECIALS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
  normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
    pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
    special_tokens: { '[CLS]': template('[CLS]', 2), '[SEP]': template('[SEP]', 3) },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(vocab.map((token, id) => [token, id])) },
};
writeFileAtomic(flags.out, JSON.stringify(json) + '\n');
process.stderr.write(`wrote ${resolve(flags.out)}: ${vocab.length} tokens (${alphabet.length} characters, ${vocab.length - SPECIALS.length - 2 * alphabet.length} words of ${counts.size} distinct)\n`);
