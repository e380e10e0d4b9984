/**
 * The prediction heads HuggingFace stacks on ALBERT: the masked-LM head (decoder tied to the word
 * embeddings) and the sentence-order-prediction head.
 */
import { Tensor, matmul } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { ACTIVATIONS, type Activation } from '../activations.js';
import { zerosParameter } from '../init.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';

/** A projection whose weight and bias are tensors owned elsewhere (tied), so they are named once. */
export class TiedLinear extends Module {
  constructor(readonly weight: Tensor, readonly bias: Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return matmul(x, this.weight.transpose(0, 1)).add(this.bias);
  }
}

/**
 * dense (hidden → embedding) → activation → LayerNorm → decoder (embedding → vocab) whose weight
 * is the word-embedding table and whose bias is `predictions.bias`, as HuggingFace ties them.
 */
export class AlbertMLMHead extends Module {
  readonly bias: Tensor;
  readonly layerNorm: LayerNorm;
  readonly dense: Linear;
  readonly decoder: TiedLinear;
  private readonly activation: Activation;

  constructor(config: AlbertConfig, wordEmbeddingWeight: Tensor, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.bias = zerosParameter([config.vocabSize], init);
    this.layerNorm = new LayerNorm(config.embeddingSize, { ...init, eps: config.layerNormEps });
    this.dense = new Linear(config.hiddenSize, config.embeddingSize, init);
    this.decoder = new TiedLinear(wordEmbeddingWeight, this.bias);
    this.activation = ACTIVATIONS[config.hiddenAct];
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  /** (batch, seq, hiddenSize) → (batch, seq, vocabSize). */
  forward(hidden: Tensor): Tensor {
    return this.decoder.forward(this.layerNorm.forward(this.activation(this.dense.forward(hidden))));
  }
}

/** Sentence-order prediction: dropout then a linear classifier on the pooled output. */
export class AlbertSOPHead extends Module {
  readonly dropout: Dropout;
  readonly classifier: Linear;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    this.dropout = new Dropout(config.classifierDropoutProb ?? 0, { rng: options.dropoutRng });
    this.classifier = new Linear(config.hiddenSize, config.numLabels, weightInit(config, options));
  }

  forward(pooled: Tensor): Tensor {
    return this.classifier.forward(this.dropout.forward(pooled));
  }
}

/** The names HuggingFace lists as tied (not stored by save_pretrained, accepted on load). */
export const MLM_TIED_KEYS = ['predictions.decoder.weight', 'predictions.decoder.bias'] as const;
