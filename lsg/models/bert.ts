// LSG-BERT, LSG-RoBERTa, LSG-XLM-RoBERTa and LSG-CamemBERT: nn's BERT-family classes with the LSG
// attention kernel, a 512-row `global_embeddings` table in the embeddings, and the LSG sequence
// steps around the encoder, laid out as the reference's LSG model classes so checkpoints move
// between the two unchanged.
import type { Tensor } from '../../engine/index.js';
import { ConfigError } from '../../engine/errors.js';
import {
  BertModel, BertEmbeddings, BertEncoder, Embedding, weightInit,
  BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, BertForTokenClassification, BertForQuestionAnswering, BertForMultipleChoice,
  RobertaForMaskedLM, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering, RobertaForMultipleChoice,
  type BertConfig, type BertBaseModelClass, type PositionIdScheme, type BertModelOptions, type EmbeddingInputs, type EncoderOutput, type HfJson, type ModelBuildOptions,
} from '../../nn/index.js';
import { MAX_GLOBAL_TOKENS } from '../config.js';
import { LsgBertConfig, LsgRobertaConfig, LsgXLMRobertaConfig, LsgCamembertConfig } from './bert-config.js';
import { withLsgAttention, prependGlobalRows, runLsgEncoder, lsgTooLongMessage, type LsgBuildOptions } from './encoder-steps.js';

function asLsgConfig(config: BertConfig, owner: string): LsgBertConfig {
  if (!(config instanceof LsgBertConfig)) throw new ConfigError(owner, `config is a ${config.constructor.name}, expected an LSG config (LsgBertConfig, LsgRobertaConfig, …)`);
  return config;
}

/** BERT's embeddings plus the global-token table, whose first numGlobalTokens rows go in front before LayerNorm. */
export class LsgBertEmbeddings extends BertEmbeddings {
  readonly globalEmbeddings: Embedding;
  constructor(override readonly config: LsgBertConfig, options: ModelBuildOptions = {}, positionScheme: PositionIdScheme = 'fromZero') {
    super(config, options, positionScheme);
    // 512 rows, as the reference's, whatever numGlobalTokens is.
    this.globalEmbeddings = new Embedding(MAX_GLOBAL_TOKENS, config.hiddenSize, weightInit(config, options));
  }
  protected override tooLongMessage(): string { return lsgTooLongMessage(String(this.maxTokens())); }
  /** (batch, seq) ids → (batch, g + seq, hidden); position ids come from the ids before any LSG padding. */
  override forward(inputs: EmbeddingInputs): Tensor {
    return this.normalize(prependGlobalRows(this.sumEmbeddings(inputs), this.globalEmbeddings.weight, this.config.numGlobalTokens));
  }
}

/** LSG-RoBERTa's: positions numbered from the pad id, as RobertaEmbeddings. */
export class LsgRobertaEmbeddings extends LsgBertEmbeddings {
  constructor(config: LsgBertConfig, options: ModelBuildOptions = {}) {
    super(config, options, 'afterPadTokenId');
  }
}

/** BERT's layers inside the LSG sequence steps (mask the first token, pad, pool, cut back). */
export class LsgBertEncoder extends BertEncoder {
  constructor(override readonly config: LsgBertConfig, options: ModelBuildOptions = {}) {
    super(config, options);
  }
  /** embedded: (batch, g + t, hidden); mask: additive (batch, 1, 1, t) over the real tokens. */
  override forward(embedded: Tensor, mask: Tensor | null, options: { outputHiddenStates?: boolean; outputAttentions?: boolean } = {}): EncoderOutput {
    return runLsgEncoder(embedded, mask, this.config.lsg, (hidden, paddedMask) => super.forward(hidden, paddedMask, options));
  }
}

/**
 * @example
 *   const model = LSGBertModel.fromPretrained('lsg-bert-base-uncased-4096');
 *   model.forward({ inputIds, attentionMask }).lastHiddenState;
 */
export class LSGBertModel extends BertModel {
  static override readonly hfClassName: string = 'LSGBertModel';
  constructor(config: LsgBertConfig, options: LsgBuildOptions & BertModelOptions = {}) {
    super(asLsgConfig(config, 'LSGBertModel'), withLsgAttention(config.lsg, options));
  }
  static override configFromHfJson(json: HfJson): BertConfig { return LsgBertConfig.fromHfJson(json); }
  protected override createEmbeddings(config: BertConfig, options: ModelBuildOptions): BertEmbeddings {
    return new LsgBertEmbeddings(asLsgConfig(config, 'LSGBertModel'), options);
  }
  protected override createEncoder(config: BertConfig, options: ModelBuildOptions): BertEncoder {
    return new LsgBertEncoder(asLsgConfig(config, 'LSGBertModel'), options);
  }
}

