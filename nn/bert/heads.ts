/**
 * BERT's prediction heads under HuggingFace's names: `cls.predictions` (transform, decoder tied
 * to the word embeddings, bias) and `cls.seq_relationship` (next-sentence prediction).
 */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { ACTIVATIONS, type Activation } from '../activations.js';
import { zerosParameter } from '../init.js';
import { TiedLinear } from '../albert/heads.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import type { BertConfig } from './config.js';

/** dense → hidden_act → LayerNorm, before the decoder. */
export class BertPredictionHeadTransform extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  private readonly activation: Activation;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.layerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.activation = ACTIVATIONS[config.hiddenAct];
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  forward(hidden: Tensor): Tensor {
    return this.layerNorm.forward(this.activation(this.dense.forward(hidden)));
  }
}

/** transform → decoder whose weight is the word-embedding table and whose bias is `bias`. */
export class BertLMPredictionHead extends Module {
  // NOTE: `bias` is declared before `decoder`, so the shared tensor is named `predictions.bias`.
  readonly bias: Tensor;
  readonly transform: BertPredictionHeadTransform;
  readonly decoder: TiedLinear;

  constructor(config: BertConfig, wordEmbeddingWeight: Tensor, options: ModelBuildOptions = {}) {
    super();
    this.bias = zerosParameter([config.vocabSize], { dtype: options.dtype });
    this.transform = new BertPredictionHeadTransform(config, options);
    this.decoder = new TiedLinear(wordEmbeddingWeight, this.bias);
  }

  /** (batch, seq, hidden) → (batch, seq, vocab). */
  forward(hidden: Tensor): Tensor {
    return this.decoder.forward(this.transform.forward(hidden));
  }
}

/** `cls` of BertForMaskedLM and BertForPreTraining: the masked-LM head and, for pre-training, the next-sentence classifier. */
export class BertPreTrainingHeads extends Module {
  readonly predictions: BertLMPredictionHead | null;
  readonly seqRelationship: Linear | null;

  constructor(config: BertConfig, wordEmbeddingWeight: Tensor | null, withNextSentence: boolean, options: ModelBuildOptions = {}) {
    super();
    this.predictions = wordEmbeddingWeight === null ? null : new BertLMPredictionHead(config, wordEmbeddingWeight, options);
    this.seqRelationship = withNextSentence ? new Linear(config.hiddenSize, 2, weightInit(config, options)) : null;
  }
}

/** The names HuggingFace lists as tied (not stored by save_pretrained, accepted on load). */
export const BERT_MLM_TIED_KEYS = ['cls.predictions.decoder.weight', 'cls.predictions.decoder.bias'] as const;
