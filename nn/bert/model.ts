/**
 * BertModel: embeddings → encoder → optional pooler, as HuggingFace's BertModel; and the base of
 * the task models, which hold it under `bert` (RoBERTa's under `roberta`). Subclasses (RoBERTa,
 * the LSG variants) swap the embeddings or the encoder through hooks; task classes name their
 * sub-model's class in `baseModelClass`.
 */
import { PreTrainedModel } from '../pretrained.js';
import { encodeInputs, type AlbertInputs, type AlbertModelOutput, type AlbertModelOptions } from '../albert/model.js';
import type { ModelBuildOptions } from '../albert/build-options.js';
import type { HfJson } from '../albert/config-json.js';
import { BertConfig } from './config.js';
import { BertEmbeddings } from './embeddings.js';
import { BertEncoder, BertPooler } from './encoder.js';

export type BertInputs = AlbertInputs;
export type BertModelOutput = AlbertModelOutput;
export type BertModelOptions = AlbertModelOptions;

/** The base of every BERT-family class: BERT's config reader and the `bert.` prefix. */
export abstract class BertPreTrainedModel extends PreTrainedModel {
  static override readonly hfClassName: string = 'BertPreTrainedModel';
  static override readonly baseModelPrefix: string = 'bert';

  constructor(override readonly config: BertConfig) {
    super(config);
  }

  static configFromHfJson(json: HfJson): BertConfig {
    return BertConfig.fromHfJson(json);
  }
}

/**
 * @example
 *   const model = new BertModel(new BertConfig({ vocabSize: 50, hiddenSize: 32, numAttentionHeads: 4,
 *     intermediateSize: 64, numHiddenLayers: 2 }));
 *   model.forward({ inputIds: tensor([[2, 7, 3]], { dtype: 'int32' }) }).lastHiddenState.shape; // [1, 3, 32]
 */
export class BertModel extends BertPreTrainedModel {
  static override readonly hfClassName: string = 'BertModel';
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | null;

  constructor(config: BertConfig, modelOptions: BertModelOptions = {}) {
    super(config);
    // Every dropout of the model draws from options.dropoutRng, else from the global generator.
    const options = modelOptions;
    this.embeddings = this.createEmbeddings(config, options);
    this.encoder = this.createEncoder(config, options);
    this.pooler = (options.addPoolingLayer ?? true) ? new BertPooler(config, options) : null;
  }

  protected createEmbeddings(config: BertConfig, options: ModelBuildOptions): BertEmbeddings {
    return new BertEmbeddings(config, options);
  }

  protected createEncoder(config: BertConfig, options: ModelBuildOptions): BertEncoder {
    return new BertEncoder(config, options);
  }

  forward(inputs: BertInputs): BertModelOutput {
    const encoded = encodeInputs(`${this.constructor.name}.forward`, this, inputs);   // embeddings (batch, seq, hidden) → encoder
    const lastHiddenState = encoded.lastHiddenState;
    const pooledOutput = this.pooler === null ? undefined : this.pooler.forward(lastHiddenState);
    return { lastHiddenState, pooledOutput, hiddenStates: encoded.hiddenStates, attentions: encoded.attentions };
  }
}

/**
 * What a task model needs of its sub-model's class: the constructor, the config reader and the
 * checkpoint prefix. One static names it per family (BertModel, RobertaModel, LSGBertModel, …),
 * so a task class states only its head.
 */
export interface BertBaseModelClass {
  // `never`: each family's constructor takes its own config subclass (LSGBertModel an LsgBertConfig).
  new (config: never, options: BertModelOptions): BertModel;
  configFromHfJson(json: HfJson): BertConfig;
  readonly baseModelPrefix: string;
}

/**
 * The BERT task models' base: the sub-model, built from the class's `baseModelClass` and stored
 * under that class's `baseModelPrefix` (`bert`, or `roberta` for the RoBERTa classes that reuse
 * BERT's heads).
 */
export abstract class BertTaskModel extends BertPreTrainedModel {
  /** The sub-model's class; it also gives the task model its config reader and checkpoint prefix. */
  static readonly baseModelClass: BertBaseModelClass = BertModel;

  static override get baseModelPrefix(): string {
    return this.baseModelClass.baseModelPrefix;
  }

  static override configFromHfJson(json: HfJson): BertConfig {
    return this.baseModelClass.configFromHfJson(json);
  }

  readonly baseModel: BertModel;
  /** The build options the model was made with, for the heads. */
  protected readonly buildOptions: ModelBuildOptions;

  constructor(config: BertConfig, options: ModelBuildOptions, addPoolingLayer: boolean) {
    super(config);
    this.buildOptions = options;
    const { baseModelClass } = this.constructor as typeof BertTaskModel;
    this.baseModel = new baseModelClass(config as never, { ...options, addPoolingLayer });
  }

  protected override stateNames(): Record<string, string> {
    return { baseModel: (this.constructor as typeof PreTrainedModel).baseModelPrefix };
  }
}
