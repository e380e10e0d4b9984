// What keeps a checkpoint lsgrad writes from computing something else in PyTorch: auto_map naming
// the published code, --architecture writing exactly the target class's keys, local-only models
// refused by transformers, lsgrad's mode recorded and reloaded, position tables that disagree with
// config.json explained.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, tensor } from '../../engine/index.js';
import { AlbertConfig, AlbertForPreTraining, AlbertForSequenceClassification, RobertaForMaskedLM } from '../../nn/index.js';
import {
  convertToLsgFiles, LsgAlbertConfig, LsgBertConfig, LsgRobertaConfig, LsgXLMRobertaConfig, LSGAlbertForMaskedLM,
  LSGAlbertForSequenceClassification, LSGRobertaForSequenceClassification, LSG_ALBERT_AUTO_MAP,
} from '../../lsg/index.js';
import { parseArgs } from '../../cli/args.js';
import { TRAIN_FLAGS } from '../../cli/train-flags.js';
import { createClassifier, loadClassifier } from '../../cli/model.js';
import { FIXTURES, readCase, intTensor, maxAbsDiff } from '../nn/golden-helpers.js';

const filesOf = (dir: string) => ({ 'config.json': readFileSync(join(dir, 'config.json'), 'utf8'), 'model.safetensors': new Uint8Array(readFileSync(join(dir, 'model.safetensors'))) });

test('auto_map names the reference modeling file\'s classes, for every family (the folder loads once that file is beside it)', () => {
  const small = { vocabSize: 40, hiddenSize: 16, numAttentionHeads: 2, intermediateSize: 24, numHiddenLayers: 1, blockSize: 8, sparseBlockSize: 8 };
  const maps = {
    albert: LSG_ALBERT_AUTO_MAP,
    bert: new LsgBertConfig(small).toHfJson().auto_map,
    roberta: new LsgRobertaConfig(small).toHfJson().auto_map,
    'xlm-roberta': new LsgXLMRobertaConfig(small).toHfJson().auto_map,
  } as Record<string, Record<string, string>>;
  for (const [family, map] of Object.entries(maps)) {
    const module = `modeling_lsg_${family.replace('-', '_')}`;
    for (const [auto, target] of Object.entries(map)) {
      assert.match(target, new RegExp(`^${module}\\.LSG\\w+$`), `${family} ${auto}`);
    }
    assert.ok(map.AutoConfig!.endsWith('Config') && map.AutoModel!.endsWith('Model'), family);
  }
});

test('--architecture: PreTraining → MaskedLM drops the pooler and SOP head; MaskedLM → SequenceClassification initialises the new head', () => {
  const config = new AlbertConfig({ vocabSize: 40, embeddingSize: 8, hiddenSize: 16, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 24 });
  const pretraining = new AlbertForPreTraining(config, { rng: createRng(1) }).toPretrainedFiles();
  const toMlm = convertToLsgFiles(pretraining, { maxSequenceLength: 1024, architecture: 'AlbertForMaskedLM' });
  assert.equal(toMlm.report.dropped.sort(), ['albert.pooler.bias', 'albert.pooler.weight', 'sop_classifier.classifier.bias', 'sop_classifier.classifier.weight']);
  assert.equal(toMlm.report.initialised, []);
  const mlm = LSGAlbertForMaskedLM.fromPretrained(toMlm.files);                 // strict, as PyTorch's strict=True
  const toCls = convertToLsgFiles(toMlm.files, { architecture: 'AlbertForSequenceClassification' });
  assert.equal(toCls.report.initialised.sort(), ['albert.pooler.bias', 'albert.pooler.weight', 'classifier.bias', 'classifier.weight']);
  assert.equal(toCls.report.dropped.sort(), ['predictions.LayerNorm.bias', 'predictions.LayerNorm.weight', 'predictions.bias', 'predictions.dense.bias', 'predictions.dense.weight']);
  const cls = LSGAlbertForSequenceClassification.fromPretrained(toCls.files);
  assert.equal(Object.keys(cls.stateDict()).sort(), Object.keys(new LSGAlbertForSequenceClassification(cls.config as LsgAlbertConfig).stateDict()).sort());
  // The copied weights are the source's, bit for bit.
  const word = 'albert.embeddings.word_embeddings.weight';
  assert.equal(Array.from(cls.stateDict()[word]!.toTypedArray()), Array.from(mlm.stateDict()[word]!.toTypedArray()));
});

