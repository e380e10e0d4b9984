/**
 * BertConfig: HuggingFace's BERT hyperparameters in camelCase, defaulted once and validated at
 * construction; reads and writes HuggingFace's snake_case config.json. RoBERTa and XLM-RoBERTa
 * (nn/roberta) are the same fields with other defaults and another `model_type`, so they extend it.
 */
import { configError, isPositiveInteger, parseHfJson, toHfJsonFields, type HfJson } from '../albert/config-json.js';
import { HIDDEN_ACTS, PROBLEM_TYPES, type HiddenAct, type ProblemType } from '../albert/config.js';

/** HuggingFace BertConfig defaults (transformers 4.36, bert-base sized). */
export const BERT_DEFAULTS = {
  vocabSize: 30522,
  hiddenSize: 768,
  numHiddenLayers: 12,
  numAttentionHeads: 12,
  intermediateSize: 3072,
  hiddenAct: 'gelu' as HiddenAct,
  hiddenDropoutProb: 0.1,
  attentionProbsDropoutProb: 0.1,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  padTokenId: 0,
  // NOTE: BERT configs carry no bos/eos ids (the converter falls back to [CLS]); null is left out of config.json.
  bosTokenId: null as number | null,
  eosTokenId: null as number | null,
  positionEmbeddingType: 'absolute' as const,
  useCache: true,
  /** Dropout before the classifier heads; null means hiddenDropoutProb, as HuggingFace. */
  classifierDropout: null as number | null,
  problemType: null as ProblemType | null,
  architectures: null as string[] | null,
};

export type BertConfigFields = typeof BERT_DEFAULTS & {
  /** Label names by class index; its size is `numLabels`. */
  id2label: Record<number, string>;
};

export type BertConfigOptions = Partial<BertConfigFields> & { numLabels?: number };

/** A config class with the statics `fromHfJson` and `with` need (BertConfig and its subclasses). */
export interface BertConfigClass<C extends BertConfig> {
  new (options?: never, extra?: HfJson): C;
  readonly defaults: object;
  readonly modelType: string;
}

function defaultLabels(numLabels: number): Record<number, string> {
  const labels: Record<number, string> = {};
  for (let i = 0; i < numLabels; i++) labels[i] = `LABEL_${i}`;
  return labels;
}

/**
 * @example
 *   const config = new BertConfig({ vocabSize: 100, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64 });
 *   config.headDim; // 8
 */
export class BertConfig implements BertConfigFields {
  /** The defaults of every field (subclasses give their own table). */
  static readonly defaults: object = BERT_DEFAULTS;
  /** `model_type` written to config.json. */
  static readonly modelType: string = 'bert';

  declare readonly vocabSize: number;
  declare readonly hiddenSize: number;
  declare readonly numHiddenLayers: number;
  declare readonly numAttentionHeads: number;
  declare readonly intermediateSize: number;
  declare readonly hiddenAct: HiddenAct;
  declare readonly hiddenDropoutProb: number;
  declare readonly attentionProbsDropoutProb: number;
  declare readonly maxPositionEmbeddings: number;
  declare readonly typeVocabSize: number;
  declare readonly initializerRange: number;
  declare readonly layerNormEps: number;
  declare readonly padTokenId: number;
  declare readonly bosTokenId: number | null;
  declare readonly eosTokenId: number | null;
  declare readonly positionEmbeddingType: 'absolute';
  declare readonly useCache: boolean;
  declare readonly classifierDropout: number | null;
  declare readonly problemType: ProblemType | null;
  declare readonly architectures: string[] | null;
  readonly id2label: Record<number, string>;
  /** Keys of a loaded config.json the model does not use, written back unchanged by `toHfJson`. */
  readonly extra: HfJson;

  constructor(options: BertConfigOptions = {}, extra: HfJson = {}) {
    const { numLabels, id2label, ...rest } = options;
    const owner = this.owner;
    Object.assign(this, this.statics.defaults, rest);
    if (id2label !== undefined && numLabels !== undefined && Object.keys(id2label).length !== numLabels) {
      throw configError('numLabels', numLabels, `to equal the number of id2label entries (${Object.keys(id2label).length})`, owner);
    }
    this.id2label = id2label ?? defaultLabels(numLabels ?? 2);
    this.extra = { ...extra };
    this.validate();
  }

