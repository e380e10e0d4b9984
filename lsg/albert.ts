/**
 * LSG-ALBERT: nn's ALBERT with LSG attention injected, the global-token embedding table, and the
 * sequence steps around the encoder (adaptive padding, pool with global, cut back), as the
 * reference `modeling_lsg_albert.py` (ccdv-ai/convert_checkpoint_to_lsg) lays them out, so
 * checkpoints move between the two unchanged.
 */
import { ConfigError, type Tensor } from '../engine/index.js';
import {
  AlbertConfig, AlbertEmbeddings, AlbertTransformer, AlbertModel, AlbertForMaskedLM, AlbertForPreTraining,
  AlbertForSequenceClassification, AlbertForTokenClassification, AlbertForQuestionAnswering, AlbertForMultipleChoice,
  Embedding, ALBERT_DEFAULTS, parseHfJson, camelToSnake, weightInit,
  type AlbertConfigOptions, type AlbertModelOptions, type AlbertBaseModelClass, type EmbeddingInputs, type EncoderOutput, type HfJson, type ModelBuildOptions,
} from '../nn/index.js';
import { lsgConfigFromCheckpointKeys, MAX_GLOBAL_TOKENS, MODEL_DEFAULTS, type LsgCheckpointKeys, type LsgConfig } from './config.js';
import { withLsgAttention, prependGlobalRows, runLsgEncoder, lsgTooLongMessage, type LsgBuildOptions } from './models/encoder-steps.js';
import { lsgAutoMap, withReferenceDefault, whereReferenceDiffers, REFERENCE_QUIRKS_KEY } from './models/pytorch.js';
import { refusalMarker, withRefusal, withSortedKeys } from '../nn/index.js';

type LsgKeys = LsgCheckpointKeys;

const { isCausal: _isCausal, referenceQuirks: _referenceQuirks, ...lsgKeyDefaults } = MODEL_DEFAULTS;
/** The LSG keys' defaults, taken from MODEL_DEFAULTS (the reference LSGAlbertConfig's), in config.json's key order. */
export const LSG_ALBERT_DEFAULTS: LsgKeys = lsgKeyDefaults;

/** `auto_map`: each Auto class → the LSG-ALBERT class of the published modeling code (lsg/models/pytorch.ts). */
export const LSG_ALBERT_AUTO_MAP: Record<string, string> = lsgAutoMap('albert', 'Albert',
  ['Model', 'ForMaskedLM', 'ForMultipleChoice', 'ForPreTraining', 'ForQuestionAnswering', 'ForSequenceClassification', 'ForTokenClassification']);

/** Rows of the global-embedding table: always 512 in the reference, whatever numGlobalTokens is. */
export const GLOBAL_EMBEDDING_ROWS = MAX_GLOBAL_TOKENS;

export type LsgAlbertConfigOptions = AlbertConfigOptions & Partial<LsgKeys> & {
  /** Reproduce reference behaviours that the LSG module otherwise corrects (see docs/lsg.md); recorded in config.json as `reference_quirks`. */
  referenceQuirks?: boolean;
};

/**
 * AlbertConfig plus the LSG keys; `lsg` is the validated attention config.
 * @example
 *   const config = new LsgAlbertConfig({ vocabSize: 100, hiddenSize: 32, numAttentionHeads: 4,
 *     maxPositionEmbeddings: 4096, blockSize: 64, sparsityType: 'norm', numGlobalTokens: 1 });
 */
export class LsgAlbertConfig extends AlbertConfig implements LsgKeys {
  readonly blockSize: number;
  readonly sparseBlockSize: number;
  readonly sparsityFactor: number;
  readonly sparsityType: string | null;
  readonly numGlobalTokens: number;
  readonly maskFirstToken: boolean;
  readonly poolWithGlobal: boolean;
  readonly adaptive: boolean;
  readonly lshNumPreRounds: number;
  readonly referenceQuirks: boolean;
  readonly lsg: LsgConfig;

