/**
 * AlbertConfig: HuggingFace's ALBERT hyperparameters in camelCase, defaulted once and validated
 * at construction; reads and writes HuggingFace's snake_case config.json.
 */
import { configError, isPositiveInteger, parseHfJson, toHfJsonFields, withRefusal, type HfJson } from './config-json.js';

/** Activations ALBERT checkpoints name in `hidden_act`; nn/activations.ts maps each to a function. */
export const HIDDEN_ACTS = ['gelu', 'gelu_new', 'relu', 'tanh'] as const;
export type HiddenAct = (typeof HIDDEN_ACTS)[number];

/** HuggingFace `problem_type` values for sequence classification. */
export const PROBLEM_TYPES = ['regression', 'single_label_classification', 'multi_label_classification'] as const;
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** HuggingFace AlbertConfig defaults (transformers 4.36, albert-xxlarge sized). */
export const ALBERT_DEFAULTS = {
  vocabSize: 30000,
  embeddingSize: 128,
  hiddenSize: 4096,
  numHiddenLayers: 12,
  numHiddenGroups: 1,
  numAttentionHeads: 64,
  intermediateSize: 16384,
  innerGroupNum: 1,
  hiddenAct: 'gelu_new' as HiddenAct,
  hiddenDropoutProb: 0,
  attentionProbsDropoutProb: 0,
  maxPositionEmbeddings: 512,
  typeVocabSize: 2,
  initializerRange: 0.02,
  layerNormEps: 1e-12,
  classifierDropoutProb: 0.1 as number | null,
  positionEmbeddingType: 'absolute' as const,
  padTokenId: 0,
  bosTokenId: 2,
  eosTokenId: 3,
  problemType: null as ProblemType | null,
  architectures: null as string[] | null,
};

export type AlbertConfigFields = typeof ALBERT_DEFAULTS & {
  /** Label names by class index; its size is `numLabels`. */
  id2label: Record<number, string>;
};

export type AlbertConfigOptions = Partial<AlbertConfigFields> & {
  numLabels?: number;
  /**
   * Why PyTorch's ALBERT would compute another model (e.g. local-only attention): written as a
   * `problem_type` transformers refuses (config-json.ts `refusalMarker`); null for none.
   */
  pytorchRefusal?: string | null;
};

function defaultLabels(numLabels: number): Record<number, string> {
  const labels: Record<number, string> = {};
  for (let i = 0; i < numLabels; i++) labels[i] = `LABEL_${i}`;
  return labels;
}

export class AlbertConfig implements AlbertConfigFields {
  readonly vocabSize!: number;
  readonly embeddingSize!: number;
  readonly hiddenSize!: number;
  readonly numHiddenLayers!: number;
  readonly numHiddenGroups!: number;
  readonly numAttentionHeads!: number;
  readonly intermediateSize!: number;
  readonly innerGroupNum!: number;
  readonly hiddenAct!: HiddenAct;
  readonly hiddenDropoutProb!: number;
  readonly attentionProbsDropoutProb!: number;
  readonly maxPositionEmbeddings!: number;
  readonly typeVocabSize!: number;
  readonly initializerRange!: number;
  readonly layerNormEps!: number;
  readonly classifierDropoutProb!: number | null;
  readonly positionEmbeddingType!: 'absolute';
  readonly padTokenId!: number;
  readonly bosTokenId!: number;
  readonly eosTokenId!: number;
  readonly problemType!: ProblemType | null;
  readonly architectures!: string[] | null;
  readonly pytorchRefusal: string | null;
  readonly id2label: Record<number, string>;
  /** Keys of a loaded config.json that ALBERT does not use, written back unchanged by `toHfJson`. */
  readonly extra: HfJson;

  /**
   * @example
   *   const config = new AlbertConfig({ vocabSize: 100, embeddingSize: 16, hiddenSize: 32,
   *     numHiddenLayers: 4, numHiddenGroups: 2, numAttentionHeads: 4, intermediateSize: 64 });
   *   config.headDim; // 8
   */
  constructor(options: AlbertConfigOptions = {}, extra: HfJson = {}) {
    const { numLabels, id2label, pytorchRefusal, ...rest } = options;
    Object.assign(this, ALBERT_DEFAULTS, rest);
    this.pytorchRefusal = pytorchRefusal ?? null;
    if (id2label !== undefined && numLabels !== undefined && Object.keys(id2label).length !== numLabels) {
      throw configError('numLabels', numLabels, `to equal the number of id2label entries (${Object.keys(id2label).length})`);
    }
    this.id2label = id2label ?? defaultLabels(numLabels ?? 2);
    this.extra = { ...extra };
    this.validate();
  }

