/** Extractive question answering: start and end logits per token. */
import { Tensor, tensor } from '../../engine/index.js';
import { Linear } from '../linear.js';
import { crossEntropy } from '../losses.js';
import type { AlbertConfig } from './config.js';
import type { ModelBuildOptions } from './build-options.js';
import type { AlbertInputs } from './model.js';
import type { ModelOutput } from './masked-lm.js';
import { AlbertTaskModel } from './task-base.js';

/** Positions outside [0, seq] are clamped to seq and then ignored, as HuggingFace does. */
function clampPositions(positions: Tensor, seqLength: number): Tensor {
  const values = Int32Array.from(positions.reshape([-1]).toTypedArray() as ArrayLike<number>, (p) => Math.min(Math.max(p, 0), seqLength));
  return tensor(values, { shape: [values.length], dtype: 'int32' });
}

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
    this.qaOutputs = new Linear(config.hiddenSize, config.numLabels, { rng: this.buildOptions.rng, dtype: this.buildOptions.dtype, std: config.initializerRange });
  }

  /** startPositions, endPositions: (batch) int32 token indices. */
  forward(inputs: AlbertInputs & { startPositions?: Tensor; endPositions?: Tensor }): ModelOutput & { startLogits: Tensor; endLogits: Tensor } {
    const out = this.albert.forward(inputs);
    const logits = this.qaOutputs.forward(out.lastHiddenState); // (batch, seq, numLabels)
    const seqLength = logits.shape[1]!;
    const startLogits = logits.narrow(-1, 0, 1).squeeze(-1);     // (batch, seq)
    const endLogits = logits.narrow(-1, 1, 1).squeeze(-1);
    let loss: Tensor | undefined;
    if (inputs.startPositions && inputs.endPositions) {
      const options = { ignoreIndex: seqLength };
      const startLoss = crossEntropy(startLogits, clampPositions(inputs.startPositions, seqLength), options);
      const endLoss = crossEntropy(endLogits, clampPositions(inputs.endPositions, seqLength), options);
      loss = startLoss.add(endLoss).div(2);
    }
    return { loss, logits, startLogits, endLogits, lastHiddenState: out.lastHiddenState, hiddenStates: out.hiddenStates, attentions: out.attentions };
  }
}
