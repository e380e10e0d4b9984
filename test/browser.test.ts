// The library runs in a browser: engine, nn and lsg bundle for the browser platform without Node
// modules, and the playground's computations train LSG-ALBERT in a context that has no Node globals
// (test/playground/page.test.ts runs the page itself in Chromium).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundlePlayground } from '../scripts/playground.js';
import { createRng, tensor } from '../engine/index.js';
import { AlbertConfig, AlbertForSequenceClassification } from '../nn/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig } from '../lsg/index.js';
import { encodeBytes, VOCAB_SIZE } from '../cli/data/tokenizer.js';
import { spamProbability } from '../cli/evaluate.js';
import { byteTokenizerJson } from '../cli/data/text-tokenizer.js';
import { tokenizerForTraining } from '../cli/data/tokenizers.js';
import { HAM_EMAIL, trainWordCheckpoint, WORD_EMAIL } from './helpers/word-checkpoint.js';
import * as nodeDisk from '../nn/disk.js';
import * as browserDisk from '../nn/disk.browser.js';

/** The page's classifier and lsgrad predict run the same float32 kernels on the same ids. */
const PAGE_PREDICT_TOL = 1e-6;

const fromRoot = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** What a page offers that the bundles use (timers, performance.now, base64 and text codecs), and no Node global. */
function pageGlobals(): Record<string, unknown> {
  return { setTimeout, performance: { now: () => performance.now() }, console, atob, btoa, TextEncoder, TextDecoder };
}

// A compile-time check: the browser stand-in has every export of disk.ts, with the same types.
const sameExports: typeof nodeDisk = browserDisk;

