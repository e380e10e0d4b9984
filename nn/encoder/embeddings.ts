/**
 * The embeddings every family computes: word, position and token-type rows summed, then LayerNorm
 * and dropout. ALBERT's tables are `embeddingSize` wide (the projection to `hiddenSize` lives in its
 * encoder), BERT's and RoBERTa's `hiddenSize`; RoBERTa numbers positions from the pad id.
 */
import { Tensor, zeros } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import { POSITION_NUMBERINGS, type PositionIdScheme } from './position-ids.js';

export interface EmbeddingInputs {
  inputIds: Tensor;          // (batch, seq) int32
  tokenTypeIds?: Tensor;     // (batch, seq) int32, default zeros
  positionIds?: Tensor;      // (batch | 1, seq) int32, default from the position numbering
}

/** The config fields the embeddings read. */
export interface EmbeddingSettings {
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly padTokenId: number;
  readonly layerNormEps: number;
  readonly hiddenDropoutProb: number;
  readonly initializerRange: number;
}

export abstract class EncoderEmbeddings<Config extends EmbeddingSettings> extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  /**
   * @param width the tables' width: ALBERT's embeddingSize, BERT's hiddenSize.
   * @param positionScheme how positions are numbered when the caller gives no position ids:
   *   `fromZero` (ALBERT, BERT) or RoBERTa's `afterPadTokenId` (nn/encoder/position-ids.ts).
   */
  constructor(readonly config: Config, width: number, options: ModelBuildOptions, readonly positionScheme: PositionIdScheme) {
    super();
    const init = weightInit(config, options);
    this.wordEmbeddings = new Embedding(config.vocabSize, width, { ...init, paddingIdx: config.padTokenId });
    this.positionEmbeddings = new Embedding(config.maxPositionEmbeddings, width, { ...init, paddingIdx: POSITION_NUMBERINGS[positionScheme].paddingIdx(config) });
    this.tokenTypeEmbeddings = new Embedding(config.typeVocabSize, width, init);
    this.layerNorm = new LayerNorm(width, { ...init, eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  /** The longest input the position table allows. */
  maxTokens(): number {
    return this.config.maxPositionEmbeddings - POSITION_NUMBERINGS[this.positionScheme].offset(this.config);
  }

  /** The expectation an input longer than maxTokens() fails; LSG models point to the converter. */
  protected abstract tooLongMessage(): string;

  /** word + token type + position, before LayerNorm: (batch, seq, width). */
  sumEmbeddings({ inputIds, tokenTypeIds, positionIds }: EmbeddingInputs): Tensor {
    const owner = `${this.constructor.name}.forward`;
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw argumentError(owner, 'inputIds', `${inputIds.dtype}[${inputIds.shape}]`, 'an int32 tensor of shape [batch, seq]');
    }
    const [batch, seqLength] = inputIds.shape as [number, number];
    if (seqLength > this.maxTokens()) throw argumentError(owner, 'inputIds.shape', inputIds.shape, this.tooLongMessage());
    // Defaults as HuggingFace's buffers: the numbering's positions; every token of type 0 (a single segment).
    const positions = positionIds ?? POSITION_NUMBERINGS[this.positionScheme].defaultIds(inputIds, this.config);
    const types = tokenTypeIds ?? zeros([batch, seqLength], { dtype: 'int32' });                 // (batch, seq)
    // NOTE: word + type first, then position: HuggingFace's order, so float32 rounding matches.
    return this.wordEmbeddings.forward(inputIds)                                                 // (batch, seq, width)
      .add(this.tokenTypeEmbeddings.forward(types))
      .add(this.positionEmbeddings.forward(positions));
  }

  /** LayerNorm then dropout over (batch, seq, width). */
  normalize(summed: Tensor): Tensor {
    return this.dropout.forward(this.layerNorm.forward(summed));
  }

  forward(inputs: EmbeddingInputs): Tensor {
    return this.normalize(this.sumEmbeddings(inputs));
  }
}
