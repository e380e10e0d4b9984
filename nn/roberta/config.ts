/**
 * RoBERTa and XLM-RoBERTa configs: BERT's fields with the roberta-base conventions as defaults
 * (padding id 1, <s> 0, </s> 2) and their own `model_type`.
 */
import { BertConfig, BERT_DEFAULTS } from '../bert/config.js';

/** HuggingFace RobertaConfig defaults (transformers 4.36): BERT's, with RoBERTa's special ids. */
export const ROBERTA_DEFAULTS = { ...BERT_DEFAULTS, padTokenId: 1, bosTokenId: 0 as number | null, eosTokenId: 2 as number | null };

/**
 * Position ids start after the padding id: a table of `maxPositionEmbeddings` rows holds
 * `maxPositionEmbeddings - padTokenId - 1` tokens (512 for roberta-base's 514).
 * @example new RobertaConfig({ vocabSize: 100, hiddenSize: 32, numAttentionHeads: 4, maxPositionEmbeddings: 514 })
 */
export class RobertaConfig extends BertConfig {
  static override readonly defaults: object = ROBERTA_DEFAULTS;
  static override readonly modelType: string = 'roberta';
}

/** XLM-RoBERTa: RoBERTa's architecture and defaults under `model_type` "xlm-roberta". */
export class XLMRobertaConfig extends RobertaConfig {
  static override readonly modelType: string = 'xlm-roberta';
}

/** CamemBERT: RoBERTa's architecture and defaults under `model_type` "camembert". */
export class CamembertConfig extends RobertaConfig {
  static override readonly modelType: string = 'camembert';
}
