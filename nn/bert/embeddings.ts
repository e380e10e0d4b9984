/**
 * BERT's embeddings: word + position + token-type rows at `hiddenSize`, summed, then LayerNorm and
 * dropout. RoBERTa (nn/roberta) is the same layer numbering positions from the pad id.
 */
import { EncoderEmbeddings } from '../encoder/embeddings.js';
import type { PositionIdScheme } from '../encoder/position-ids.js';
import type { ModelBuildOptions } from '../albert/build-options.js';
import type { BertConfig } from './config.js';

export class BertEmbeddings extends EncoderEmbeddings<BertConfig> {
  /**
   * @param positionScheme how positions are numbered when the caller gives no position ids:
   *   BERT's `fromZero` or RoBERTa's `afterPadTokenId` (nn/encoder/position-ids.ts).
   */
  constructor(config: BertConfig, options: ModelBuildOptions = {}, positionScheme: PositionIdScheme = 'fromZero') {
    super(config, config.hiddenSize, options, positionScheme);
  }

  /** The message for inputs longer than the position table; LSG models point to the converter. */
  protected tooLongMessage(): string {
    return `a sequence length of at most ${this.maxTokens()} (the position table has maxPositionEmbeddings ${this.config.maxPositionEmbeddings} rows)`;
  }
}
