/**
 * BERT's embeddings: word + position + token-type rows at `hiddenSize`, summed, then LayerNorm and
 * dropout. RoBERTa (nn/roberta) is the same layer numbering positions from the pad id.
 */
import { Tensor, zeros } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { Module } from '../module.js';
import { Embedding } from '../embedding.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import type { EmbeddingInputs } from '../albert/embeddings.js';
import type { BertConfig } from './config.js';
import { POSITION_NUMBERINGS, type PositionIdScheme } from './position-ids.js';

export class BertEmbeddings extends Module {
  readonly wordEmbeddings: Embedding;
  readonly positionEmbeddings: Embedding;
  readonly tokenTypeEmbeddings: Embedding;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  /**
   * @param positionScheme how positions are numbered when the caller gives no position ids:
   *   BERT's `fromZero` or RoBERTa's `afterPadTokenId` (nn/bert/position-ids.ts).
   */
  constructor(readonly config: BertConfig, options: ModelBuildOptions = {}, readonly positionScheme: PositionIdScheme = 'fromZero') {
    super();
    const init = weightInit(config, options);
    this.wordEmbeddings = new Embedding(config.vocabSize, config.hiddenSize, { ...init, paddingIdx: config.padTokenId });
    this.positionEmbeddings = new Embedding(config.maxPositionEmbeddings, config.hiddenSize, { ...init, paddingIdx: POSITION_NUMBERINGS[positionScheme].paddingIdx(config) });
    this.tokenTypeEmbeddings = new Embedding(config.typeVocabSize, config.hiddenSize, init);
    this.layerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  /** The longest input the position table allows. */
  maxTokens(): number {
    return POSITION_NUMBERINGS[this.positionScheme].maxTokens(this.config);
  }

  /** The message for inputs longer than the position table; LSG models point to the converter. */
  protected tooLongMessage(): string {
    return `a sequence length of at most ${this.maxTokens()} (the position table has maxPositionEmbeddings ${this.config.maxPositionEmbeddings} rows)`;
  }

  /** word + position + token type, before LayerNorm: (batch, seq, hiddenSize). */
  sumEmbeddings({ inputIds, tokenTypeIds, positionIds }: EmbeddingInputs): Tensor {
    const owner = `${this.constructor.name}.forward`;
    if (inputIds.rank !== 2 || inputIds.dtype !== 'int32') {
      throw argumentError(owner, 'inputIds', `${inputIds.dtype}[${inputIds.shape}]`, 'an int32 tensor of shape [batch, seq]');
    }
    const [batch, seqLength] = inputIds.shape as [number, number];
    if (seqLength > this.maxTokens()) throw argumentError(owner, 'inputIds.shape', inputIds.shape, this.tooLongMessage());
    const positions = positionIds ?? POSITION_NUMBERINGS[this.positionScheme].defaultIds(inputIds, this.config);
    const types = tokenTypeIds ?? zeros([batch, seqLength], { dtype: 'int32' });
    return this.wordEmbeddings.forward(inputIds)
      .add(this.tokenTypeEmbeddings.forward(types))
      .add(this.positionEmbeddings.forward(positions));
  }

  /** LayerNorm then dropout over (batch, seq, hiddenSize). */
  normalize(summed: Tensor): Tensor {
    return this.dropout.forward(this.layerNorm.forward(summed));
  }

  forward(inputs: EmbeddingInputs): Tensor {
    return this.normalize(this.sumEmbeddings(inputs));
  }
}
