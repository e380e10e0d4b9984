/**
 * RobertaModel: BERT's encoder with RoBERTa's embeddings, whose position ids count real tokens
 * from `padTokenId + 1` and give padding the padding row (HuggingFace's
 * create_position_ids_from_input_ids), under the `roberta` prefix.
 */
import { Tensor, tensor } from '../../engine/index.js';
import type { ModelBuildOptions } from '../albert/build-options.js';
import type { HfJson } from '../albert/config-json.js';
import { BertEmbeddings } from '../bert/embeddings.js';
import { BertModel } from '../bert/model.js';
import type { BertConfig } from '../bert/config.js';
import { RobertaConfig, XLMRobertaConfig, CamembertConfig } from './config.js';

/**
 * pos = pad + cumsum(id != pad) · (id != pad), per row: real tokens get pad+1, pad+2, …, padding
 * gets pad. Counted from the ids, not the attention mask, as HuggingFace does (a pad id inside a
 * sequence shifts the positions after it).
 * @example robertaPositionIds(tensor([[0, 5, 2, 1]], { dtype: 'int32' }), 1) // [[2, 3, 4, 1]]
 */
export function robertaPositionIds(inputIds: Tensor, padTokenId: number): Tensor {
  const [batch, seqLength] = inputIds.shape as [number, number];
  const ids = inputIds.contiguous().toTypedArray() as Int32Array;
  const positions = new Int32Array(batch * seqLength);
  for (let row = 0; row < batch; row++) {
    let count = 0;
    for (let column = 0; column < seqLength; column++) {
      const index = row * seqLength + column;
      if (ids[index] === padTokenId) positions[index] = padTokenId;
      else positions[index] = padTokenId + ++count;
    }
  }
  return tensor(positions, { shape: [batch, seqLength], dtype: 'int32' });
}

export class RobertaEmbeddings extends BertEmbeddings {
  /** The position table's padding row is the pad id's, as HuggingFace builds it. */
  protected override positionPaddingIdx(): number | null {
    return this.config.padTokenId;
  }

  protected override defaultPositionIds(inputIds: Tensor): Tensor {
    return robertaPositionIds(inputIds, this.config.padTokenId);
  }

  /** The rows up to padTokenId are offsets, not positions. */
  override maxTokens(): number {
    return this.config.maxPositionEmbeddings - this.config.padTokenId - 1;
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
