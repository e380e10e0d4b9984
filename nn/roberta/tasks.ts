/**
 * The RoBERTa, XLM-RoBERTa and CamemBERT task models. Masked LM and sequence classification have
 * RoBERTa's own heads; token classification, question answering and multiple choice are BERT's
 * heads over a RobertaModel stored under `roberta`. XLM-RoBERTa and CamemBERT are the RoBERTa
 * classes under their own names and `model_type`.
 */
import { Tensor } from '../../engine/index.js';
import { sequenceClassificationLoss } from '../encoder/task-losses.js';
import { maskedLmOutputs, withEncoderOutputs, type ModelOutput } from '../encoder/task-heads.js';
import type { ModelBuildOptions } from '../albert/build-options.js';
import type { BertConfig } from '../bert/config.js';
import { BertTaskModel, type BertBaseModelClass, type BertInputs } from '../bert/model.js';
import { BertForTokenClassification, BertForQuestionAnswering, BertForMultipleChoice } from '../bert/tasks.js';
import { RobertaModel, XLMRobertaModel, CamembertModel } from './model.js';
import { RobertaLMHead, RobertaClassificationHead, ROBERTA_MLM_TIED_KEYS } from './heads.js';

/**
 * @example
 *   const model = RobertaForMaskedLM.fromPretrained('test/fixtures/roberta/dense_mlm_t48');
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels });
 */
export class RobertaForMaskedLM extends BertTaskModel {
  static override readonly hfClassName: string = 'RobertaForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = RobertaModel;
  readonly lmHead: RobertaLMHead;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.lmHead = new RobertaLMHead(config, this.baseModel.embeddings.wordEmbeddings.weight, this.buildOptions);
  }

  override get tiedKeys(): readonly string[] {
    return ROBERTA_MLM_TIED_KEYS;
  }

  /** labels: (batch, seq) int32, -100 where no prediction is scored. */
  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    const out = this.baseModel.forward(inputs);
    return maskedLmOutputs(this.lmHead.forward(out.lastHiddenState), out, inputs.labels);   // logits (batch, seq, vocab)
  }
}

/**
 * RoBERTa's classification head on the first token (no pooler); loss by `problemType`.
 * @example
 *   const { loss, logits } = model.forward({ inputIds, attentionMask, labels: tensor([2, 0], { dtype: 'int32' }) });
 */
export class RobertaForSequenceClassification extends BertTaskModel {
  static override readonly hfClassName: string = 'RobertaForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = RobertaModel;
  readonly classifier: RobertaClassificationHead;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.classifier = new RobertaClassificationHead(config, this.buildOptions);
  }

  forward(inputs: BertInputs & { labels?: Tensor }): ModelOutput {
    const out = this.baseModel.forward(inputs);
    const logits = this.classifier.forward(out.lastHiddenState);             // (batch, numLabels)
    const loss = inputs.labels ? sequenceClassificationLoss(this.config, logits, inputs.labels) : undefined;
    return withEncoderOutputs({ loss, logits }, out);
  }
}

export class RobertaForTokenClassification extends BertForTokenClassification {
  static override readonly hfClassName: string = 'RobertaForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = RobertaModel;
}

export class RobertaForQuestionAnswering extends BertForQuestionAnswering {
  static override readonly hfClassName: string = 'RobertaForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = RobertaModel;
}

export class RobertaForMultipleChoice extends BertForMultipleChoice {
  static override readonly hfClassName: string = 'RobertaForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = RobertaModel;
}

export class XLMRobertaForMaskedLM extends RobertaForMaskedLM {
  static override readonly hfClassName: string = 'XLMRobertaForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = XLMRobertaModel;
}
export class XLMRobertaForSequenceClassification extends RobertaForSequenceClassification {
  static override readonly hfClassName: string = 'XLMRobertaForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = XLMRobertaModel;
}
export class XLMRobertaForTokenClassification extends RobertaForTokenClassification {
  static override readonly hfClassName: string = 'XLMRobertaForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = XLMRobertaModel;
}
export class XLMRobertaForQuestionAnswering extends RobertaForQuestionAnswering {
  static override readonly hfClassName: string = 'XLMRobertaForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = XLMRobertaModel;
}
export class XLMRobertaForMultipleChoice extends RobertaForMultipleChoice {
  static override readonly hfClassName: string = 'XLMRobertaForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = XLMRobertaModel;
}

export class CamembertForMaskedLM extends RobertaForMaskedLM {
  static override readonly hfClassName: string = 'CamembertForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = CamembertModel;
}
export class CamembertForSequenceClassification extends RobertaForSequenceClassification {
  static override readonly hfClassName: string = 'CamembertForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = CamembertModel;
}
export class CamembertForTokenClassification extends RobertaForTokenClassification {
  static override readonly hfClassName: string = 'CamembertForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = CamembertModel;
}
export class CamembertForQuestionAnswering extends RobertaForQuestionAnswering {
  static override readonly hfClassName: string = 'CamembertForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = CamembertModel;
}
export class CamembertForMultipleChoice extends RobertaForMultipleChoice {
  static override readonly hfClassName: string = 'CamembertForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = CamembertModel;
}
