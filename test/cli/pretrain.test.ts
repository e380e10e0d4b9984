// Masked-LM pretraining and what follows it: BERT's masking statistics, a tiny `lsgrad pretrain`
// whose loss falls and which resumes exactly, fill-mask's answers, and `train --init` from a
// pretrain checkpoint and from a PyTorch-written dense checkpoint (converted to LSG on the fly),
// with --train-only global,head freezing the rest.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../engine/index.js';
import { parseSafetensors } from '../../nn/safetensors.js';
import { maskBatch, windows, NOT_SCORED } from '../../cli/data/masking.js';
import { BYTE_TOKENIZER, layout } from '../../cli/data/tokenizers.js';
import { runCli } from '../helpers/cli.js';
import { WORDPIECE } from '../helpers/tokenizer-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'lsgrad-pretrain-'));
const fixtures = fileURLToPath(new URL('../fixtures/albert', import.meta.url));

const cli = runCli;

test('windows cut documents into consecutive pieces', () => {
  assert.equal(windows([Int32Array.of(1, 2, 3, 4, 5), Int32Array.of(6)], 2).map((w) => Array.from(w)), [[1, 2], [3, 4], [5], [6]]);
  assert.throws(() => windows([], 0), /windowTokens 0 is invalid/);
});

test('BERT masking: 15% of real tokens, 80/10/10, never a special token, fixed by (seed, step)', () => {
  const rng = createRng(1);
  const rows = 64, width = 256;
  const inputIds = new Int32Array(rows * width);
  const attentionMask = new Int32Array(rows * width);
  for (let row = 0; row < rows; row++) {
    const length = 100 + rng.int(150);
    const ids = Int32Array.from({ length }, () => 5 + rng.int(256));
    const encoded = layout(BYTE_TOKENIZER.special, ids, width);
    inputIds.set(encoded.inputIds, row * width);
    attentionMask.set(encoded.attentionMask, row * width);
  }
  const batch = { inputIds, attentionMask, width };
  const masked = maskBatch(batch, BYTE_TOKENIZER.special, BYTE_TOKENIZER.vocabSize, 7, 3);
  let real = 0, chosen = 0, asMask = 0, same = 0;
  for (let i = 0; i < inputIds.length; i++) {
    const special = attentionMask[i] === 0 || inputIds[i]! < 5;
    if (special) { assert.is(masked.labels[i], NOT_SCORED); assert.is(masked.inputIds[i], inputIds[i]); continue; }
    real++;
    if (masked.labels[i] === NOT_SCORED) { assert.is(masked.inputIds[i], inputIds[i]); continue; }
    chosen++;
    assert.is(masked.labels[i], inputIds[i]);
    if (masked.inputIds[i] === 4) asMask++;
    else if (masked.inputIds[i] === inputIds[i]) same++;
  }
  // About 11,000 real tokens: the binomial standard deviation of the 15% is 0.34%.
  assert.ok(Math.abs(chosen / real - 0.15) < 0.012, `chosen ${chosen / real}`);
  assert.ok(Math.abs(asMask / chosen - 0.8) < 0.03, `[MASK] ${asMask / chosen}`);
  // Unchanged: the 10% kept plus the random draws that hit the same token (1/256 of 10%).
  assert.ok(Math.abs(same / chosen - 0.1) < 0.025, `unchanged ${same / chosen}`);
  assert.is(masked.chosen, chosen);
  assert.equal(maskBatch(batch, BYTE_TOKENIZER.special, BYTE_TOKENIZER.vocabSize, 7, 3).labels, masked.labels);
  assert.not.equal(maskBatch(batch, BYTE_TOKENIZER.special, BYTE_TOKENIZER.vocabSize, 7, 4).labels, masked.labels);
  // A tiny batch still scores one token.
  const tiny = { inputIds: Int32Array.of(2, 50, 3), attentionMask: Int32Array.of(1, 1, 1), width: 3 };
  for (let step = 1; step <= 20; step++) assert.ok(maskBatch(tiny, BYTE_TOKENIZER.special, 261, 0, step).chosen >= 1);
});