  constructor(options: LsgAlbertConfigOptions = {}, extra: HfJson = {}) {
    const albertOptions: Record<string, unknown> = { ...options };
    // A refusal is recomputed on save from referenceQuirks, never carried over.
    delete albertOptions.pytorchRefusal;
    const lsgOptions: Record<string, unknown> = {};
    for (const key of Object.keys(LSG_ALBERT_DEFAULTS)) {
      if (key in albertOptions) lsgOptions[key] = albertOptions[key];
      delete albertOptions[key];
    }
    delete albertOptions.referenceQuirks;
    super(albertOptions as AlbertConfigOptions, extra);
    const merged = { ...LSG_ALBERT_DEFAULTS, ...lsgOptions } as LsgKeys;
    this.blockSize = merged.blockSize;
    this.sparseBlockSize = merged.sparseBlockSize;
    this.sparsityFactor = merged.sparsityFactor;
    this.sparsityType = merged.sparsityType;
    this.numGlobalTokens = merged.numGlobalTokens;
    this.maskFirstToken = merged.maskFirstToken;
    this.poolWithGlobal = merged.poolWithGlobal;
    this.adaptive = merged.adaptive;
    this.lshNumPreRounds = merged.lshNumPreRounds;
    this.referenceQuirks = options.referenceQuirks ?? false;
    this.lsg = lsgConfigFromCheckpointKeys(this);
  }

  override toOptions(): LsgAlbertConfigOptions {
    const options: Record<string, unknown> = { ...super.toOptions() };
    for (const key of Object.keys(LSG_ALBERT_DEFAULTS)) options[key] = (this as unknown as Record<string, unknown>)[key];
    options.referenceQuirks = this.referenceQuirks;
    return options as LsgAlbertConfigOptions;
  }

  override with(changes: LsgAlbertConfigOptions): LsgAlbertConfig {
    return new LsgAlbertConfig({ ...this.toOptions(), ...changes }, this.extra);
  }

  /**
   * Reads an LSG-ALBERT config.json (or a dense ALBERT one, which gets the LSG defaults). Without a
   * `reference_quirks` record the checkpoint came from the reference, so its behaviours are kept.
   * @example
   *   LsgAlbertConfig.fromHfJson(JSON.parse(readFileSync('model/config.json', 'utf8')));
   */
  static override fromHfJson(json: HfJson): LsgAlbertConfig {
    const { options, extra } = parseHfJson(withReferenceDefault(json), { ...ALBERT_DEFAULTS, ...LSG_ALBERT_DEFAULTS, referenceQuirks: false }, 'LsgAlbertConfig.fromHfJson');
    return new LsgAlbertConfig(options as LsgAlbertConfigOptions, extra);
  }

  /**
   * config.json in the reference's layout: the ALBERT keys, the LSG keys, `auto_map`,
   * `base_model_prefix` "lsg", lsgrad's `reference_quirks`, and a refusal marker where PyTorch
   * would compute something else (lsg/models/pytorch.ts).
   */
  override toHfJson(): HfJson {
    const json: HfJson = { ...super.toHfJson(), auto_map: LSG_ALBERT_AUTO_MAP, base_model_prefix: 'lsg', [REFERENCE_QUIRKS_KEY]: this.referenceQuirks };
    const differs = whereReferenceDiffers(this.lsg);
    for (const key of Object.keys(LSG_ALBERT_DEFAULTS)) json[camelToSnake(key)] = (this as unknown as Record<string, unknown>)[key];
    if (differs !== null) return withRefusal(json, refusalMarker(differs));
    return withSortedKeys(json);
  }
}

/** Embeddings with the global-token table; the first numGlobalTokens rows are prepended before LayerNorm. */
export class LsgAlbertEmbeddings extends AlbertEmbeddings {
  readonly globalEmbeddings: Embedding;

  constructor(override readonly config: LsgAlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options);
    this.globalEmbeddings = new Embedding(GLOBAL_EMBEDDING_ROWS, config.embeddingSize, weightInit(config, options));
  }

  protected override tooLongMessage(): string {
    return lsgTooLongMessage(`maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`);
  }

  /** (batch, seq) ids → (batch, g + seq, embeddingSize): globals get no position or type added. */
  override forward(inputs: EmbeddingInputs): Tensor {
    return this.normalize(prependGlobalRows(this.sumEmbeddings(inputs), this.globalEmbeddings.weight, this.config.numGlobalTokens));
  }
}

