import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor, randint, createRng, type Tensor } from '../../engine/index.js';
import {
  AlbertConfig, AlbertModel, AlbertForMaskedLM, AlbertForPreTraining, AlbertForSequenceClassification,
  AlbertForTokenClassification, AlbertForQuestionAnswering, AlbertForMultipleChoice, groupIndexForLayer, parseSafetensors,
} from '../../nn/index.js';
import { gradcheckParameters } from '../helpers/gradcheck.js';
import { readCase, intTensor } from './golden-helpers.js';

const tiny = (changes = {}) => new AlbertConfig({
  vocabSize: 20, embeddingSize: 6, hiddenSize: 8, numHiddenLayers: 4, numHiddenGroups: 2, numAttentionHeads: 2,
  intermediateSize: 12, maxPositionEmbeddings: 16, classifierDropoutProb: 0, ...changes,
});
const ids = (rows: number[][] | number[]) => tensor(rows, { dtype: 'int32' });
const INPUT = ids([[2, 5, 7, 3, 9, 3], [2, 11, 4, 3, 0, 0]]);
const MASK = ids([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]]);

test("group assignment is HuggingFace's int(i / (layers / groups))", () => {
  const groupsFor = (layers: number, groups: number) => Array.from({ length: layers }, (_, i) => groupIndexForLayer(i, layers, groups));
  assert.equal(groupsFor(12, 4), [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
  assert.equal(groupsFor(5, 2), [0, 0, 0, 1, 1]);
  assert.equal(groupsFor(4, 3), [0, 0, 1, 2]);
  assert.equal(groupsFor(6, 1), [0, 0, 0, 0, 0, 0]);
});

test('shared groups: one tensor object per group parameter, named once', () => {
  const model = new AlbertModel(tiny({ innerGroupNum: 2 }));
  const groups = model.encoder.albertLayerGroups;
  assert.is(groups.length, 2);
  assert.is(groups[0]!.albertLayers.length, 2);
  assert.ok(groups[0]!.albertLayers[0]!.attention.query.weight !== groups[0]!.albertLayers[1]!.attention.query.weight);
  const names = model.namedParameters().map(([name]) => name);
  assert.ok(names.includes('encoder.albert_layer_groups.1.albert_layers.1.attention.query.weight'));
  assert.ok(names.includes('encoder.albert_layer_groups.0.albert_layers.0.full_layer_layer_norm.bias'));
  assert.ok(names.includes('embeddings.LayerNorm.weight'));
  assert.is(new Set(model.parameters()).size, names.length);
});

test('gradients from every use of a shared layer accumulate into one tensor (float64 check)', () => {
  // 3 layers from 1 group: the group's weights are used three times per forward.
  const model = new AlbertModel(tiny({ numHiddenLayers: 3, numHiddenGroups: 1 }), { dtype: 'float64', rng: createRng(8) });
  const target = tensor(Array.from({ length: 2 * 6 * 8 }, (_, i) => Math.sin(i)), { shape: [2, 6, 8], dtype: 'float64' });
  const loss = () => model.forward({ inputIds: INPUT, attentionMask: MASK }).lastHiddenState.mul(target).sum();
  const layer = model.encoder.albertLayerGroups[0]!.albertLayers[0]!;
  gradcheckParameters(loss, [layer.attention.query.weight, layer.ffn.bias!, layer.fullLayerLayerNorm.weight, model.embeddings.positionEmbeddings.weight], { op: 'shared layer' });
});

test('every head: shapes and losses', () => {
  const config = tiny();
  const base = new AlbertModel(config).forward({ inputIds: INPUT, attentionMask: MASK, outputHiddenStates: true, outputAttentions: true });
  assert.equal(base.lastHiddenState.shape, [2, 6, 8]);
  assert.equal(base.pooledOutput!.shape, [2, 8]);
  assert.is(base.hiddenStates!.length, 5);
  assert.is(base.attentions!.length, 4);
  assert.equal(base.attentions![0]!.shape, [2, 2, 6, 6]);

  const labels = ids([[-100, 4, -100, -100, 9, -100], [-100, -100, 4, -100, -100, -100]]);
  const mlm = new AlbertForMaskedLM(config).forward({ inputIds: INPUT, attentionMask: MASK, labels });
  assert.equal(mlm.logits.shape, [2, 6, 20]);
  assert.ok(Number.isFinite(mlm.loss!.item()));

  const pre = new AlbertForPreTraining(config).forward({ inputIds: INPUT, labels, sentenceOrderLabel: ids([0, 1]) });
  assert.equal(pre.sopLogits.shape, [2, 2]);
  assert.ok(Number.isFinite(pre.loss!.item()));

  const single = new AlbertForSequenceClassification(tiny({ numLabels: 3 })).forward({ inputIds: INPUT, labels: ids([2, 0]) });
  assert.equal(single.logits.shape, [2, 3]);
  const regression = new AlbertForSequenceClassification(tiny({ numLabels: 1 }));
  const regressionOut = regression.forward({ inputIds: INPUT, labels: tensor([0.5, -1]) });
  const logits = Array.from(regressionOut.logits.toTypedArray());
  const expected = ((logits[0]! - 0.5) ** 2 + (logits[1]! + 1) ** 2) / 2;
  assert.ok(Math.abs(regressionOut.loss!.item() - expected) < 1e-5);
  const multi = new AlbertForSequenceClassification(tiny({ numLabels: 3 })).forward({ inputIds: INPUT, labels: tensor([[1, 0, 1], [0, 0, 1]]) });
  assert.ok(Number.isFinite(multi.loss!.item()));

  const token = new AlbertForTokenClassification(tiny({ numLabels: 5 })).forward({ inputIds: INPUT, labels: ids([[1, 2, 3, 4, 0, 1], [1, 1, 1, 1, -100, -100]]) });
  assert.equal(token.logits.shape, [2, 6, 5]);

  const qa = new AlbertForQuestionAnswering(config).forward({ inputIds: INPUT, startPositions: ids([1, 9]), endPositions: ids([3, 2]) });
  assert.equal(qa.startLogits.shape, [2, 6]);
  assert.ok(Number.isFinite(qa.loss!.item()));

  const choices = randint(1, 20, [2, 3, 6], { rng: createRng(3) });
  const mc = new AlbertForMultipleChoice(config).forward({ inputIds: choices, labels: ids([2, 0]) });
  assert.equal(mc.logits.shape, [2, 3]);
});

test('dropout: active in train mode (masks differ call to call), off in eval', () => {
  const model = new AlbertForMaskedLM(tiny({ hiddenDropoutProb: 0.2, attentionProbsDropoutProb: 0.2 }), { rng: createRng(9) });
  const run = () => Array.from(model.forward({ inputIds: INPUT, attentionMask: MASK }).logits.toTypedArray());
  model.train();
  assert.not.equal(run(), run());
  model.eval();
  assert.equal(run(), run());
});

test('too-long inputs get a clear error', () => {
  assert.throws(() => new AlbertModel(tiny()).forward({ inputIds: randint(0, 20, [1, 17]) }), /at most maxPositionEmbeddings \(16\)/);
});

function sameValues(a: Tensor, b: Tensor): boolean {
  const x = a.toTypedArray(), y = b.toTypedArray();
  return x.length === y.length && x.every((value, i) => value === y[i]);
}

test('savePretrained → fromPretrained gives identical outputs; tied weights stored once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-albert-'));
  try {
    const model = new AlbertForMaskedLM(tiny(), { rng: createRng(5) }).eval();
    model.savePretrained(dir);
    const loaded = AlbertForMaskedLM.fromPretrained(dir);
    assert.ok(sameValues(model.forward({ inputIds: INPUT, attentionMask: MASK }).logits, loaded.forward({ inputIds: INPUT, attentionMask: MASK }).logits));
    const file = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
    assert.ok(file.tensors.has('albert.embeddings.word_embeddings.weight'));
    assert.ok(file.tensors.has('predictions.bias'));
    assert.not.ok(file.tensors.has('predictions.decoder.weight'));
    assert.not.ok(file.tensors.has('predictions.decoder.bias'));
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(json.architectures, ['AlbertForMaskedLM']);
    assert.is(json.model_type, 'albert');
    assert.is(json.embedding_size, 6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the golden checkpoint saved and reloaded is byte-identical and loads into other classes', () => {
  const golden = readCase('dense_mlm_t48');
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-albert-'));
  try {
    AlbertForMaskedLM.fromPretrained(golden.dir).savePretrained(dir);
    const original = readFileSync(join(golden.dir, 'model.safetensors'));
    assert.ok(readFileSync(join(dir, 'model.safetensors')).equals(original));
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')), JSON.parse(readFileSync(join(golden.dir, 'config.json'), 'utf8')));
    // The task checkpoint into the bare model (prefix stripped), and into a classifier with new head weights.
    const bare = AlbertModel.fromPretrained(golden.dir, { strict: false });
    const masked = AlbertForMaskedLM.fromPretrained(golden.dir);
    const inputs = { inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask) };
    assert.ok(sameValues(bare.forward(inputs).lastHiddenState, masked.forward(inputs).lastHiddenState!));
    assert.throws(() => AlbertForSequenceClassification.fromPretrained(golden.dir), /missing keys \(4\): albert\.pooler\.weight, albert\.pooler\.bias, classifier\.weight, classifier\.bias/);
    AlbertForSequenceClassification.fromPretrained(golden.dir, { strict: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('toPretrainedFiles → fromPretrained(files): the folder\'s bytes in memory, identical outputs', () => {
  const golden = readCase('dense_mlm_t48');
  const files = AlbertForMaskedLM.fromPretrained(golden.dir).toPretrainedFiles();
  assert.ok(Buffer.from(files['model.safetensors']).equals(readFileSync(join(golden.dir, 'model.safetensors'))));
  assert.equal(JSON.parse(files['config.json']), JSON.parse(readFileSync(join(golden.dir, 'config.json'), 'utf8')));
  const inputs = { inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask) };
  const fromDisk = AlbertForMaskedLM.fromPretrained(golden.dir).forward(inputs).logits;
  assert.ok(sameValues(AlbertForMaskedLM.fromPretrained(files).forward(inputs).logits, fromDisk));
  // The task checkpoint into the bare model works from memory as from a folder.
  const bare = (source: string | typeof files) => AlbertModel.fromPretrained(source, { strict: false }).forward(inputs).lastHiddenState;
  assert.ok(sameValues(bare(files), bare(golden.dir)));
});

test('fromPretrained(files) names what is wrong with the files', () => {
  const files = new AlbertForMaskedLM(tiny(), { rng: createRng(5) }).toPretrainedFiles();
  assert.throws(() => AlbertForMaskedLM.fromPretrained({ 'config.json': files['config.json'] } as never), /source is an object with keys \[config\.json\]; expected a folder path or \{ 'config\.json': string, 'model\.safetensors': Uint8Array \}/);
  assert.throws(() => AlbertForMaskedLM.fromPretrained({ ...files, 'config.json': '{ not json' }), /files\['config\.json'\] is not valid JSON/);
  assert.throws(() => AlbertForMaskedLM.fromPretrained({ ...files, 'model.safetensors': new Uint8Array(4) }), /files\['model\.safetensors'\] is not a safetensors file/);
});

test('a BF16 checkpoint is upcast on load', () => {
  const golden = readCase('dense_mlm_t48');
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-albert-'));
  try {
    // Rewrite the fixture with every tensor as BF16 (the top 16 bits of each float32).
    const file = parseSafetensors(new Uint8Array(readFileSync(join(golden.dir, 'model.safetensors'))));
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const [name, entry] of file.tensors) {
      const words = new Uint32Array(Float32Array.from(entry.data).buffer);
      const halves = Uint16Array.from(words, (word) => word >>> 16);
      header[name] = { dtype: 'BF16', shape: entry.shape, data_offsets: [offset, offset + halves.byteLength] };
      chunks.push(new Uint8Array(halves.buffer));
      offset += halves.byteLength;
    }
    const headerBytes = new TextEncoder().encode(JSON.stringify(header));
    const bytes = new Uint8Array(8 + headerBytes.length + offset);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
    bytes.set(headerBytes, 8);
    let cursor = 8 + headerBytes.length;
    for (const chunk of chunks) { bytes.set(chunk, cursor); cursor += chunk.length; }
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    writeFileSync(join(dir, 'config.json'), readFileSync(join(golden.dir, 'config.json')));
    const model = AlbertForMaskedLM.fromPretrained(dir);
    const word = model.albert.embeddings.wordEmbeddings.weight.toTypedArray() as Float32Array;
    const original = file.tensors.get('albert.embeddings.word_embeddings.weight')!.data;
    assert.ok(word.every((value, i) => Math.abs(value - original[i]!) <= Math.abs(original[i]!) * 2 ** -7));
    assert.is(model.albert.embeddings.wordEmbeddings.weight.dtype, 'float32');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a PyTorch state dict with the tied decoder keys loads', () => {
  const model = new AlbertForMaskedLM(tiny());
  const state = model.stateDict();
  state['predictions.decoder.weight'] = state['albert.embeddings.word_embeddings.weight']!;
  state['predictions.decoder.bias'] = state['predictions.bias']!;
  new AlbertForMaskedLM(tiny()).loadStateDict(state, { ignoredKeys: model.tiedKeys });
});

test.run();
