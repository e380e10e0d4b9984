// --tokenizer words: the WordPiece vocabulary a run builds from its training documents (ids, order,
// size, errors), the tokenizer it makes, and a two-replica run whose worker thread gets the very
// vocabulary of its caller and whose checkpoint eval and predict read back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_WORDS_VOCAB_SIZE, wordPieceVocabulary } from '../../cli/data/word-vocabulary.js';
import { loadTokenizer, tokenizerForTraining, tokenizerFromFiles } from '../../cli/data/tokenizers.js';
import { crossCheckTrainOptions, TRAIN_FLAGS, type TrainOptions } from '../../cli/train-flags.js';
import { main } from '../../cli/lsgrad.js';

const root = mkdtempSync(join(tmpdir(), 'lsgrad-words-'));
const DOCUMENTS = ['The cat sat.', 'the dog sat', 'A cat!'];

test('the vocabulary: specials, characters, ## characters, then words by count and code point', () => {
  const vocabulary = wordPieceVocabulary(DOCUMENTS, 100);
  const tokens = [...vocabulary.keys()];
  assert.equal(tokens.slice(0, 5), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
  const characters = ['!', '.', 'a', 'c', 'd', 'e', 'g', 'h', 'o', 's', 't'];
  assert.equal(tokens.slice(5, 16), characters);
  assert.equal(tokens.slice(16, 27), characters.map((character) => `##${character}`));
  // cat, sat and the twice each (code-point order among them), then dog once; "a" is a character already.
  assert.equal(tokens.slice(27), ['cat', 'sat', 'the', 'dog']);
  assert.equal([...vocabulary.values()], tokens.map((_, id) => id));
  assert.is(wordPieceVocabulary(['the cat', 'the dog'], 200).get('the'), 21); // the doc comment's example
});

test('the vocabulary depends on the documents, not their order, and stops at the size asked', () => {
  assert.equal([...wordPieceVocabulary([...DOCUMENTS].reverse(), 100)], [...wordPieceVocabulary(DOCUMENTS, 100)]);
  assert.equal([...wordPieceVocabulary(DOCUMENTS, 29).keys()].slice(27), ['cat', 'sat']);
  assert.throws(() => wordPieceVocabulary(DOCUMENTS, 20), /--vocab-size 20 is too small: the training documents hold 11 distinct characters, which with "##" continuations and 5 special tokens need 27/);
});

test('tokenizerForTraining(words): lower-cases, splits punctuation, spells unknown words; files round-trip', () => {
  const tokenizer = tokenizerForTraining('words', 100, () => DOCUMENTS);
  const vocabulary = wordPieceVocabulary(DOCUMENTS, 100);
  const id = (token: string) => vocabulary.get(token)!;
  assert.is(tokenizer.vocabSize, 31);
  assert.equal(tokenizer.special, { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
  assert.equal(Array.from(tokenizer.encode('The CAT, sat!')), [id('the'), id('cat'), tokenizer.special.unk /* no comma in the documents */, id('sat'), id('!')]);
  assert.equal(Array.from(tokenizer.encode('toad')), [id('t'), id('##o'), id('##a'), id('##d')]);
  assert.is(tokenizer.decode(tokenizer.encode('the dog sat.')), 'the dog sat.');
  const again = tokenizerFromFiles(tokenizer.files(64));
  assert.equal(Array.from(again.encode('The cat sat, toad.')), Array.from(tokenizer.encode('The cat sat, toad.')));
  assert.throws(() => loadTokenizer('words'), /--tokenizer words builds its vocabulary from a run's training documents/);
});

test('--vocab-size is refused with a tokenizer whose vocabulary is fixed', () => {
  const defaults = Object.fromEntries(Object.entries(TRAIN_FLAGS).map(([key, spec]) => [key, (spec as { default?: unknown }).default])) as unknown as TrainOptions;
  assert.is(defaults.tokenizer, 'words');
  assert.equal(crossCheckTrainOptions({ ...defaults, vocabSize: 500 }), []);
  assert.equal(crossCheckTrainOptions({ ...defaults, tokenizer: 'bytes', vocabSize: DEFAULT_WORDS_VOCAB_SIZE }), []);
  assert.equal(crossCheckTrainOptions({ ...defaults, tokenizer: 'bytes', vocabSize: 500 }), ['--vocab-size 500 sizes the vocabulary of --tokenizer words; --tokenizer is bytes, whose vocabulary is fixed']);
});

test('train --tokenizer words with two replicas: the checkpoint holds the built vocabulary; eval and predict read it', async () => {
  const topics = { sport: ['goal', 'match', 'team', 'coach'], politics: ['vote', 'senate', 'bill', 'party'] };
  const lines = Array.from({ length: 48 }, (_, i) => {
    const [label, words] = Object.entries(topics)[i % 2]!;
    return JSON.stringify({ text: `Item ${i}: ${words.map((word, k) => words[(i + k) % 4]).join(' ')}.`, label });
  });
  const data = join(root, 'topics.jsonl');
  writeFileSync(data, lines.join('\n'));
  const out = join(root, 'run');
  const stderr = process.stderr.write.bind(process.stderr);
  const stdout = process.stdout.write.bind(process.stdout);
  const printed: string[] = [];
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string) => { printed.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    const status = await main(['train', '--data', data, '--tokenizer', 'words', '--vocab-size', '120', '--out', out, '--seq-len', '32', '--short-seq-len', '0',
      '--steps', '2', '--warmup', '0', '--batch-size', '4', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--num-layers', '1',
      '--block-size', '16', '--sparse-block-size', '16', '--quiet', '--threads', '2', '--no-baseline']);
    assert.is(status, 0);
    const checkpoint = join(out, 'checkpoints/step-000002');
    const saved = JSON.parse(readFileSync(join(checkpoint, 'tokenizer.json'), 'utf8')) as { model: { type: string; vocab: Record<string, number> } };
    assert.is(saved.model.type, 'WordPiece');
    assert.ok(saved.model.vocab.senate !== undefined && saved.model.vocab.goal !== undefined, 'the words of the training documents are in the vocabulary');
    assert.is(JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')).vocab_size, Object.keys(saved.model.vocab).length);
    const document = join(root, 'doc.txt');
    writeFileSync(document, 'Goal, match and team.');
    assert.is(await main(['predict', out, document]), 0);
    assert.match(printed.join(''), /^(sport|politics) \(.*\); 6 tokens read \(21 bytes\)\n$/);
    assert.is(await main(['eval', out, '--threads', '2']), 0);
  } finally {
    process.stderr.write = stderr;
    process.stdout.write = stdout;
  }
});

test.run();