test('engine, nn and lsg bundle for the browser with no Node module; disk.ts is swapped for disk.browser.ts', async () => {
  const result = await build({
    entryPoints: ['engine/index.ts', 'nn/index.ts', 'lsg/index.ts'].map(fromRoot),
    bundle: true, write: false, metafile: true, platform: 'browser', format: 'esm', outdir: fromRoot('dist/check'), logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.equal(inputs.filter((path) => path.startsWith('node:')), []);
  assert.ok(inputs.includes('nn/disk.browser.ts'), inputs.filter((path) => path.startsWith('nn/')).join(', '));
  assert.not.ok(inputs.includes('nn/disk.ts'));
});

test('without a file system, each disk function names the in-memory call to use', () => {
  assert.is(sameExports.joinPath('out/', 'model', 'config.json'), 'out/model/config.json');
  assert.throws(() => browserDisk.readBytes('m/model.safetensors'), /readBytes\('m\/model\.safetensors'\): there is no file system in a browser; use model\.toPretrainedFiles\(\) to save, Model\.fromPretrained\(files\) to load/);
  assert.throws(() => browserDisk.writeFileAtomic('m/config.json', '{}'), /writeFileAtomic\('m\/config\.json'\)/);
  assert.throws(() => browserDisk.fileExists('m'), /fileExists\('m'\)/);
});

test('the playground bundles with no Node module, and its computations train and classify where there is no process, require or Buffer', async () => {
  const page = await bundlePlayground(false);
  assert.equal(Object.keys(page.metafile.inputs).filter((path) => path.startsWith('node:')), []);
  const bundle = await build({
    entryPoints: [fromRoot('test/helpers/browser-playground-entry.ts')],
    bundle: true, write: false, metafile: true, platform: 'browser', format: 'iife', globalName: 'playground', logLevel: 'silent',
  });
  assert.equal(Object.keys(bundle.metafile.inputs).filter((path) => path.startsWith('node:')), []);
  const sandbox = pageGlobals();
  runInNewContext(bundle.outputFiles[0]!.text, sandbox);
  assert.is(runInNewContext('typeof process + typeof require + typeof Buffer', sandbox), 'undefinedundefinedundefined');
  type Trained = { kind: string; accuracy: number; finalLoss: number; checkpoint: Record<string, string | Uint8Array> | null }[];
  const playground = sandbox.playground as {
    trainSideBySide: (settings: object, onProgress: (p: { step: number; curves: { loss: unknown[] }[] }) => void) => Promise<Trained>;
    TRAINING_DEFAULTS: object;
    classifyEmail: (files: object, text: string) => { label: string; spamProbability: number; tokensUsed: number; unit: string };
  };
  const steps: number[] = [];
  const trained = await playground.trainSideBySide({ ...playground.TRAINING_DEFAULTS, seqLen: 64, steps: 3, batchSize: 2, evalSize: 4, evalEvery: 2, blockSize: 8 }, (p) => steps.push(p.step));
  assert.is(steps.join(), '1,2,3');
  assert.is(trained.map((r) => r.kind).join(','), 'local,lsg:norm,dense'); // (arrays of the sandbox's realm: compared as text)
  for (const r of trained) assert.ok(r.accuracy >= 0 && r.accuracy <= 1 && Number.isFinite(r.finalLoss));
  assert.is(trained[0]!.checkpoint, null);
  // The page's LSG checkpoint loads in Node (strictly: every parameter present) and saves to the same bytes.
  // (its bytes are the sandbox realm's Uint8Array, which fromPretrained accepts as they are)
  const files = { 'config.json': trained[1]!.checkpoint!['config.json'] as string, 'model.safetensors': trained[1]!.checkpoint!['model.safetensors'] as Uint8Array };
  const model = LSGAlbertForSequenceClassification.fromPretrained(files);
  assert.ok(model.config instanceof LsgAlbertConfig && model.config.lsg.sparsityType === 'norm');
  assert.ok(Buffer.from(model.toPretrainedFiles()['model.safetensors']).equals(Buffer.from(files['model.safetensors'])));
  // A checkpoint made in Node classifies an email in the sandbox as it does here.
  const classifier = new LSGAlbertForSequenceClassification(new LsgAlbertConfig({
    vocabSize: VOCAB_SIZE, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32, maxPositionEmbeddings: 96,
    blockSize: 16, sparseBlockSize: 16, sparsityFactor: 2, numGlobalTokens: 1,
  }), { rng: createRng(1) });
  const email = 'From: a@b.example\nSubject: FREE money now\n\nClick here to claim your prize, and tell nobody. '.repeat(2);
  const verdict = playground.classifyEmail(classifier.toPretrainedFiles(), email);
  const encoded = encodeBytes(email, 96);
  const logits = classifier.eval().forward({ inputIds: tensor(encoded.inputIds, { shape: [1, 96], dtype: 'int32' }), attentionMask: tensor(encoded.attentionMask, { shape: [1, 96], dtype: 'int32' }) }).logits.toTypedArray();
  assert.ok(Math.abs(verdict.spamProbability - spamProbability(logits[0]!, logits[1]!)) < 1e-6, `${verdict.spamProbability}`);
  assert.is(verdict.tokensUsed, 94);
  assert.is(verdict.unit, 'bytes');
  // The byte tokenizer's tokenizer.json (lsgrad train --tokenizer bytes saves one) reads as the byte tokenizer.
  const withByteJson = playground.classifyEmail({ ...classifier.toPretrainedFiles(), 'tokenizer.json': JSON.stringify(byteTokenizerJson()) }, email);
  assert.is(withByteJson.spamProbability, verdict.spamProbability);
  const dense = new AlbertForSequenceClassification(new AlbertConfig({ vocabSize: VOCAB_SIZE, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 32 }), { rng: createRng(1) });
  assert.throws(() => playground.classifyEmail(dense.toPretrainedFiles(), email), /classifyEmail: files\['config\.json'\] is for AlbertForSequenceClassification; expected LSGAlbertForSequenceClassification/);
  // The training panel's model is not an email model, and an empty email is not an email.
  assert.throws(() => playground.classifyEmail(files, email), /classifyEmail: files\['config\.json'\] has vocab_size 22 and no tokenizer\.json was picked; expected 261, the byte vocabulary, or the tokenizer\.json beside config\.json .* A 22-token model of another task, such as the training panel's, is not an email model/);
  assert.throws(() => playground.classifyEmail(classifier.toPretrainedFiles(), ' \n'), /classifyEmail: email is empty; expected the raw text of an email/);
});

test('in the sandbox, a word-level checkpoint of lsgrad train (tokenizer.json beside it) gives lsgrad predict\'s P(spam); without its tokenizer.json, or with another, it is refused', async () => {
  const bundle = await build({
    entryPoints: [fromRoot('test/helpers/browser-playground-entry.ts')],
    bundle: true, write: false, platform: 'browser', format: 'iife', globalName: 'playground', logLevel: 'silent',
  });
  const sandbox = pageGlobals();
  runInNewContext(bundle.outputFiles[0]!.text, sandbox);
  const playground = sandbox.playground as { classifyEmail: (files: object, text: string) => { spamProbability: number; tokensUsed: number; unit: string } };
  const words = await trainWordCheckpoint();
  const model = { 'config.json': words.file('config.json').toString('utf8'), 'model.safetensors': new Uint8Array(words.file('model.safetensors')) };
  const tokenizer = { 'tokenizer.json': words.file('tokenizer.json').toString('utf8'), 'tokenizer_config.json': words.file('tokenizer_config.json').toString('utf8') };
  const verdict = playground.classifyEmail({ ...model, ...tokenizer }, WORD_EMAIL);
  const predicted = await words.predictSpam(WORD_EMAIL);
  assert.ok(Math.abs(verdict.spamProbability - predicted) < PAGE_PREDICT_TOL, `page ${verdict.spamProbability}, lsgrad predict ${predicted}`);
  assert.is(verdict.tokensUsed, 62); // the email is longer than the 64-token model reads
  assert.is(verdict.unit, 'tokens');
  const ham = playground.classifyEmail({ ...model, ...tokenizer }, HAM_EMAIL);
  const predictedHam = await words.predictSpam(HAM_EMAIL);
  assert.ok(Math.abs(ham.spamProbability - predictedHam) < PAGE_PREDICT_TOL, `page ${ham.spamProbability}, lsgrad predict ${predictedHam}`);
  assert.ok(Math.abs(predicted - predictedHam) > 1e-3, `the model tells the emails apart (${predicted} against ${predictedHam}), so agreeing says the same tokens were read`);
  assert.throws(() => playground.classifyEmail(model, WORD_EMAIL), /classifyEmail: files\['config\.json'\] has vocab_size 120 and no tokenizer\.json was picked; expected 261, the byte vocabulary, or the tokenizer\.json beside config\.json picked with it/);
  const other = tokenizerForTraining('words', 100, () => ['the cat sat']);
  assert.is(other.vocabSize, 20);
  assert.throws(() => playground.classifyEmail({ ...model, 'tokenizer.json': JSON.stringify(other.files(64)['tokenizer.json']) }, WORD_EMAIL), /classifyEmail: files\['tokenizer\.json'\] has 20 tokens, files\['config\.json'\] has vocab_size 120; expected the same: pick the tokenizer\.json beside this config\.json/);
  assert.throws(() => playground.classifyEmail({ ...model, 'tokenizer.json': '{"model": ' }, WORD_EMAIL), /classifyEmail: files\['tokenizer\.json'\] is not valid JSON \(.*\); expected the tokenizer\.json that lsgrad train saved beside config\.json/);
});

test('the gpu.js plugin bundles for the browser and runs its cpu and webasm modes there; webgpu says it needs Node', async () => {
  const bundle = await build({
    entryPoints: [fromRoot('test/helpers/browser-gpujs-entry.ts')],
    bundle: true, write: false, metafile: true, platform: 'browser', format: 'iife', globalName: 'entry', logLevel: 'silent',
  });
  const inputs = Object.keys(bundle.metafile.inputs);
  assert.equal(inputs.filter((path) => path.startsWith('node:') || path.endsWith('sync-webgpu.ts')), []);
  assert.ok(inputs.some((path) => path.endsWith('gpu.js/dist/gpu-browser.js')), 'gpu.js\'s browser build');
  const sandbox = pageGlobals();
  runInNewContext(bundle.outputFiles[0]!.text, sandbox);
  const expected = [Math.exp(1), Math.exp(3), Math.exp(2.5), Math.exp(5)];
  for (const mode of ['cpu', 'webasm']) {
    const result = runInNewContext(`entry.productOnGpuJs(${JSON.stringify(mode)})`, sandbox) as { mode: string; values: number[] };
    assert.is(result.mode, mode);
    result.values.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-4 * expected[i]!, `${mode}: ${value} against ${expected[i]}`));
  }
  assert.throws(() => runInNewContext('entry.productOnGpuJs("webgpu")', sandbox), /mode 'webgpu' runs Dawn in a Node worker thread and is not available in a browser; use mode 'gpu' \(WebGL\) there/);
});

test.run();