const TOPICS = [
  ['goal', 'match', 'team', 'coach', 'league', 'score', 'player', 'season'],
  ['vote', 'party', 'election', 'senate', 'minister', 'policy', 'campaign', 'law'],
  ['stock', 'market', 'shares', 'bank', 'profit', 'rates', 'bond', 'investor'],
];
const rng = createRng(5);
const documents = Array.from({ length: 120 }, (_, i) => ({ topic: i % 3, text: `${i}: ${Array.from({ length: 10 }, () => TOPICS[i % 3]![rng.int(8)]).join(' ')}` }));
const corpus = join(root, 'corpus.txt');
writeFileSync(corpus, documents.map((d) => d.text).join('\n\n'));
const MODEL = ['--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--num-layers', '1', '--block-size', '16', '--sparse-block-size', '16', '--quiet'];
const PRETRAIN = ['pretrain', '--data', corpus, '--seq-len', '48', '--steps', '24', '--batch-size', '8', '--lr', '3e-3', '--warmup', '2', '--eval-every', '12', '--checkpoint-every', '12', '--dropout', '0.1', ...MODEL];
const pretrained = join(root, 'pretrained');

test('lsgrad pretrain: the loss falls, checkpoints are LSGAlbertForMaskedLM with the tokenizer, --resume repeats the losses', async () => {
  const run = await cli([...PRETRAIN, '--out', pretrained]);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /validation @ step 24: masked-LM loss \d+\.\d+ · masked-token accuracy/);
  const metrics = JSON.parse(readFileSync(join(pretrained, 'metrics.json'), 'utf8'));
  const losses: number[] = metrics.losses;
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(mean(losses.slice(-6)) < mean(losses.slice(0, 6)) - 0.3, `losses ${losses.map((l) => l.toFixed(2)).join(' ')}`);
  const checkpoint = join(pretrained, 'checkpoints/step-000024');
  assert.equal(JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')).architectures, ['LSGAlbertForMaskedLM']);
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'optimizer.safetensors']) assert.ok(existsSync(join(checkpoint, file)), file);
  assert.ok(existsSync(join(pretrained, 'curves.svg')));
  const resumed = join(root, 'resumed');
  assert.is((await cli([...PRETRAIN, '--out', resumed, '--stop-at', '12'])).status, 0);
  assert.is((await cli(['pretrain', '--resume', resumed, '--quiet'])).status, 0);
  assert.equal(JSON.parse(readFileSync(join(resumed, 'metrics.json'), 'utf8')).losses, losses);
});

test('lsgrad fill-mask: top-k fillings with probabilities, and a clear error without [MASK]', async () => {
  const filled = await cli(['fill-mask', pretrained, '7: vote party el[MASK]ction', '--top-k', '4', '--json']);
  assert.is(filled.status, 0, filled.stderr);
  const answers = JSON.parse(filled.stdout) as { score: number; token: number; token_str: string; sequence: string }[];
  assert.is(answers.length, 4);
  for (let i = 1; i < answers.length; i++) assert.ok(answers[i - 1]!.score >= answers[i]!.score);
  assert.ok(answers.reduce((total, answer) => total + answer.score, 0) <= 1 + 1e-9);
  assert.is(answers[0]!.sequence, `7: vote party el${answers[0]!.token_str}ction`);
  const two = await cli(['fill-mask', pretrained, '[MASK]: vote [MASK]arty']);
  assert.match(two.stdout, /^\[MASK\] #1:\n(  0\.\d{4} .*\n){5}\[MASK\] #2:\n/);
  const none = await cli(['fill-mask', pretrained, 'no mask here']);
  assert.is(none.status, 2);
  assert.match(none.stderr, /the text has no \[MASK\]/);
});

const labelled = join(root, 'labelled.jsonl');
writeFileSync(labelled, documents.map((d) => JSON.stringify({ text: d.text, label: ['sport', 'politics', 'finance'][d.topic] })).join('\n'));
const FINE_TUNE = ['train', '--data', labelled, '--steps', '3', '--batch-size', '4', '--warmup', '0', '--lr', '1e-2', '--eval-every', '0', '--checkpoint-every', '0', '--threads', '1', '--quiet', '--no-baseline'];
const weights = (dir: string) => parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))).tensors;

