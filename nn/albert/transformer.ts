/**
 * ALBERT's encoder: `embedding_hidden_mapping_in` (embeddingSize → hiddenSize), then
 * `numHiddenLayers` applications of `numHiddenGroups` shared layer groups.
 */
import { Tensor } from '../../engine/index.js';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import { AlbertLayerGroup } from './layer.js';

export interface EncoderOutput {
  lastHiddenState: Tensor;        // (batch, seq, hiddenSize)
  /** The input to each application of a group plus the final output, when asked for. */
  hiddenStates?: Tensor[];
  attentions?: Tensor[];
}

/**
 * The group used at depth `layerIndex`, with HuggingFace's arithmetic:
 * int(layerIndex / (numHiddenLayers / numHiddenGroups)), in floating point then truncated.
 * @example
 *   groupIndexForLayer(3, 12, 4); // 1
 */
export function groupIndexForLayer(layerIndex: number, numHiddenLayers: number, numHiddenGroups: number): number {
  return Math.trunc(layerIndex / (numHiddenLayers / numHiddenGroups));
}

export class AlbertTransformer extends Module {
  readonly embeddingHiddenMappingIn: Linear;
  readonly albertLayerGroups: AlbertLayerGroup[];

  constructor(readonly config: AlbertConfig, options: ModelBuildOptions = {}) {
    super();
    this.embeddingHiddenMappingIn = new Linear(config.embeddingSize, config.hiddenSize, weightInit(config, options));
    this.albertLayerGroups = Array.from({ length: config.numHiddenGroups }, () => new AlbertLayerGroup(config, options));
  }

  /** embedded: (batch, seq, embeddingSize); mask: additive (batch, 1, 1, seq) or null. */
  forward(embedded: Tensor, mask: Tensor | null, options: { outputHiddenStates?: boolean; outputAttentions?: boolean } = {}): EncoderOutput {
    const { numHiddenLayers, numHiddenGroups } = this.config;
    // ALBERT's factorised embedding: tables at embeddingSize, projected once to hiddenSize.
    let hidden = this.embeddingHiddenMappingIn.forward(embedded);                  // (batch, seq, hiddenSize)
    const hiddenStates: Tensor[] = [];
    const attentions: Tensor[] = [];
    for (let layerIndex = 0; layerIndex < numHiddenLayers; layerIndex++) {
      if (options.outputHiddenStates) hiddenStates.push(hidden);
      // Cross-layer sharing: depth layerIndex reuses group ⌊layerIndex / (layers / groups)⌋'s weights.
      const group = this.albertLayerGroups[groupIndexForLayer(layerIndex, numHiddenLayers, numHiddenGroups)]!;
      const out = group.forward(hidden, mask, options.outputAttentions);
      hidden = out.hidden;
      attentions.push(...out.attentions);
    }
    if (options.outputHiddenStates) hiddenStates.push(hidden);
    return {
      lastHiddenState: hidden,
      hiddenStates: options.outputHiddenStates ? hiddenStates : undefined,
      attentions: options.outputAttentions ? attentions : undefined,
    };
  }
}
