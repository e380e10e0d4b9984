/**
 * One ALBERT layer (attention sublayer, then feed-forward `ffn` → activation → `ffn_output`,
 * residual and `full_layer_layer_norm`) and a layer group (`innerGroupNum` layers in a row).
 */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { ACTIVATIONS, type Activation } from '../activations.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import { AlbertAttention } from './attention.js';

export class AlbertLayer extends Module {
  readonly fullLayerLayerNorm: LayerNorm;
  readonly attention: AlbertAttention;
  readonly ffn: Linear;
  readonly ffnOutput: Linear;
  readonly dropout: Dropout;
  private readonly activation: Activation;

  constructor(readonly config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.fullLayerLayerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.attention = new AlbertAttention(config, options);
    this.ffn = new Linear(config.hiddenSize, config.intermediateSize, init);
    this.ffnOutput = new Linear(config.intermediateSize, config.hiddenSize, init);
    this.dropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
    this.activation = ACTIVATIONS[config.hiddenAct];
  }

  forward(hidden: Tensor, mask: Tensor | null, outputAttentions = false): { hidden: Tensor; probs?: Tensor } {
    const attended = this.attention.forward(hidden, mask, outputAttentions);                      // (batch, seq, hiddenSize)
    const expanded = this.activation(this.ffn.forward(attended.hidden));                           // (batch, seq, intermediateSize)
    const feedForward = this.ffnOutput.forward(expanded);                                          // (batch, seq, hiddenSize)
    // NOTE: HuggingFace defines AlbertLayer.dropout but never applies it in forward; so do we.
    return { hidden: this.fullLayerLayerNorm.forward(feedForward.add(attended.hidden)), probs: attended.probs };
  }
}

export class AlbertLayerGroup extends Module {
  readonly albertLayers: AlbertLayer[];

  constructor(readonly config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    this.albertLayers = Array.from({ length: config.innerGroupNum }, () => new AlbertLayer(config, options));
  }

  forward(hidden: Tensor, mask: Tensor | null, outputAttentions = false): { hidden: Tensor; attentions: Tensor[] } {
    const attentions: Tensor[] = [];
    let current = hidden;
    for (const layer of this.albertLayers) {
      const out = layer.forward(current, mask, outputAttentions);
      current = out.hidden;
      if (out.probs) attentions.push(out.probs);
    }
    return { hidden: current, attentions };
  }
}
