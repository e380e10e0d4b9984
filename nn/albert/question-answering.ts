/** Extractive question answering: start and end logits per token. */
import { Tensor } from '../../engine/index.js';
import { Linear } from '../linear.js';
import { answerSpans, type ModelOutput } from '../encoder/task-heads.js';
import type { AlbertConfig } from './config.js';
import { weightInit, type ModelBuildOptions } from './build-options.js';
import type { AlbertInputs } from './model.js';
import { AlbertTaskModel } from './task-base.js';

/**
 * `qa_outputs` maps each token to (start, end) logits; the loss is the mean of the start and end
 * cross entropies.
 * @example
 *   const { startLogits, endLogits } = model.forward({ inputIds });
 */
export class AlbertForQuestionAnswering extends AlbertTaskModel {
  static override readonly hfClassName: string = 'AlbertForQuestionAnswering';
  readonly qaOutputs: Linear;

  constructor(config: AlbertConfig, options: ModelBuildOptions = {}) {
    super(config, options, false);
    this.qaOutputs = new Linear(config.hiddenSize, config.numLabels, weightInit(config, this.buildOptions));
  }

  /** startPositions, endPositions: (batch) int32 token indices. */
  forward(inputs: AlbertInputs & { startPositions?: Tensor; endPositions?: Tensor }): ModelOutput & { startLogits: Tensor; endLogits: Tensor } {
    return answerSpans(this.qaOutputs, this.albert.forward(inputs), inputs.startPositions, inputs.endPositions);
  }
}
