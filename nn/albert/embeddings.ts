/**
 * ALBERT's factorized embeddings (the first stage): word, position and token-type tables at
 * `embeddingSize`, summed, then LayerNorm and dropout. The projection to `hiddenSize`
 * (`embedding_hidden_mapping_in`) lives in the encoder, as in HuggingFace.
 */
import { Tensor, arange, zeros } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';

export interface EmbeddingInputs {
  inputIds: Tensor;          // (batch, seq) int32
  tokenTypeIds?: Tensor;     // (batch, seq) int32, default zeros
  positionIds?: Tensor;      // (batch | 1, seq) int32, default 0..seq-1
}

export class AlbertEmbeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(readonly config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.wordEmbeddings = new Embedding(config.vocabSize, config.embeddingSize, { ...init, paddingIdx: config.padTokenId });
    this.positionEmbeddings = new Embedding(config.maxPositionEmbeddings, config.embeddingSize, init);
    this.tokenTypeEmbeddings = new Embedding(config.typeVocabSize, config.embeddingSize, init);
    this.layerNorm = new LayerNorm(config.embeddingSize, { ...init, eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  /** The message for inputs longer than the position table; LSG-ALBERT points to the converter. */
  protected tooLongMessage(seqLength: number): string {
    return `a sequence length of at most maxPositionEmbeddings (${this.config.maxPositionEmbeddings})`;
  }

  /** word + position + token type, before LayerNorm: (batch, seq, embeddingSize). */
  sumEmbeddings({ inputIds, tokenTypeIds, positionIds }: EmbeddingInputs): Tensor {
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw argumentError('AlbertEmbeddings.forward', 'inputIds', `${inputIds.dtype}[${inputIds.shape}]`, 'an int32 tensor of shape [batch, seq]');
    }
    const [batch, seqLength] = inputIds.shape as [number, number];
    if (seqLength > this.config.maxPositionEmbeddings) {
      throw argumentError('AlbertEmbeddings.forward', 'inputIds.shape', inputIds.shape, this.tooLongMessage(seqLength));
    }
    // Defaults as HuggingFace's buffers: positions 0..seq-1 on every row, padding or not (ALBERT
    // has no padding offset); every token of type 0 (a single segment).
    const positions = positionIds ?? arange(0, seqLength, 1, { dtype: 'int32' }).unsqueeze(0);  // (1, seq)
    const types = tokenTypeIds ?? zeros([batch, seqLength], { dtype: 'int32' });                 // (batch, seq)
    // NOTE: word + type first, then position: HuggingFace's order, so float32 rounding matches.
    return this.wordEmbeddings.forward(inputIds)                                                 // (batch, seq, embeddingSize)
      .add(this.tokenTypeEmbeddings.forward(types))
      .add(this.positionEmbeddings.forward(positions));
  }

  /** LayerNorm then dropout over (batch, seq, embeddingSize). */
  normalize(summed: Tensor): Tensor {
    return this.dropout.forward(this.layerNorm.forward(summed));
  }

  forward(inputs: EmbeddingInputs): Tensor {
    return this.normalize(this.sumEmbeddings(inputs));
  }
}
