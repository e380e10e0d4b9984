/**
 * ALBERT self-attention sublayer: query/key/value projections, the attention kernel (a
 * constructor argument, dense by default), the output projection `dense`, dropout, and
 * LayerNorm(hidden + projected) with the residual, as HuggingFace's AlbertAttention.
 */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LayerNorm } from '../layernorm.js';
import { Dropout } from '../dropout.js';
import { multiHeadSelfAttention } from '../encoder/self-attention.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import { denseAttentionFunction, type AttentionFunction } from './attention-function.js';

export class AlbertAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly dense: Linear;
  readonly layerNorm: LayerNorm;
  readonly outputDropout: Dropout;
  private readonly attentionFunction: AttentionFunction;
  private readonly options: ModelBuildOptions;

  constructor(readonly config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    const init = weightInit(config, options);
    this.query = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.key = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.value = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.dense = new Linear(config.hiddenSize, config.hiddenSize, init);
    this.layerNorm = new LayerNorm(config.hiddenSize, { ...init, eps: config.layerNormEps });
    this.outputDropout = new Dropout(config.hiddenDropoutProb, { rng: options.dropoutRng });
    // Dense by default (HuggingFace's eager attention); LSG passes its kernel, so nn never imports lsg.
    this.attentionFunction = options.attention ?? denseAttentionFunction;
    this.options = options;
  }

  protected override stateNames(): Record<string, string> {
    return { layerNorm: 'LayerNorm' };
  }

  /**
   * hidden: (batch, seq, hiddenSize); mask: additive (batch, 1, 1, seq) or null.
   * Returns the new hidden states and, when asked and the kernel provides them, the probabilities.
   */
  forward(hidden: Tensor, mask: Tensor | null, outputAttentions = false): { hidden: Tensor; probs?: Tensor } {
    const { context: merged, probs } = multiHeadSelfAttention(hidden, this, this.config.numAttentionHeads, this.attentionFunction, mask, {
      training: this.training,
      dropoutProb: this.config.attentionProbsDropoutProb,
      rng: this.options.dropoutRng,
      outputAttentions,
    });                                                                   // (batch, seq, hiddenSize)
    const projected = this.outputDropout.forward(this.dense.forward(merged));    // (batch, seq, hiddenSize)
    return { hidden: this.layerNorm.forward(hidden.add(projected)), probs };       // post-LayerNorm residual
  }
}
