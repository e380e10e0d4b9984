import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, randint, createRng, ones } from '../../engine/index.js';
import {
  LsgAlbertConfig, LSGAlbertModel, LSGAlbertForMaskedLM, LSGAlbertForPreTraining, LSGAlbertForSequenceClassification,
  LSGAlbertForTokenClassification, LSGAlbertForQuestionAnswering, LSGAlbertForMultipleChoice, LSG_ALBERT_AUTO_MAP,
} from '../../lsg/albert.js';
import { ALBERT_FIXTURES, readCase, intTensor } from '../nn/golden-helpers.js';
import { comparableToReference } from '../helpers/checkpoints.js';

const tiny = (changes = {}) => new LsgAlbertConfig({
  vocabSize: 30, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 2, numHiddenGroups: 1, numAttentionHeads: 2,
  intermediateSize: 24, maxPositionEmbeddings: 128, classifierDropoutProb: 0,
  blockSize: 8, sparseBlockSize: 8, sparsityFactor: 2, sparsityType: 'norm', numGlobalTokens: 2, ...changes,
});

test('LSG config.json: reads the fixture and writes it back identically', () => {
  for (const name of ['lsg_mlm_pooling_f4_g4_t256', 'lsg_cls_stride_f2_g4_t100']) {
    const json = JSON.parse(readFileSync(`${ALBERT_FIXTURES}${name}/config.json`, 'utf8'));
    const config = LsgAlbertConfig.fromHfJson(json);
    assert.is(config.blockSize, 16);
    assert.is(config.lsg.sparseBlockSize, 16);
    // lsgrad adds its mode record and names the published code in auto_map; the rest is the reference's.
    assert.equal(comparableToReference(config.toHfJson()), comparableToReference(json), name);
    assert.is(config.toHfJson().reference_quirks, true, 'a reference checkpoint is loaded in the reference mode');
  }
  const fresh = tiny().toHfJson();
  assert.equal(fresh.auto_map, LSG_ALBERT_AUTO_MAP);
  assert.is(fresh.base_model_prefix, 'lsg');
  assert.is(fresh.sparsity_type, 'norm');
  assert.throws(() => tiny({ sparsityType: 'fancy' }), /sparsityType "fancy" is invalid; expected one of "none", "norm"/);
  assert.throws(() => tiny({ blockSize: 6, sparsityFactor: 4 }), /sparsityFactor 4 is invalid; expected a divisor of blockSize 6/);
});