/** The encoder wrapped in the reference's sequence steps (docs/lsg-reference.md#model-sequence-steps): pad, run the layers, pool, cut. */
export class LsgAlbertTransformer extends AlbertTransformer {
  constructor(override readonly config: LsgAlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options);
  }

  /** embedded: (batch, g + t, embeddingSize); mask: additive (batch, 1, 1, t) over the real tokens. */
  override forward(embedded: Tensor, mask: Tensor | null, options: { outputHiddenStates?: boolean; outputAttentions?: boolean } = {}): EncoderOutput {
    return runLsgEncoder(embedded, mask, this.config.lsg, (hidden, paddedMask) => super.forward(hidden, paddedMask, options));
  }
}

/** How an LSG-ALBERT model is built: nn's options plus the LSG kernel's runtime (lsg/models/encoder-steps.ts). */
export type LsgAlbertBuildOptions = LsgBuildOptions;

function asLsgConfig(config: AlbertConfig, owner: string): LsgAlbertConfig {
  if (!(config instanceof LsgAlbertConfig)) throw new ConfigError(owner, `config is an AlbertConfig, expected an LsgAlbertConfig (LSG keys)`);
  return config;
}

/**
 * @example
 *   const model = LSGAlbertModel.fromPretrained('my-lsg-albert');
 *   model.forward({ inputIds, attentionMask }).lastHiddenState;
 */
export class LSGAlbertModel extends AlbertModel {
  static override readonly hfClassName: string = 'LSGAlbertModel';
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions & AlbertModelOptions = {}) {
    super(asLsgConfig(config, 'LSGAlbertModel'), withLsgAttention(config.lsg, options));
  }
  static override configFromHfJson(json: HfJson): LsgAlbertConfig {
    return LsgAlbertConfig.fromHfJson(json);
  }
  protected override createEmbeddings(config: AlbertConfig, options: ModelBuildOptions): AlbertEmbeddings {
    return new LsgAlbertEmbeddings(asLsgConfig(config, 'LSGAlbertModel'), options);
  }
  protected override createEncoder(config: AlbertConfig, options: ModelBuildOptions): AlbertTransformer {
    return new LsgAlbertTransformer(asLsgConfig(config, 'LSGAlbertModel'), options);
  }
}

// The task classes: each dense head over an LSG-ALBERT model. The constructors only narrow the
// types: LSGAlbertModel itself checks the config and adds the LSG attention kernel.
/** LSG-ALBERT masked LM (decoder tied to the word embeddings). */
export class LSGAlbertForMaskedLM extends AlbertForMaskedLM {
  static override readonly hfClassName: string = 'LSGAlbertForMaskedLM';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

export class LSGAlbertForPreTraining extends AlbertForPreTraining {
  static override readonly hfClassName: string = 'LSGAlbertForPreTraining';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

export class LSGAlbertForSequenceClassification extends AlbertForSequenceClassification {
  static override readonly hfClassName: string = 'LSGAlbertForSequenceClassification';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

export class LSGAlbertForTokenClassification extends AlbertForTokenClassification {
  static override readonly hfClassName: string = 'LSGAlbertForTokenClassification';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

export class LSGAlbertForQuestionAnswering extends AlbertForQuestionAnswering {
  static override readonly hfClassName: string = 'LSGAlbertForQuestionAnswering';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

export class LSGAlbertForMultipleChoice extends AlbertForMultipleChoice {
  static override readonly hfClassName: string = 'LSGAlbertForMultipleChoice';
  static override readonly baseModelClass: AlbertBaseModelClass = LSGAlbertModel;
  constructor(config: LsgAlbertConfig, options: LsgAlbertBuildOptions = {}) { super(config, options); }
}

/** Every LSG-ALBERT class by its HuggingFace name (for `architectures` and the converter). */
export const LSG_ALBERT_CLASSES = {
  LSGAlbertModel, LSGAlbertForMaskedLM, LSGAlbertForPreTraining, LSGAlbertForSequenceClassification,
  LSGAlbertForTokenClassification, LSGAlbertForQuestionAnswering, LSGAlbertForMultipleChoice,
} as const;