export class LSGRobertaModel extends LSGBertModel {
  static override readonly hfClassName: string = 'LSGRobertaModel';
  static override readonly baseModelPrefix: string = 'roberta';
  static override configFromHfJson(json: HfJson): BertConfig { return LsgRobertaConfig.fromHfJson(json); }
  protected override createEmbeddings(config: BertConfig, options: ModelBuildOptions): BertEmbeddings {
    return new LsgRobertaEmbeddings(asLsgConfig(config, 'LSGRobertaModel'), options);
  }
}

export class LSGXLMRobertaModel extends LSGRobertaModel {
  static override readonly hfClassName: string = 'LSGXLMRobertaModel';
  static override configFromHfJson(json: HfJson): BertConfig { return LsgXLMRobertaConfig.fromHfJson(json); }
}

export class LSGCamembertModel extends LSGRobertaModel {
  static override readonly hfClassName: string = 'LSGCamembertModel';
  static override configFromHfJson(json: HfJson): BertConfig { return LsgCamembertConfig.fromHfJson(json); }
}

// The task classes: each dense head over the family's LSG model. The constructors only narrow the
// types: the LSG model itself checks the config and adds the LSG attention kernel.
export class LSGBertForMaskedLM extends BertForMaskedLM {
  static override readonly hfClassName: string = 'LSGBertForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGBertForPreTraining extends BertForPreTraining {
  static override readonly hfClassName: string = 'LSGBertForPreTraining';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGBertForSequenceClassification extends BertForSequenceClassification {
  static override readonly hfClassName: string = 'LSGBertForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGBertForTokenClassification extends BertForTokenClassification {
  static override readonly hfClassName: string = 'LSGBertForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGBertForQuestionAnswering extends BertForQuestionAnswering {
  static override readonly hfClassName: string = 'LSGBertForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGBertForMultipleChoice extends BertForMultipleChoice {
  static override readonly hfClassName: string = 'LSGBertForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = LSGBertModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGRobertaForMaskedLM extends RobertaForMaskedLM {
  static override readonly hfClassName: string = 'LSGRobertaForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = LSGRobertaModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGRobertaForSequenceClassification extends RobertaForSequenceClassification {
  static override readonly hfClassName: string = 'LSGRobertaForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGRobertaModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGRobertaForTokenClassification extends RobertaForTokenClassification {
  static override readonly hfClassName: string = 'LSGRobertaForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGRobertaModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGRobertaForQuestionAnswering extends RobertaForQuestionAnswering {
  static override readonly hfClassName: string = 'LSGRobertaForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = LSGRobertaModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGRobertaForMultipleChoice extends RobertaForMultipleChoice {
  static override readonly hfClassName: string = 'LSGRobertaForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = LSGRobertaModel;
  constructor(config: LsgBertConfig, options: LsgBuildOptions = {}) { super(config, options); }
}

export class LSGXLMRobertaForMaskedLM extends LSGRobertaForMaskedLM {
  static override readonly hfClassName: string = 'LSGXLMRobertaForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = LSGXLMRobertaModel;
}

export class LSGXLMRobertaForSequenceClassification extends LSGRobertaForSequenceClassification {
  static override readonly hfClassName: string = 'LSGXLMRobertaForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGXLMRobertaModel;
}

export class LSGXLMRobertaForTokenClassification extends LSGRobertaForTokenClassification {
  static override readonly hfClassName: string = 'LSGXLMRobertaForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGXLMRobertaModel;
}

export class LSGXLMRobertaForQuestionAnswering extends LSGRobertaForQuestionAnswering {
  static override readonly hfClassName: string = 'LSGXLMRobertaForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = LSGXLMRobertaModel;
}

export class LSGXLMRobertaForMultipleChoice extends LSGRobertaForMultipleChoice {
  static override readonly hfClassName: string = 'LSGXLMRobertaForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = LSGXLMRobertaModel;
}

export class LSGCamembertForMaskedLM extends LSGRobertaForMaskedLM {
  static override readonly hfClassName: string = 'LSGCamembertForMaskedLM';
  static override readonly baseModelClass: BertBaseModelClass = LSGCamembertModel;
}

export class LSGCamembertForSequenceClassification extends LSGRobertaForSequenceClassification {
  static override readonly hfClassName: string = 'LSGCamembertForSequenceClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGCamembertModel;
}

export class LSGCamembertForTokenClassification extends LSGRobertaForTokenClassification {
  static override readonly hfClassName: string = 'LSGCamembertForTokenClassification';
  static override readonly baseModelClass: BertBaseModelClass = LSGCamembertModel;
}

export class LSGCamembertForQuestionAnswering extends LSGRobertaForQuestionAnswering {
  static override readonly hfClassName: string = 'LSGCamembertForQuestionAnswering';
  static override readonly baseModelClass: BertBaseModelClass = LSGCamembertModel;
}

export class LSGCamembertForMultipleChoice extends LSGRobertaForMultipleChoice {
  static override readonly hfClassName: string = 'LSGCamembertForMultipleChoice';
  static override readonly baseModelClass: BertBaseModelClass = LSGCamembertModel;
}