test('lsgrad train --attention local: transformers refuses the config.json (problem_type), lsgrad loads it only with its local kernel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsgrad-local-'));
  try {
    const { flags } = parseArgs('lsgrad train', TRAIN_FLAGS, ['--attention', 'local', '--seq-len', '64', '--block-size', '16', '--hidden-size', '16', '--embedding-size', '8', '--heads', '2', '--intermediate-size', '16', '--num-layers', '1']);
    const classifier = createClassifier(flags);
    await classifier.savePretrained(dir);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    // transformers checks problem_type when it reads any config: "The config parameter `problem_type` was not understood".
    assert.match(json.problem_type, /^lsgrad-only \(local-only block attention, blocks of 16.*load it with lsgrad\)$/);
    assert.is(AlbertConfig.fromHfJson(json).problemType, null);
    assert.throws(() => AlbertForSequenceClassification.fromPretrained(dir), /needs an attention kernel that is not dense/);
    const loaded = await loadClassifier(dir);
    const ids = tensor([[1, ...Array.from({ length: 40 }, (_, i) => 10 + i), 2]], { dtype: 'int32' });
    const mask = tensor([new Array(42).fill(1)], { dtype: 'int32' });
    (classifier.module as AlbertForSequenceClassification).eval();
    assert.equal(Array.from(loaded.forward(ids, mask).logits.toTypedArray()), Array.from(classifier.forward(ids, mask).logits.toTypedArray()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('referenceQuirks is recorded in config.json and read back; where the modes differ, transformers is told to refuse', () => {
  const base = { vocabSize: 40, embeddingSize: 8, hiddenSize: 16, numAttentionHeads: 2, intermediateSize: 24, numHiddenLayers: 1, blockSize: 8, sparseBlockSize: 8, sparsityFactor: 4 };
  const corrected = new LsgAlbertConfig({ ...base, sparsityType: 'bos_pooling', referenceQuirks: false });
  const json = corrected.toHfJson();
  assert.is(json.reference_quirks, false);
  assert.match(String(json.problem_type), /^lsgrad-only \(bos_pooling: the reference attends groups made only of padding/);
  const reread = LsgAlbertConfig.fromHfJson(json);
  assert.is(reread.referenceQuirks, false);
  assert.equal(reread.toHfJson(), json);
  // Both modes compute the same for norm sparsity at an even step: nothing to refuse.
  assert.is(new LsgAlbertConfig({ ...base, sparsityType: 'norm', referenceQuirks: false }).toHfJson().problem_type, undefined);
  // A real problem type survives the marker.
  const regression = new LsgAlbertConfig({ ...base, sparsityType: 'bos_pooling', referenceQuirks: false, problemType: 'regression' }).toHfJson();
  assert.is(regression.lsgrad_problem_type, 'regression');
  assert.is(LsgAlbertConfig.fromHfJson(regression).problemType, 'regression');
  // Reference mode: PyTorch computes the same, no marker, and the record says so.
  const reference = new LsgAlbertConfig({ ...base, sparsityType: 'bos_pooling', referenceQuirks: true }).toHfJson();
  assert.is(reference.problem_type, undefined);
  assert.is(LsgAlbertConfig.fromHfJson(reference).referenceQuirks, true);
  // A checkpoint without the record (the reference's own) loads in the reference mode.
  const { reference_quirks: _dropped, ...unrecorded } = reference;
  assert.is(LsgAlbertConfig.fromHfJson(unrecorded).referenceQuirks, true);
});

test('the recorded mode matters: the bos_pooling golden case computes the reference only in the reference mode', () => {
  const golden = readCase('lsg_cls_bos_pooling_bs32_f4_g1_t100', 'roberta');
  const files = filesOf(golden.dir);
  const inputs = { inputIds: intTensor(golden.inputs.input_ids), attentionMask: intTensor(golden.inputs.attention_mask) };
  const asRecorded = (quirks: boolean) => {
    const json = { ...JSON.parse(files['config.json']), reference_quirks: quirks };
    const model = LSGRobertaForSequenceClassification.fromPretrained({ ...files, 'config.json': JSON.stringify(json) });
    assert.is((model.config as LsgRobertaConfig).referenceQuirks, quirks);
    return maxAbsDiff(model.forward(inputs).lastHiddenState!.toTypedArray(), golden.golden.last_hidden_state.data, 'hidden');
  };
  assert.ok(asRecorded(true) < 1e-4);
  assert.ok(asRecorded(false) > 1e-3);
});

test('a position table shorter than config.json says is refused with both sizes and the flag that writes a right one', () => {
  const files = filesOf(`${FIXTURES}roberta/dense_mlm_t48`);
  const json = { ...JSON.parse(files['config.json']), max_position_embeddings: 1027 };
  assert.throws(() => RobertaForMaskedLM.fromPretrained({ ...files, 'config.json': JSON.stringify(json) }),
    /roberta\.embeddings\.position_embeddings\.weight has 514 rows but config\.json's max_position_embeddings is 1027.*lsgrad convert <dir> <out-dir> --max-sequence-length/);
});

test.run();
