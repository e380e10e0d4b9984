/**
 * The BERT task models with HuggingFace's names and heads. The RoBERTa classes reuse the token,
 * question-answering and multiple-choice ones (the same heads over another sub-model).
 */
import { Tensor } from '../../engine/index.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import { crossEntropy } from '../losses.js';
import { classifyPooled, classifyTokens, maskedLmOutputs, preTrainingLoss, answerSpans, scoreChoices, withEncoderOutputs, type ModelOutput } from '../encoder/task-heads.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import type { BertConfig } from './config.js';
import { BertTaskModel, type BertInputs } from './model.js';
import { BertPreTrainingHeads, BERT_MLM_TIED_KEYS } from './heads.js';

/**
 * @example
 *   const model = BertForMaskedLM.fromPretrained('test/fixtures/bert/dense_mlm_t40');
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels });
 */
export class BertForMaskedLM extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForMaskedLM';
  readonly cls: BertPreTrainingHeads;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.cls = new BertPreTrainingHeads(config, this.baseModel.embeddings.wordEmbeddings.weight, false, this.buildOptions);
  }

  override get tiedKeys(): readonly string[] {
    return BERT_MLM_TIED_KEYS;
  }

  /** labels: (batch, seq) int32, -100 where no prediction is scored. */
  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    const out = this.baseModel.forward(inputs);
    return maskedLmOutputs(this.cls.predictions!.forward(out.lastHiddenState), out, inputs.labels);   // logits (batch, seq, vocab)
  }
}

/**
 * Masked LM plus next-sentence prediction on the pooled output; the loss is their sum.
 * @example
 *   const { loss, logits, seqRelationshipLogits } = model.forward({ inputIds, labels, nextSentenceLabel });
 */
export class BertForPreTraining extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForPreTraining';
  readonly cls: BertPreTrainingHeads;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.cls = new BertPreTrainingHeads(config, this.baseModel.embeddings.wordEmbeddings.weight, true, this.buildOptions);
  }

  override get tiedKeys(): readonly string[] {
    return BERT_MLM_TIED_KEYS;
  }

  /** labels: (batch, seq) int32 with -100; nextSentenceLabel: (batch) int32 (0: B follows A, 1: random B). */
  forward(inputs: BertInputs & { labels?: Tensor; nextSentenceLabel?: Tensor }): ModelOutput & { seqRelationshipLogits: Tensor } {
    const out = this.baseModel.forward(inputs);
    const logits = this.cls.predictions!.forward(out.lastHiddenState);
    const seqRelationshipLogits = this.cls.seqRelationship!.forward(out.pooledOutput!);   // (batch, 2)
    const loss = preTrainingLoss(logits, inputs.labels, seqRelationshipLogits, inputs.nextSentenceLabel);
    return withEncoderOutputs({ loss, logits, seqRelationshipLogits }, out);
  }
}

/**
 * Next-sentence prediction alone: `cls.seq_relationship` on the pooled output.
 * @example
 *   const { logits } = model.forward({ inputIds, tokenTypeIds }); // (batch, 2)
 */
export class BertForNextSentencePrediction extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForNextSentencePrediction';
  readonly cls: BertPreTrainingHeads;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.cls = new BertPreTrainingHeads(config, null, true, this.buildOptions);
  }

  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    const out = this.baseModel.forward(inputs);
    const logits = this.cls.seqRelationship!.forward(out.pooledOutput!);
    const loss = inputs.labels ? crossEntropy(logits.reshape([-1, 2]), inputs.labels.reshape([-1])) : undefined;
    return withEncoderOutputs({ loss, logits }, out);
  }
}

/**
 * Pooled output → dropout → classifier; loss by `problemType` (regression, single- or multi-label).
 * @example
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels: tensor([2, 0], { dtype: 'int32' }) });
 */
export class BertForSequenceClassification extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForSequenceClassification';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.dropout = new Dropout(config.classifierDropoutProb, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    return classifyPooled(this, this.baseModel.forward(inputs), this.config, inputs.labels);
  }
}

/**
 * Per-token classifier on the last hidden state; cross entropy over labels != -100.
 * @example
 *   const { logits } = model.forward({ inputIds }); // (batch, seq, numLabels)
 */
export class BertForTokenClassification extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForTokenClassification';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.dropout = new Dropout(config.classifierDropoutProb, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    return classifyTokens(this, this.baseModel.forward(inputs), inputs.labels);
  }
}

/**
 * `qa_outputs` maps each token to (start, end) logits; the loss is the mean of the two cross entropies.
 * @example
 *   const { startLogits, endLogits } = model.forward({ inputIds });
 */
export class BertForQuestionAnswering extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForQuestionAnswering';
  readonly qaOutputs: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.qaOutputs = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  /** startPositions, endPositions: (batch) int32 token indices. */
  forward(inputs: BertInputs & { startPositions?: Tensor; endPositions?: Tensor }): ModelOutput & { startLogits: Tensor; endLogits: Tensor } {
    return answerSpans(this.qaOutputs, this.baseModel.forward(inputs), inputs.startPositions, inputs.endPositions);
  }
}

/**
 * Inputs (batch, numChoices, seq): every choice encoded, scored from its pooled output by a
 * 1-unit classifier; logits (batch, numChoices), cross entropy against the right choice.
 * @example
 *   const { logits } = model.forward({ inputIds: ids3d }); // (batch, numChoices)
 */
export class BertForMultipleChoice extends BertTaskModel {
  static override readonly hfClassName: string = 'BertForMultipleChoice';
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, true);
    this.dropout = new Dropout(config.classifierDropoutProb, { rng: this.buildOptions.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, 1, weightInit(config, this.buildOptions));
  }

  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    return scoreChoices(this.constructor.name, inputs, (flat) => this.baseModel.forward(flat), this);
  }
}