test('save → load of an LSG golden checkpoint is byte-identical, with the LSG layout', () => {
  const golden = readCase('lsg_mlm_pooling_f4_g4_t256');
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-lsg-'));
  try {
    const model = LSGAlbertForMaskedLM.fromPretrained(golden.dir);
    model.savePretrained(dir);
    assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(readFileSync(join(golden.dir, 'model.safetensors'))));
    assert.equal(comparableToReference(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))), comparableToReference(JSON.parse(readFileSync(join(golden.dir, 'config.json'), 'utf8'))));
    const again = LSGAlbertForMaskedLM.fromPretrained(dir);
    const inputs = { inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask) };
    const a = model.forward(inputs).logits.toTypedArray();
    const b = again.forward(inputs).logits.toTypedArray();
    assert.ok(a.every((value, i) => value === b[i]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fresh LSG model saved here names LSG classes in architectures and global_embeddings in the weights', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-lsg-'));
  try {
    new LSGAlbertForSequenceClassification(tiny({ numLabels: 3 })).savePretrained(dir);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(json.architectures, ['LSGAlbertForSequenceClassification']);
    assert.is(json.model_type, 'albert');
    const model = LSGAlbertForSequenceClassification.fromPretrained(dir);
    assert.equal(model.stateDict()['albert.embeddings.global_embeddings.weight']!.shape, [512, 8]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('inputs longer than maxPositionEmbeddings: the error says to convert with a larger --max-sequence-length', () => {
  const model = new LSGAlbertModel(tiny());
  assert.throws(() => model.forward({ inputIds: randint(5, 30, [1, 129]) }), /at most maxPositionEmbeddings \(128\); convert the checkpoint with a larger --max-sequence-length/);
});

test('ragged lengths: padded when adaptive, a clear error when not', () => {
  const ids = randint(5, 30, [2, 37], { rng: createRng(1) });
  const adaptive = new LSGAlbertModel(tiny(), { rng: createRng(2) }).eval();
  assert.equal(adaptive.forward({ inputIds: ids }).lastHiddenState.shape, [2, 37, 16]);
  const strict = new LSGAlbertModel(tiny({ adaptive: false }), { rng: createRng(2) }).eval();
  assert.throws(() => strict.forward({ inputIds: ids }), /sequence length 37 is invalid; expected a multiple of blockSize 8 when adaptive is false/);
  assert.equal(strict.forward({ inputIds: ids.narrow(1, 0, 32) }).lastHiddenState.shape, [2, 32, 16]);
  // Padding must not change the real tokens' outputs: 37 tokens + 3 padded tokens vs 37 tokens.
  const padded = tensor(Int32Array.from({ length: 2 * 40 }, (_, i) => (i % 40 < 37 ? (ids.toTypedArray()[Math.floor(i / 40) * 37 + (i % 40)] as number) : 0)), { shape: [2, 40], dtype: 'int32' });
  const keep = tensor(Int32Array.from({ length: 2 * 40 }, (_, i) => (i % 40 < 37 ? 1 : 0)), { shape: [2, 40], dtype: 'int32' });
  const a = adaptive.forward({ inputIds: ids }).lastHiddenState.toTypedArray();
  const b = adaptive.forward({ inputIds: padded, attentionMask: keep }).lastHiddenState.narrow(1, 0, 37).contiguous().toTypedArray();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  assert.ok(worst < 1e-5, `padding changed outputs by ${worst}`);
});

test('every LSG-ALBERT head runs forward and backward at a length with the block path', () => {
  const config = tiny({ numLabels: 2 });
  const ids = randint(5, 30, [2, 48], { rng: createRng(3) });
  const labels = tensor(Int32Array.from({ length: 96 }, (_, i) => (i % 7 === 0 ? 9 : -100)), { shape: [2, 48], dtype: 'int32' });
  const classes = tensor([1, 0], { dtype: 'int32' });
  const losses = [
    new LSGAlbertForMaskedLM(config).forward({ inputIds: ids, labels }).loss!,
    new LSGAlbertForPreTraining(config).forward({ inputIds: ids, labels, sentenceOrderLabel: classes }).loss!,
    new LSGAlbertForSequenceClassification(config).forward({ inputIds: ids, labels: classes }).loss!,
    new LSGAlbertForTokenClassification(config).forward({ inputIds: ids, labels: labels.clamp(-100, 1) }).loss!,
    new LSGAlbertForQuestionAnswering(config).forward({ inputIds: ids, startPositions: classes, endPositions: classes.add(3) }).loss!,
    new LSGAlbertForMultipleChoice(config).forward({ inputIds: randint(5, 30, [1, 2, 48]), attentionMask: ones([1, 2, 48], { dtype: 'int32' }), labels: tensor([1], { dtype: 'int32' }) }).loss!,
  ];
  for (const loss of losses) {
    assert.ok(Number.isFinite(loss.item()));
    loss.backward();
  }
});

test('every sparsity type runs forward and backward in the model (lsh with the default seeded generator)', () => {
  for (const sparsityType of ['none', 'norm', 'pooling', 'lsh', 'stride', 'block_stride', 'bos_pooling']) {
    const model = new LSGAlbertForMaskedLM(tiny({ sparsityType }), { rng: createRng(4) });
    const ids = randint(5, 30, [2, 50], { rng: createRng(5) });
    const { loss } = model.forward({ inputIds: ids, labels: ids });
    assert.ok(Number.isFinite(loss!.item()), sparsityType);
    loss!.backward();
  }
});

test.run();
