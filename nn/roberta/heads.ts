/** RoBERTa's own heads: `lm_head` (masked LM) and `classifier` (sequence classification, no pooler). */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { gelu } from '../activations.js';
import { zerosParameter } from '../init.js';
import { TiedLinear } from '../albert/heads.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import type { BertConfig } from '../bert/config.js';

/**
 * dense → exact gelu → layer_norm → decoder (the word-embedding table) + bias.
 * NOTE: the gelu is HuggingFace's hard-coded exact form, whatever `hidden_act` says.
 */
export class RobertaLMHead extends Module {
  // NOTE: `bias` is declared before `decoder`, so the shared tensor is named `lm_head.bias`.
  readonly bias: Tensor;
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly decoder: TiedLinear;

  constructor(config: BertConfig, wordEmbeddingWeight: Tensor, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.bias = zerosParameter([config.vocabSize], { dtype: options.dtype });
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.layerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.decoder = new TiedLinear(wordEmbeddingWeight, this.bias);
  }

  /** (batch, seq, hidden) → (batch, seq, vocab). */
  forward(hidden: Tensor): Tensor {
    return this.decoder.forward(this.layerNorm.forward(gelu(this.dense.forward(hidden))));
  }
}

/** The first token's vector → dropout → dense → tanh → dropout → out_proj (RoBERTa has no pooler here). */
export class RobertaClassificationHead extends Module {
  readonly dense: Linear;
  readonly dropout: Dropout;
  readonly outProj: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.dropout = new Dropout(config.classifierDropoutProb, { rng: options.dropoutRng });
    this.outProj = new Linear(config.hiddenSize, config.numLabels, init);
  }

  /** (batch, seq, hidden) → (batch, numLabels). */
  forward(hidden: Tensor): Tensor {
    const first = hidden.narrow(1, 0, 1).squeeze(1);                         // (batch, hidden): <s>
    const pooled = this.dense.forward(this.dropout.forward(first)).tanh();
    return this.outProj.forward(this.dropout.forward(pooled));
  }
}

/** The names HuggingFace lists as tied (not stored by save_pretrained, accepted on load). */
export const ROBERTA_MLM_TIED_KEYS = ['lm_head.decoder.weight', 'lm_head.decoder.bias'] as const;
