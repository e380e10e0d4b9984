import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { AlbertConfig } from '../../nn/albert/config.js';

const fixtureJson = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/albert/${name}/config.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

test('defaults are HuggingFace AlbertConfig defaults', () => {
  const config = new AlbertConfig();
  assert.is(config.vocabSize, 30000);
  assert.is(config.embeddingSize, 128);
  assert.is(config.hiddenSize, 4096);
  assert.is(config.numAttentionHeads, 64);
  assert.is(config.intermediateSize, 16384);
  assert.is(config.hiddenAct, 'gelu_new');
  assert.is(config.layerNormEps, 1e-12);
  assert.is(config.classifierDropoutProb, 0.1);
  assert.is(config.numLabels, 2);
  assert.is(config.headDim, 64);
});

test('reads the fixture config.json into camelCase fields', () => {
  const config = AlbertConfig.fromHfJson(fixtureJson('dense_mlm_t48'));
  assert.is(config.vocabSize, 100);
  assert.is(config.embeddingSize, 16);
  assert.is(config.numHiddenGroups, 2);
  assert.is(config.hiddenDropoutProb, 0);
  assert.equal(config.architectures, ['AlbertForMaskedLM']);
  assert.is(config.extra.transformers_version, '4.36.2');
});

test('config.json round trip is identical (keys and values)', () => {
  for (const name of ['dense_mlm_t48', 'lsg_cls_stride_f2_g4_t100']) {
    const json = fixtureJson(name);
    const written = AlbertConfig.fromHfJson(json).toHfJson();
    assert.equal(written, json, name);
    assert.equal(Object.keys(written), Object.keys(json).sort(), `${name} keys sorted`);
  }
});

test('id2label sets numLabels; num_labels alone builds default labels', () => {
  assert.is(AlbertConfig.fromHfJson(fixtureJson('lsg_cls_stride_f2_g4_t100')).numLabels, 3);
  const config = AlbertConfig.fromHfJson({ num_labels: 5 });
  assert.is(config.numLabels, 5);
  assert.is(config.id2label[4], 'LABEL_4');
  assert.equal((config.toHfJson().label2id as Record<string, number>).LABEL_4, 4);
});

test('validation names the field, the value and what was expected', () => {
  assert.throws(() => new AlbertConfig({ hiddenSize: 30, numAttentionHeads: 4 }), /AlbertConfig: hiddenSize is 30, expected a multiple of numAttentionHeads \(4\)/);
  assert.throws(() => new AlbertConfig({ vocabSize: 0 }), /vocabSize is 0, expected a positive integer/);
  assert.throws(() => AlbertConfig.fromHfJson({ hidden_act: 'swish' }), /hiddenAct is "swish", expected one of gelu, gelu_new, relu, tanh/);
  assert.throws(() => new AlbertConfig({ hiddenDropoutProb: 1 }), /hiddenDropoutProb is 1, expected a probability/);
  assert.throws(() => AlbertConfig.fromHfJson({ position_embedding_type: 'relative_key' }), /positionEmbeddingType/);
  assert.throws(() => new AlbertConfig({ numHiddenLayers: 2, numHiddenGroups: 3 }), /numHiddenGroups is 3, expected at most numHiddenLayers \(2\)/);
  assert.throws(() => AlbertConfig.fromHfJson({ id2label: { x: 'a' } }), /id2label key "x"/);
});

test('with() copies and revalidates', () => {
  const base = new AlbertConfig({ hiddenSize: 32, numAttentionHeads: 4 });
  const changed = base.with({ maxPositionEmbeddings: 4096 });
  assert.is(changed.maxPositionEmbeddings, 4096);
  assert.is(changed.hiddenSize, 32);
  assert.is(base.maxPositionEmbeddings, 512);
});

test.run();
