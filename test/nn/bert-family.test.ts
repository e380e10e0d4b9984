// BERT, RoBERTa, XLM-RoBERTa and CamemBERT: HuggingFace's state-dict keys for every head, config.json
// round trips, checkpoints in memory, RoBERTa's position ids and the input-length errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, createRng } from '../../engine/index.js';
import {
  BertConfig, BertModel, BertForMaskedLM, BertForPreTraining, BertForNextSentencePrediction, BertForSequenceClassification,
  BertForTokenClassification, BertForQuestionAnswering, BertForMultipleChoice,
  RobertaConfig, XLMRobertaConfig, CamembertConfig, RobertaModel, RobertaForMaskedLM, RobertaForSequenceClassification,
  RobertaForTokenClassification, RobertaForQuestionAnswering, RobertaForMultipleChoice, XLMRobertaForMaskedLM,
  XLMRobertaForSequenceClassification, CamembertForMaskedLM, robertaPositionIds,
} from '../../nn/index.js';

const SMALL = { vocabSize: 40, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 24, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };

const layerKeys = (prefix: string) => [
  'attention.self.query.weight', 'attention.self.query.bias', 'attention.self.key.weight', 'attention.self.key.bias',
  'attention.self.value.weight', 'attention.self.value.bias', 'attention.output.dense.weight', 'attention.output.dense.bias',
  'attention.output.LayerNorm.weight', 'attention.output.LayerNorm.bias', 'intermediate.dense.weight', 'intermediate.dense.bias',
  'output.dense.weight', 'output.dense.bias', 'output.LayerNorm.weight', 'output.LayerNorm.bias',
].map((key) => `${prefix}encoder.layer.0.${key}`);
const baseKeys = (prefix: string, pooler: boolean) => [
  ...['word_embeddings.weight', 'position_embeddings.weight', 'token_type_embeddings.weight', 'LayerNorm.weight', 'LayerNorm.bias'].map((key) => `${prefix}embeddings.${key}`),
  ...layerKeys(prefix),
  ...(pooler ? [`${prefix}pooler.dense.weight`, `${prefix}pooler.dense.bias`] : []),
];
const pair = (name: string) => [`${name}.weight`, `${name}.bias`];

