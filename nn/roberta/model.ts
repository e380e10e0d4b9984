/**
 * RobertaModel: BERT's encoder with RoBERTa's embeddings, whose position ids count real tokens
 * from `padTokenId + 1` and give padding the padding row (HuggingFace's
 * create_position_ids_from_input_ids), under the `roberta` prefix.
 */
import type { ModelBuildOptions } from '../albert/build-options.js';
import type { HfJson } from '../albert/config-json.js';
import { BertEmbeddings } from '../bert/embeddings.js';
import { BertModel } from '../bert/model.js';
import type { BertConfig } from '../bert/config.js';
import { RobertaConfig, XLMRobertaConfig, CamembertConfig } from './config.js';

/** BERT's embeddings numbering positions from the pad id (nn/encoder/position-ids.ts). */
export class RobertaEmbeddings extends BertEmbeddings {
  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super(config, options, 'afterPadTokenId');
  }
}

/**
 * @example
 *   const model = RobertaModel.fromPretrained('roberta-base');
 *   model.forward({ inputIds, attentionMask }).lastHiddenState;
 */
export class RobertaModel extends BertModel {
  static override readonly hfClassName: string = 'RobertaModel';
  static override readonly baseModelPrefix: string = 'roberta';

  static override configFromHfJson(json: HfJson): BertConfig {
    return RobertaConfig.fromHfJson(json);
  }

  protected override createEmbeddings(config: BertConfig, options: ModelBuildOptions): BertEmbeddings {
    return new RobertaEmbeddings(config, options);
  }
}

export class XLMRobertaModel extends RobertaModel {
  static override readonly hfClassName: string = 'XLMRobertaModel';
  static override configFromHfJson(json: HfJson): BertConfig {
    return XLMRobertaConfig.fromHfJson(json);
  }
}

export class CamembertModel extends RobertaModel {
  static override readonly hfClassName: string = 'CamembertModel';
  static override configFromHfJson(json: HfJson): BertConfig {
    return CamembertConfig.fromHfJson(json);
  }
}
