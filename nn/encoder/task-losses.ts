/**
 * The losses and input reshaping of HuggingFace's task heads, shared by ALBERT, BERT and RoBERTa
 * (their heads differ in layers and names, not in how they score).
 */
import { Tensor, tensor } from '../../engine/index.js';
import { argumentError } from '../../engine/errors.js';
import { crossEntropy, mse, bceWithLogits } from '../losses.js';
import type { ProblemType } from '../albert/config.js';

/** What the classification losses read from a config. */
export interface ClassificationSettings {
  readonly problemType: ProblemType | null;
  readonly numLabels: number;
}

/** HuggingFace's rule when `problem_type` is unset: 1 label → regression; integer labels → single-label. */
export function inferProblemType(config: ClassificationSettings, labels: Tensor): ProblemType {
  if (config.problemType !== null) return config.problemType;
  if (config.numLabels === 1) return 'regression';
  return labels.dtype === 'int32' ? 'single_label_classification' : 'multi_label_classification';
}

/**
 * The loss of sequence-classifier logits (batch, numLabels) for the config's problem type:
 * mean squared error, cross entropy or binary cross entropy, as HuggingFace.
 * @example sequenceClassificationLoss(config, logits, tensor([2, 0], { dtype: 'int32' }))
 */
export function sequenceClassificationLoss(config: ClassificationSettings, logits: Tensor, labels: Tensor): Tensor {
  const { numLabels } = config;
  switch (inferProblemType(config, labels)) {
    case 'regression':
      return numLabels === 1 ? mse(logits.reshape([-1]), labels.cast(logits.dtype).reshape([-1])) : mse(logits, labels.cast(logits.dtype));
    case 'single_label_classification':
      return crossEntropy(logits.reshape([-1, numLabels]), labels.reshape([-1]));
    case 'multi_label_classification':
      return bceWithLogits(logits, labels.cast(logits.dtype));
  }
}

/** Mean cross entropy over the positions whose label is not -100 (masked LM, token classification). */
export function tokenLoss(logits: Tensor, labels: Tensor): Tensor {
  const classes = logits.shape[logits.rank - 1]!;
  return crossEntropy(logits.reshape([-1, classes]), labels.reshape([-1]), { ignoreIndex: -100 });
}

/** Positions outside [0, seq] are clamped to seq and then ignored, as HuggingFace does. */
function clampPositions(positions: Tensor, seqLength: number): Tensor {
  const values = Int32Array.from(positions.reshape([-1]).toTypedArray() as ArrayLike<number>, (p) => Math.min(Math.max(p, 0), seqLength));
  return tensor(values, { shape: [values.length], dtype: 'int32' });
}

/**
 * Splits `qa_outputs` logits (batch, seq, 2) into start and end logits (batch, seq) and, with
 * both position tensors, scores them: the mean of the start and end cross entropies.
 */
export function questionAnsweringOutputs(logits: Tensor, startPositions?: Tensor, endPositions?: Tensor): { startLogits: Tensor; endLogits: Tensor; loss?: Tensor } {
  if (logits.shape[logits.rank - 1] !== 2) {
    // HuggingFace splits qa_outputs into exactly two columns; more labels fail there at run time.
    throw argumentError('questionAnsweringOutputs', 'logits.shape', logits.shape, '[batch, seq, 2]: question answering needs numLabels 2 (start, end)');
  }
  const seqLength = logits.shape[1]!;
  const startLogits = logits.narrow(-1, 0, 1).squeeze(-1);     // (batch, seq)
  const endLogits = logits.narrow(-1, 1, 1).squeeze(-1);
  if (!startPositions || !endPositions) return { startLogits, endLogits };
  const options = { ignoreIndex: seqLength };
  const startLoss = crossEntropy(startLogits, clampPositions(startPositions, seqLength), options);
  const endLoss = crossEntropy(endLogits, clampPositions(endPositions, seqLength), options);
  return { startLogits, endLogits, loss: startLoss.add(endLoss).div(2) };
}

/** The per-sequence inputs of a multiple-choice batch. */
export interface ChoiceInputs {
  inputIds: Tensor;
  attentionMask?: Tensor;
  tokenTypeIds?: Tensor;
  positionIds?: Tensor;
}

/**
 * Multiple-choice inputs (batch, numChoices, seq) flattened to (batch · numChoices, seq), so every
 * choice is encoded as its own sequence; returns the flat inputs and the two leading sizes.
 */
export function flattenChoices<T extends ChoiceInputs>(owner: string, inputs: T): { flat: T; batch: number; numChoices: number } {
  if (inputs.inputIds.rank !== 3) {
    throw argumentError(`${owner}.forward`, 'inputIds.shape', inputs.inputIds.shape, '[batch, numChoices, seq]');
  }
  const [batch, numChoices, seqLength] = inputs.inputIds.shape as [number, number, number];
  const flat = (x: Tensor | undefined) => x?.reshape([batch * numChoices, seqLength]);
  return {
    flat: {
      ...inputs,
      inputIds: flat(inputs.inputIds)!,
      attentionMask: flat(inputs.attentionMask),
      tokenTypeIds: flat(inputs.tokenTypeIds),
      positionIds: inputs.positionIds?.rank === 3 ? flat(inputs.positionIds) : inputs.positionIds,
    },
    batch,
    numChoices,
  };
}
