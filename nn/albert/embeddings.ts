/**
 * ALBERT's factorized embeddings (the first stage): word, position and token-type tables at
 * `embeddingSize`, summed, then LayerNorm and dropout. The projection to `hiddenSize`
 * (`embedding_hidden_mapping_in`) lives in the encoder, as in HuggingFace.
 */
import { EncoderEmbeddings } from '../encoder/embeddings.js';
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';

export class AlbertEmbeddings extends EncoderEmbeddings<AlbertConfig> {
  // Positions 0..seq-1 on every row, padding or not: ALBERT has no padding offset.
  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, config.embeddingSize, options, 'fromZero');
  }

  /** The message for inputs longer than the position table; LSG-ALBERT points to the converter. */
  protected tooLongMessage(): string {
    return `a sequence length of at most maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`;
  }
}