  get numLabels(): number {
    return Object.keys(this.id2label).length;
  }

  get headDim(): number {
    return this.hiddenSize / this.numAttentionHeads;
  }

  protected validate(): void {
    const positive = ['vocabSize', 'embeddingSize', 'hiddenSize', 'numHiddenLayers', 'numHiddenGroups', 'numAttentionHeads',
      'intermediateSize', 'innerGroupNum', 'maxPositionEmbeddings', 'typeVocabSize'] as const;
    for (const name of positive) {
      if (!isPositiveInteger(this[name])) throw configError(name, this[name], 'a positive integer');
    }
    if (this.hiddenSize % this.numAttentionHeads !== 0) {
      throw configError('hiddenSize', this.hiddenSize, `a multiple of numAttentionHeads (${this.numAttentionHeads})`);
    }
    if (this.numHiddenGroups > this.numHiddenLayers) {
      throw configError('numHiddenGroups', this.numHiddenGroups, `at most numHiddenLayers (${this.numHiddenLayers})`);
    }
    for (const name of ['hiddenDropoutProb', 'attentionProbsDropoutProb'] as const) {
      const p = this[name];
      if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw configError(name, p, 'a probability in [0, 1)');
    }
    const classifierP = this.classifierDropoutProb;
    if (classifierP !== null && (typeof classifierP !== 'number' || !(classifierP >= 0 && classifierP < 1))) {
      throw configError('classifierDropoutProb', classifierP, 'null or a probability in [0, 1)');
    }
    if (!(typeof this.layerNormEps === 'number' && this.layerNormEps > 0)) throw configError('layerNormEps', this.layerNormEps, 'a positive number');
    if (!(HIDDEN_ACTS as readonly string[]).includes(this.hiddenAct)) {
      throw configError('hiddenAct', this.hiddenAct, `one of ${HIDDEN_ACTS.join(', ')}`);
    }
    if (this.positionEmbeddingType !== 'absolute') {
      throw configError('positionEmbeddingType', this.positionEmbeddingType, '"absolute" (relative position embeddings are not supported)');
    }
    if (this.problemType !== null && !(PROBLEM_TYPES as readonly string[]).includes(this.problemType)) {
      throw configError('problemType', this.problemType, `null or one of ${PROBLEM_TYPES.join(', ')}`);
    }
    if (this.numLabels < 1) throw configError('numLabels', this.numLabels, 'a positive integer');
  }

  /** The options this config was built from (for copying with changes). */
  toOptions(): AlbertConfigOptions {
    const options: Record<string, unknown> = {};
    for (const key of Object.keys(ALBERT_DEFAULTS)) options[key] = (this as unknown as Record<string, unknown>)[key];
    options.id2label = { ...this.id2label };
    options.pytorchRefusal = this.pytorchRefusal;
    return options as AlbertConfigOptions;
  }

  /** A copy with some fields changed (validated again). */
  with(changes: AlbertConfigOptions): AlbertConfig {
    return new AlbertConfig({ ...this.toOptions(), ...changes }, this.extra);
  }

  /**
   * Reads a HuggingFace config.json object (snake_case keys). Unknown keys are kept in `extra`.
   * @example
   *   const config = AlbertConfig.fromHfJson({ vocab_size: 100, hidden_size: 32, num_attention_heads: 4 });
   */
  static fromHfJson(json: HfJson): AlbertConfig {
    const { options, extra, refusal } = parseHfJson(json, ALBERT_DEFAULTS, 'AlbertConfig.fromHfJson');
    return new AlbertConfig({ ...options, pytorchRefusal: refusal } as AlbertConfigOptions, extra);
  }

  /** The HuggingFace config.json object: snake_case keys in sorted order, as `save_pretrained` writes. */
  toHfJson(): HfJson {
    const json = toHfJsonFields(this as unknown as Record<string, unknown>, ALBERT_DEFAULTS, this.id2label, this.extra, 'albert');
    return this.pytorchRefusal === null ? json : withRefusal(json, this.pytorchRefusal);
  }
}
