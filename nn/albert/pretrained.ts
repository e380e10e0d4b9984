/** The base of every ALBERT model class: the shared checkpoint code with ALBERT's config and prefix. */
import { PreTrainedModel } from '../pretrained.js';
import { AlbertConfig } from './config.js';
import type { HfJson } from './config-json.js';

/** The sub-model attribute name HuggingFace uses in ALBERT task models (`albert.embeddings...`). */
export const BASE_MODEL_PREFIX = 'albert';

export abstract class AlbertPreTrainedModel extends PreTrainedModel {
  static override readonly hfClassName: string = 'AlbertPreTrainedModel';
  static override readonly baseModelPrefix: string = BASE_MODEL_PREFIX;

  constructor(override readonly config: AlbertConfig) {
    super(config);
  }

  static configFromHfJson(json: HfJson): AlbertConfig {
    return AlbertConfig.fromHfJson(json);
  }
}
