// --tokenizer: the byte tokenizer and HuggingFace tokenizer.json files of each model kind (built by
// test/helpers/tokenizer-fixtures.ts), the files saved beside a checkpoint, the [MASK] literal,
// and a tiny classification run with a WordPiece tokenizer end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../engine/index.js';
import { BYTE_TOKENIZER, byteTokenizerJson, encodeForModel, encodeWithMasks, loadTokenizer } from '../../cli/data/tokenizers.js';
import { encodeBytes } from '../../cli/data/tokenizer.js';
import { main } from '../../cli/lsgrad.js';
import { BPE, UNIGRAM, WORDPIECE, type TokenizerFixture } from '../helpers/tokenizer-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'lsgrad-tokenizers-'));
const { Tokenizer } = createRequire(import.meta.url)('@huggingface/tokenizers') as { Tokenizer: new (json: object, config: object) => { encode(text: string): { ids: number[] } } };

function writeFixture(fixture: TokenizerFixture): string {
  const folder = join(root, fixture.kind);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(fixture.json));
  return join(folder, 'tokenizer.json');
}

test('the byte tokenizer\'s tokenizer.json gives HuggingFace\'s library the ids of encodeBytes', () => {
  const library = new Tokenizer(byteTokenizerJson(), {});
  for (const text of ['hi there', 'héllo wörld ✓ 😀', ' leading\r\nnewlines\t', 'From: a@b\n\nbody']) {
    assert.equal(library.encode(text).ids, Array.from(encodeBytes(text, 1000).inputIds.subarray(0, encodeBytes(text, 1000).length)), text);
  }
});

for (const fixture of [WORDPIECE, BPE, UNIGRAM]) {
  test(`a ${fixture.kind} tokenizer.json: ids, special tokens, and the files saved with a checkpoint`, () => {
    const path = writeFixture(fixture);
    const tokenizer = loadTokenizer(path);
    assert.equal(Array.from(tokenizer.encode(fixture.text)), fixture.ids);
    assert.equal(tokenizer.special, fixture.special);
    assert.is(loadTokenizer(join(root, fixture.kind)).vocabSize, tokenizer.vocabSize); // a folder holding tokenizer.json
    const row = encodeForModel(tokenizer, fixture.text, fixture.ids.length + 4);
    assert.equal(Array.from(row.inputIds), [fixture.special.cls, ...fixture.ids, fixture.special.sep, fixture.special.pad, fixture.special.pad]);
    assert.equal(Array.from(encodeForModel(tokenizer, fixture.text, 4).inputIds), [fixture.special.cls, ...fixture.ids.slice(0, 2), fixture.special.sep]);
    // The literal [MASK] is the mask token, whatever the tokenizer calls it.
    assert.equal(Array.from(encodeWithMasks(tokenizer, `${fixture.text}[MASK]`)), [...fixture.ids, fixture.special.mask]);
    const files = tokenizer.files(128);
    assert.equal(files['tokenizer.json'], fixture.json);
    const config = files['tokenizer_config.json'] as Record<string, unknown>;
    assert.is(config.model_max_length, 128);
    assert.is(config.mask_token, tokenizer.tokenText(fixture.special.mask));
    assert.equal(Object.keys(files['special_tokens_map.json']).sort(), ['cls_token', 'mask_token', 'pad_token', 'sep_token', 'unk_token']);
  });
}

test('[MASK] stands for one byte with the byte tokenizer', () => {
  assert.equal(Array.from(encodeWithMasks(BYTE_TOKENIZER, 'a[MASK]c')), [102, 4, 104]);
  assert.is(BYTE_TOKENIZER.tokenText(4), '[MASK]');
  assert.is(BYTE_TOKENIZER.tokenText(102), 'a');
});

test('a tokenizer.json without the special tokens, or not JSON, is refused with its path', () => {
  const json = structuredClone(WORDPIECE.json) as { model: { vocab: Record<string, number> }; added_tokens: { content: string }[] };
  delete json.model.vocab['[MASK]'];
  json.added_tokens = json.added_tokens.filter((token) => token.content !== '[MASK]');
  const noMask = join(root, 'no-mask.json');
  writeFileSync(noMask, JSON.stringify(json));
  assert.throws(() => loadTokenizer(noMask), /no-mask\.json: no mask token in the vocabulary \(looked for \[MASK\], <mask>\)/);
  const broken = join(root, 'broken.json');
  writeFileSync(broken, '{"model": ');
  assert.throws(() => loadTokenizer(broken), /broken\.json: not valid JSON/);
  assert.throws(() => loadTokenizer(join(root, 'absent.json')), /absent\.json: cannot read it \(ENOENT\)/);
});

test('train --tokenizer PATH: the checkpoint carries the tokenizer files, and eval and predict use them', async () => {
  const rng = createRng(3);
  const words = WORDPIECE.topicWords!;
  const lines = Array.from({ length: 60 }, (_, i) => {
    const topic = i % 3;
    const text = `${i}: ${Array.from({ length: 6 }, () => words[topic * 8 + rng.int(8)]).join(' ')}`;
    return JSON.stringify({ text, label: ['sport', 'politics', 'finance'][topic] });
  });
  const data = join(root, 'topics.jsonl');
  writeFileSync(data, lines.join('\n'));
  const out = join(root, 'run');
  const quiet = process.stderr.write.bind(process.stderr);
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  process.stdout.write = ((chunk: string) => { chunks.push(String(chunk)); return true; }) as typeof process.stdout.write;
  try {
    const status = await main(['train', '--data', data, '--tokenizer', writeFixture(WORDPIECE), '--out', out, '--seq-len', '32', '--short-seq-len', '0',
      '--steps', '2', '--warmup', '0', '--batch-size', '4', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--num-layers', '1',
      '--block-size', '16', '--sparse-block-size', '16', '--quiet', '--threads', '1', '--no-baseline']);
    assert.is(status, 0);
    const checkpoint = join(out, 'checkpoints/step-000002');
    assert.equal(JSON.parse(readFileSync(join(checkpoint, 'tokenizer.json'), 'utf8')), WORDPIECE.json);
    assert.is(JSON.parse(readFileSync(join(checkpoint, 'special_tokens_map.json'), 'utf8')).mask_token, '[MASK]');
    assert.is(JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')).vocab_size, loadTokenizer(writeFixture(WORDPIECE)).vocabSize);
    const document = join(root, 'doc.txt');
    writeFileSync(document, 'goal match team');
    assert.is(await main(['predict', out, document]), 0);
    assert.match(chunks.join(''), /^(sport|politics|finance) \(.*\); 3 tokens read \(15 bytes\)\n$/);
    assert.is(await main(['eval', out, '--threads', '1']), 0);
  } finally {
    process.stderr.write = quiet;
    process.stdout.write = write;
  }
});

test.run();