// The keys HuggingFace's classes hold (transformers 4.36, tied decoders left out as save_pretrained does).
const CASES = [
  { Model: BertModel, config: new BertConfig(SMALL), keys: baseKeys('', true) },
  { Model: BertForMaskedLM, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', false), 'cls.predictions.bias', ...pair('cls.predictions.transform.dense'), ...pair('cls.predictions.transform.LayerNorm')] },
  { Model: BertForPreTraining, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', true), 'cls.predictions.bias', ...pair('cls.predictions.transform.dense'), ...pair('cls.predictions.transform.LayerNorm'), ...pair('cls.seq_relationship')] },
  { Model: BertForNextSentencePrediction, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', true), ...pair('cls.seq_relationship')] },
  { Model: BertForSequenceClassification, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', true), ...pair('classifier')] },
  { Model: BertForTokenClassification, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', false), ...pair('classifier')] },
  { Model: BertForQuestionAnswering, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', false), ...pair('qa_outputs')] },
  { Model: BertForMultipleChoice, config: new BertConfig(SMALL), keys: [...baseKeys('bert.', true), ...pair('classifier')] },
  { Model: RobertaModel, config: new RobertaConfig(SMALL), keys: baseKeys('', true) },
  { Model: RobertaForMaskedLM, config: new RobertaConfig(SMALL), keys: [...baseKeys('roberta.', false), 'lm_head.bias', ...pair('lm_head.dense'), ...pair('lm_head.layer_norm')] },
  { Model: RobertaForSequenceClassification, config: new RobertaConfig(SMALL), keys: [...baseKeys('roberta.', false), ...pair('classifier.dense'), ...pair('classifier.out_proj')] },
  { Model: RobertaForTokenClassification, config: new RobertaConfig(SMALL), keys: [...baseKeys('roberta.', false), ...pair('classifier')] },
  { Model: RobertaForQuestionAnswering, config: new RobertaConfig(SMALL), keys: [...baseKeys('roberta.', false), ...pair('qa_outputs')] },
  { Model: RobertaForMultipleChoice, config: new RobertaConfig(SMALL), keys: [...baseKeys('roberta.', true), ...pair('classifier')] },
  { Model: XLMRobertaForSequenceClassification, config: new XLMRobertaConfig(SMALL), keys: [...baseKeys('roberta.', false), ...pair('classifier.dense'), ...pair('classifier.out_proj')] },
];

for (const { Model, config, keys } of CASES) {
  test(`${Model.name}: HuggingFace's state-dict keys`, () => {
    const model = new Model(config as never, { rng: createRng(1) });
    assert.equal(Object.keys(model.stateDict()).sort(), [...keys].sort());
  });
}

test('config.json: model_type and architectures per class, round trip through toPretrainedFiles', () => {
  const ids = tensor([[0, 5, 6, 2, 1]], { dtype: 'int32' });
  const mask = tensor([[1, 1, 1, 1, 0]], { dtype: 'int32' });
  for (const [Model, config, modelType] of [
    [BertForMaskedLM, new BertConfig(SMALL), 'bert'],
    [RobertaForMaskedLM, new RobertaConfig(SMALL), 'roberta'],
    [XLMRobertaForMaskedLM, new XLMRobertaConfig(SMALL), 'xlm-roberta'],
    [CamembertForMaskedLM, new CamembertConfig(SMALL), 'camembert'],
  ] as const) {
    const model = new Model(config, { rng: createRng(2) }).eval();
    const files = model.toPretrainedFiles();
    const json = JSON.parse(files['config.json']);
    assert.is(json.model_type, modelType);
    assert.equal(json.architectures, [Model.name]);
    // BERT has no bos/eos ids; HuggingFace leaves None out of config.json.
    assert.is('bos_token_id' in json, modelType !== 'bert');
    const copy = (Model as typeof BertForMaskedLM).fromPretrained(files);
    assert.is(copy.config.constructor, config.constructor);
    assert.equal(copy.forward({ inputIds: ids, attentionMask: mask }).logits.toArray(), model.forward({ inputIds: ids, attentionMask: mask }).logits.toArray());
  }
});

test('a task checkpoint loads into the bare model and the other way round (prefix stripped or added)', () => {
  const task = new RobertaForTokenClassification(new RobertaConfig(SMALL), { rng: createRng(3) });
  // The token head has no pooler, so the bare model (which has one) loads non-strictly.
  const bare = RobertaModel.fromPretrained(task.toPretrainedFiles(), { strict: false });
  const word = 'embeddings.word_embeddings.weight';
  assert.equal(bare.stateDict()[word]!.toArray(), task.stateDict()[`roberta.${word}`]!.toArray());
  const source = new RobertaModel(new RobertaConfig(SMALL), { addPoolingLayer: false, rng: createRng(5) });
  const back = RobertaForTokenClassification.fromPretrained(source.toPretrainedFiles(), { strict: false });
  assert.equal(back.stateDict()[`roberta.${word}`]!.toArray(), source.stateDict()[word]!.toArray());
});

test('RoBERTa position ids count real tokens from padTokenId + 1 and give padding the padding row', () => {
  const ids = tensor([[0, 7, 2, 1, 1], [0, 1, 9, 2, 1]], { dtype: 'int32' });
  assert.equal(robertaPositionIds(ids, 1).toArray(), [[2, 3, 4, 1, 1], [2, 1, 3, 4, 1]]);
});

test('inputs longer than the position table name the limit: 512 for BERT, maxPositionEmbeddings - 2 for RoBERTa', () => {
  const bert = new BertModel(new BertConfig({ ...SMALL, maxPositionEmbeddings: 8 }));
  assert.throws(() => bert.forward({ inputIds: tensor([new Array(9).fill(5)], { dtype: 'int32' }) }), /at most 8/);
  const roberta = new RobertaModel(new RobertaConfig({ ...SMALL, maxPositionEmbeddings: 10 }));
  roberta.forward({ inputIds: tensor([new Array(8).fill(5)], { dtype: 'int32' }) });
  assert.throws(() => roberta.forward({ inputIds: tensor([new Array(9).fill(5)], { dtype: 'int32' }) }), /at most 8 \(the position table has maxPositionEmbeddings 10 rows\)/);
});

test('config errors name the class, the field and the value', () => {
  assert.throws(() => new RobertaConfig({ ...SMALL, bosTokenId: 40 }), /RobertaConfig: bosTokenId is 40, expected null or a word id in \[0, 40\)/);
  assert.throws(() => new BertConfig({ ...SMALL, numAttentionHeads: 3 }), /BertConfig: hiddenSize is 16, expected a multiple of numAttentionHeads \(3\)/);
});

test('multiple choice scores every choice: (batch, numChoices) logits', () => {
  const model = new BertForMultipleChoice(new BertConfig(SMALL), { rng: createRng(4) }).eval();
  const ids = tensor([[[2, 5, 3], [2, 6, 3]], [[2, 7, 3], [2, 8, 3]]], { dtype: 'int32' });
  const out = model.forward({ inputIds: ids, labels: tensor([1, 0], { dtype: 'int32' }) });
  assert.equal(out.logits.shape, [2, 2]);
  assert.ok(Number.isFinite(out.loss!.item()));
});

test.run();
