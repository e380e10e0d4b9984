// The LSG configs of the BERT family: BERT's (RoBERTa's, XLM-RoBERTa's) fields plus the reference's
// LSG keys, `auto_map` and `base_model_prefix: "lsg"`, and whether lsgrad computes the reference's
// behaviours exactly (`reference_quirks`, recorded in config.json).
import { BertConfig, BERT_DEFAULTS, ROBERTA_DEFAULTS, POSITION_NUMBERINGS, camelToSnake, refusalMarker, withRefusal, withSortedKeys, type BertConfigClass, type BertConfigOptions, type HfJson } from '../../nn/index.js';
import { LSG_ALBERT_DEFAULTS } from '../albert.js';
import { lsgConfigFromCheckpointKeys, type LsgConfig } from '../config.js';
import { lsgAutoMap, withReferenceDefault, whereReferenceDiffers } from './pytorch.js';

/** The LSG keys of config.json with the reference defaults, and lsgrad's record of its mode. */
export const LSG_KEYS = { ...LSG_ALBERT_DEFAULTS, referenceQuirks: false };
type LsgKeys = typeof LSG_KEYS;

export type LsgBertConfigOptions = BertConfigOptions & Partial<LsgKeys>;

/**
 * BertConfig plus the LSG keys; `lsg` is the validated attention config.
 * @example
 *   const config = new LsgBertConfig({ vocabSize: 100, hiddenSize: 32, numAttentionHeads: 4,
 *     maxPositionEmbeddings: 4096, blockSize: 64, sparsityType: 'norm' });
 */
export class LsgBertConfig extends BertConfig implements LsgKeys {
  static override readonly defaults: object = { ...BERT_DEFAULTS, ...LSG_KEYS };
  static readonly autoMap: Record<string, string> = lsgAutoMap('bert', 'Bert',
    ['Model', 'ForMaskedLM', 'ForMultipleChoice', 'ForPreTraining', 'ForQuestionAnswering', 'ForSequenceClassification', 'ForTokenClassification'], 'LSGBertLMHeadModel');

  declare readonly blockSize: number;
  declare readonly sparseBlockSize: number;
  declare readonly sparsityFactor: number;
  declare readonly sparsityType: string | null;
  declare readonly numGlobalTokens: number;
  declare readonly maskFirstToken: boolean;
  declare readonly poolWithGlobal: boolean;
  declare readonly adaptive: boolean;
  declare readonly lshNumPreRounds: number;
  /** Reproduce the reference's behaviours (docs/lsg.md); recorded in config.json as `reference_quirks`. */
  declare readonly referenceQuirks: boolean;
  readonly lsg: LsgConfig;

  constructor(options: LsgBertConfigOptions = {}, extra: HfJson = {}) {
    super(options as BertConfigOptions, extra);
    this.lsg = lsgConfigFromCheckpointKeys(this);
  }

  /** Rows of the position table before the first real position (nn/encoder/position-ids.ts; RoBERTa: padTokenId + 1). */
  get positionOffset(): number {
    return POSITION_NUMBERINGS.fromZero.offset(this);
  }

  /** The longest input the position table allows. */
  get maxSequenceLength(): number {
    return this.maxPositionEmbeddings - this.positionOffset;
  }

  /**
   * Reads an LSG config.json (or a dense one, which gets the LSG defaults). Without a
   * `reference_quirks` key the checkpoint came from the reference, so its behaviours are kept.
   * @example LsgRobertaConfig.fromHfJson(JSON.parse(readFileSync('model/config.json', 'utf8')))
   */
  static override fromHfJson<C extends BertConfig>(this: BertConfigClass<C>, json: HfJson): C {
    return BertConfig.fromHfJson.call(this, withReferenceDefault(json)) as C;
  }

  /** config.json in the reference's layout: the dense keys, the LSG keys, `auto_map`, `base_model_prefix` "lsg". */
  override toHfJson(): HfJson {
    const autoMap = (this.constructor as typeof LsgBertConfig).autoMap;
    const json: HfJson = { ...super.toHfJson(), auto_map: autoMap, base_model_prefix: 'lsg' };
    const differs = whereReferenceDiffers(this.lsg);
    if (differs !== null) return withRefusal(json, refusalMarker(differs));
    return withSortedKeys(json);
  }
}

const ROBERTA_HEADS = ['Model', 'ForMaskedLM', 'ForMultipleChoice', 'ForQuestionAnswering', 'ForSequenceClassification', 'ForTokenClassification'];

/** LSG-RoBERTa: RoBERTa's defaults, the LSG keys, positions after the padding offset. */
export class LsgRobertaConfig extends LsgBertConfig {
  static override readonly defaults: object = { ...ROBERTA_DEFAULTS, ...LSG_KEYS };
  static override readonly modelType: string = 'roberta';
  static override readonly autoMap: Record<string, string> = lsgAutoMap('roberta', 'Roberta', ROBERTA_HEADS, 'LSGRobertaForCausalLM');

  override get positionOffset(): number {
    return POSITION_NUMBERINGS.afterPadTokenId.offset(this);
  }
}

export class LsgXLMRobertaConfig extends LsgRobertaConfig {
  static override readonly modelType: string = 'xlm-roberta';
  static override readonly autoMap: Record<string, string> = lsgAutoMap('xlm-roberta', 'XLMRoberta', ROBERTA_HEADS, 'LSGXLMRobertaForCausalLM');
}

export class LsgCamembertConfig extends LsgRobertaConfig {
  static override readonly modelType: string = 'camembert';
  static override readonly autoMap: Record<string, string> = lsgAutoMap('camembert', 'Camembert', ROBERTA_HEADS, 'LSGCamembertForCausalLM');
}

/** `camelToSnake` of every LSG key, as config.json spells them. */
export const LSG_JSON_KEYS = Object.keys(LSG_KEYS).map(camelToSnake);
