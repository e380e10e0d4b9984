// Writes the WordPiece tokenizer.json that `lsgrad train --tokenizer words` builds (cli/data/word-vocabulary.ts)
// from the documents of a JSONL corpus, as a file: to share one vocabulary between runs on different
// data, or to read it.
//   npx tsx scripts/word-tokenizer.ts --data out/data/sotu.jsonl --out out/data/sotu-words/tokenizer.json
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseProgramArgs } from '../cli/args.js';
import { writeFileAtomic } from '../cli/atomic.js';
import { wordPieceTokenizerJson, wordPieceVocabulary } from '../cli/data/word-vocabulary.js';

const flags = parseProgramArgs('scripts/word-tokenizer.ts', 'Builds a WordPiece tokenizer.json from the commonest words of a JSONL corpus.', {
  data: { kind: 'string', default: 'out/data/sotu.jsonl', placeholder: 'FILE', help: 'the JSONL corpus' },
  textField: { kind: 'string', default: 'text', placeholder: 'NAME', help: 'the field holding the text' },
  vocabSize: { kind: 'int', default: 8000, min: 200, help: 'tokens in all: special tokens, characters and ## characters, then the commonest words' },
  out: { kind: 'string', default: 'out/data/sotu-words/tokenizer.json', placeholder: 'FILE', help: 'the tokenizer.json written' },
});

const texts = readFileSync(flags.data, 'utf8').split('\n').filter((line) => line.trim() !== '')
  .map((line) => String((JSON.parse(line) as Record<string, unknown>)[flags.textField]));
const vocabulary = wordPieceVocabulary(texts, flags.vocabSize);
const json = wordPieceTokenizerJson(vocabulary);
writeFileAtomic(flags.out, JSON.stringify(json) + '\n');
process.stderr.write(`wrote ${resolve(flags.out)}: ${vocabulary.size} tokens, from ${texts.length} documents\n`);
