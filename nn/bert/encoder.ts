/**
 * BERT's encoder layers under HuggingFace's names: `attention.self` (query, key, value),
 * `attention.output` (dense, LayerNorm), `intermediate.dense`, `output` (dense, LayerNorm);
 * post-LayerNorm residuals. RoBERTa and XLM-RoBERTa use these layers unchanged.
 */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { ACTIVATIONS, type Activation } from '../activations.js';
import { multiHeadSelfAttention } from '../encoder/self-attention.js';
import { denseAttentionFunction, type AttentionFunction } from '../albert/attention-function.js';
import { weightInit, type ModelBuildOptions } from '../albert/build-options.js';
import type { EncoderOutput } from '../albert/transformer.js';
import type { BertConfig } from './config.js';

/** The query, key and value projections and the attention kernel (dense unless the build options give one). */
export class BertSelfAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  private readonly attentionFunction: AttentionFunction;

  constructor(readonly config: BertConfig, private readonly options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.query = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.key = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.value = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.attentionFunction = options.attention ?? denseAttentionFunction;
  }

  /** hidden (batch, seq, hidden) → context (batch, seq, hidden), before the output projection. */
  forward(hidden: Tensor, mask: Tensor | null, outputAttentions: boolean): { context: Tensor; probs?: Tensor } {
    return multiHeadSelfAttention(hidden, this, this.config.numAttentionHeads, this.attentionFunction, mask, {
      training: this.training,
      dropoutProb: this.config.attentionProbsDropoutProb,
      rng: this.options.dropoutRng,
      outputAttentions,
    });
  }
}

/** dense → dropout → LayerNorm(· + residual): BertSelfOutput and BertOutput are this one computation. */
export class BertResidualOutput extends Module {
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: BertConfig, inFeatures: number, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.dense = new Linear(inFeatures, config.hiddenSize, init);
    this.layerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  forward(x: Tensor, residual: Tensor): Tensor {
    return this.layerNorm.forward(this.dropout.forward(this.dense.forward(x)).add(residual));
  }
}

export class BertAttention extends Module {
  readonly self: BertSelfAttention;
  readonly output: BertResidualOutput;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    this.self = new BertSelfAttention(config, options);
    this.output = new BertResidualOutput(config, config.hiddenSize, options);
  }

  forward(hidden: Tensor, mask: Tensor | null, outputAttentions: boolean): { hidden: Tensor; probs?: Tensor } {
    const { context, probs } = this.self.forward(hidden, mask, outputAttentions);
    return { hidden: this.output.forward(context, hidden), probs };
  }
}

/** The feed-forward expansion: dense (hidden → intermediate) then the config's activation. */
export class BertIntermediate extends Module {
  readonly dense: Linear;
  private readonly activation: Activation;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    this.dense = new Linear(config.hiddenSize, config.intermediateSize, weightInit(config, options));
    this.activation = ACTIVATIONS[config.hiddenAct];
  }

  forward(hidden: Tensor): Tensor {
    return this.activation(this.dense.forward(hidden));     // (batch, seq, intermediateSize)
  }
}

export class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertResidualOutput;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    this.attention = new BertAttention(config, options);
    this.intermediate = new BertIntermediate(config, options);
    this.output = new BertResidualOutput(config, config.intermediateSize, options);
  }

  forward(hidden: Tensor, mask: Tensor | null, outputAttentions = false): { hidden: Tensor; probs?: Tensor } {
    const attended = this.attention.forward(hidden, mask, outputAttentions);
    return { hidden: this.output.forward(this.intermediate.forward(attended.hidden), attended.hidden), probs: attended.probs };
  }
}

export class BertEncoder extends Module {
  readonly layer: BertLayer[];

  constructor(readonly config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    this.layer = Array.from({ length: config.numHiddenLayers }, () => new BertLayer(config, options));
  }

  /** embedded: (batch, seq, hiddenSize); mask: additive (batch, 1, 1, seq) or null. */
  forward(embedded: Tensor, mask: Tensor | null, options: { outputHiddenStates?: boolean; outputAttentions?: boolean } = {}): EncoderOutput {
    let hidden = embedded;
    const hiddenStates: Tensor[] = [];
    const attentions: Tensor[] = [];
    for (const layer of this.layer) {
      if (options.outputHiddenStates) hiddenStates.push(hidden);
      const out = layer.forward(hidden, mask, options.outputAttentions);
      hidden = out.hidden;
      if (out.probs) attentions.push(out.probs);
    }
    if (options.outputHiddenStates) hiddenStates.push(hidden);
    return {
      lastHiddenState: hidden,
      hiddenStates: options.outputHiddenStates ? hiddenStates : undefined,
      attentions: options.outputAttentions ? attentions : undefined,
    };
  }
}

/** tanh(dense(h[:, 0])): the first token's vector for sequence-level heads. */
export class BertPooler extends Module {
  readonly dense: Linear;

  constructor(config: BertConfig, options: ModelBuildOptions = {}) {
    super();
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, weightInit(config, options));
  }

  /** (batch, seq, hidden) → (batch, hidden). */
  forward(hidden: Tensor): Tensor {
    return this.dense.forward(hidden.narrow(1, 0, 1).squeeze(1)).tanh();
  }
}