  protected get statics(): BertConfigClass<BertConfig> {
    return this.constructor as unknown as BertConfigClass<BertConfig>;
  }

  /** The class name used in error messages. */
  protected get owner(): string {
    return this.constructor.name;
  }

  get numLabels(): number {
    return Object.keys(this.id2label).length;
  }

  get headDim(): number {
    return this.hiddenSize / this.numAttentionHeads;
  }

  /** The dropout before classifier heads: `classifier_dropout`, else `hidden_dropout_prob` (HuggingFace's rule). */
  get classifierDropoutProb(): number {
    return this.classifierDropout ?? this.hiddenDropoutProb;
  }

  protected validate(): void {
    const owner = this.owner;
    const positive = ['vocabSize', 'hiddenSize', 'numHiddenLayers', 'numAttentionHeads', 'intermediateSize', 'maxPositionEmbeddings', 'typeVocabSize'] as const;
    for (const name of positive) {
      if (!isPositiveInteger(this[name])) throw configError(name, this[name], 'a positive integer', owner);
    }
    if (this.hiddenSize % this.numAttentionHeads !== 0) {
      throw configError('hiddenSize', this.hiddenSize, `a multiple of numAttentionHeads (${this.numAttentionHeads})`, owner);
    }
    for (const name of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
      const p = this[name];
      if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw configError(name, p, 'a probability in [0, 1)', owner);
    }
    const classifierP = this.classifierDropout;
    if (classifierP !== null && (typeof classifierP !== 'number' || !(classifierP >= 0 && classifierP < 1))) {
      throw configError('classifierDropout', classifierP, 'null or a probability in [0, 1)', owner);
    }
    if (!(typeof this.layerNormEps === 'number' && this.layerNormEps > 0)) throw configError('layerNormEps', this.layerNormEps, 'a positive number', owner);
    if (!(HIDDEN_ACTS as readonly string[]).includes(this.hiddenAct)) {
      throw configError('hiddenAct', this.hiddenAct, `one of ${HIDDEN_ACTS.join(', ')}`, owner);
    }
    if (this.positionEmbeddingType !== 'absolute') {
      throw configError('positionEmbeddingType', this.positionEmbeddingType, '"absolute" (relative position embeddings are not supported)', owner);
    }
    if (this.problemType !== null && !(PROBLEM_TYPES as readonly string[]).includes(this.problemType)) {
      throw configError('problemType', this.problemType, `null or one of ${PROBLEM_TYPES.join(', ')}`, owner);
    }
    for (const name of ['padTokenId', 'bosTokenId', 'eosTokenId'] as const) {
      const id = this[name];
      if (id !== null && !(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) {
        throw configError(name, id, `${name === 'padTokenId' ? '' : 'null or '}a word id in [0, ${this.vocabSize})`, owner);
      }
    }
    if (this.numLabels < 1) throw configError('numLabels', this.numLabels, 'a positive integer', owner);
  }

  /** The options this config was built from (for copying with changes). */
  toOptions(): BertConfigOptions {
    const options: Record<string, unknown> = {};
    for (const key of Object.keys(this.statics.defaults)) options[key] = (this as unknown as Record<string, unknown>)[key];
    options.id2label = { ...this.id2label };
    return options as BertConfigOptions;
  }

  /** A copy of the same class with some fields changed (validated again). */
  with(changes: BertConfigOptions): this {
    const Class = this.constructor as new (options: BertConfigOptions, extra: HfJson) => this;
    return new Class({ ...this.toOptions(), ...changes }, this.extra);
  }

  /**
   * Reads a HuggingFace config.json object (snake_case keys). Unknown keys are kept in `extra`.
   * @example
   *   const config = BertConfig.fromHfJson({ vocab_size: 100, hidden_size: 32, num_attention_heads: 4 });
   */
  static fromHfJson<C extends BertConfig>(this: BertConfigClass<C>, json: HfJson): C {
    const { options, extra } = parseHfJson(json, this.defaults, `${this.name}.fromHfJson`);
    return new this(options as never, extra);
  }

  /** The HuggingFace config.json object: snake_case keys in sorted order, as `save_pretrained` writes. */
  toHfJson(): HfJson {
    return toHfJsonFields(this as unknown as Record<string, unknown>, this.statics.defaults, this.id2label, this.extra, this.statics.modelType);
  }
}