test('train --init a pretrain checkpoint: encoder loaded, head new; --train-only global,head freezes the rest', async () => {
  const out = join(root, 'fine-tuned');
  const run = await cli([...FINE_TUNE, '--init', pretrained, '--train-only', 'global,head', '--out', out]);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /initialized from .*step-000024: loaded \d+ weights, a new classification head; initialised 4 \(albert\.pooler\.weight, albert\.pooler\.bias, classifier\.weight, classifier\.bias\)/);
  assert.match(run.stderr, /--train-only global,head: training [\d,]+ of [\d,]+ parameters \(5 of \d+ tensors\)/);
  const before = weights(join(pretrained, 'checkpoints/step-000024'));
  const after = weights(join(out, 'checkpoints/step-000003'));
  const config = JSON.parse(readFileSync(join(out, 'checkpoints/step-000003/config.json'), 'utf8'));
  assert.is(config.max_position_embeddings, 48); // the shape and length came from the checkpoint
  for (const [name, entry] of after) {
    if (name.startsWith('classifier.') || name.includes('pooler')) continue;
    const changed = Array.from(entry.data).some((value, i) => value !== before.get(name)!.data[i]);
    assert.is(changed, name.includes('global_embeddings'), name);
  }
  const optimizer = parseSafetensors(new Uint8Array(readFileSync(join(out, 'checkpoints/step-000003/optimizer.safetensors'))));
  assert.equal([...optimizer.tensors.keys()].filter((key) => key.startsWith('exp_avg.')).sort(),
    ['exp_avg.albert.embeddings.global_embeddings.weight', 'exp_avg.albert.pooler.bias', 'exp_avg.albert.pooler.weight', 'exp_avg.classifier.bias', 'exp_avg.classifier.weight']);
  const refused = await cli([...FINE_TUNE, '--init', pretrained, '--hidden-size', '32', '--out', join(root, 'never')]);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /--hidden-size 32 differs from the checkpoint's 16/);
  assert.is((await cli([...FINE_TUNE, '--attention', 'dense', '--train-only', 'global', '--out', join(root, 'never')])).status, 2);
});

test('train --init a dense checkpoint written by PyTorch: converted to LSG on the fly, pooler and head new', async () => {
  const checkpoint = join(root, 'pytorch-dense');
  cpSync(join(fixtures, 'dense_mlm_t48'), checkpoint, { recursive: true });
  // The fixture's vocabulary has 100 ids; a WordPiece tokenizer of 100 tokens goes beside it.
  const json = structuredClone(WORDPIECE.json) as { model: { vocab: Record<string, number> } };
  for (let id = Object.keys(json.model.vocab).length; id < 100; id++) json.model.vocab[`extra${id}`] = id;
  writeFileSync(join(checkpoint, 'tokenizer.json'), JSON.stringify(json));
  const out = join(root, 'from-dense');
  const run = await cli([...FINE_TUNE, '--init', checkpoint, '--seq-len', '64', '--block-size', '16', '--sparse-block-size', '16', '--out', out]);
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /a dense checkpoint, converted to LSG-ALBERT on the fly\): loaded \d+ weights, a new classification head; initialised 4/);
  const config = JSON.parse(readFileSync(join(out, 'checkpoints/step-000003/config.json'), 'utf8'));
  assert.equal(config.architectures, ['LSGAlbertForSequenceClassification']);
  assert.is(config.max_position_embeddings, 64);
  assert.is(config.vocab_size, 100);
  const source = weights(checkpoint);
  const initial = source.get('albert.encoder.albert_layer_groups.0.albert_layers.0.attention.query.weight')!;
  assert.ok(initial !== undefined);
  const withoutTokenizer = join(root, 'no-tokenizer');
  cpSync(join(fixtures, 'dense_mlm_t48'), withoutTokenizer, { recursive: true });
  const refused = await cli([...FINE_TUNE, '--init', withoutTokenizer, '--out', join(root, 'never')]);
  assert.is(refused.status, 2);
  assert.match(refused.stderr, /vocabulary has 100 tokens but its tokenizer \(byte-level: there is no tokenizer\.json beside it\) has 261/);
});

test.run();
