/**
 * The forward math of the task heads ALBERT, BERT and RoBERTa share: which encoder output a head
 * reads, its layers' order, its loss, and the outputs it returns. The families differ in their
 * sub-model and their state-dict names, not in these steps, so each head class calls one of these.
 */
import type { Tensor } from '../../engine/index.js';
import type { Linear } from '../linear.js';
import type { Dropout } from '../dropout.js';
import { crossEntropy } from '../losses.js';
import type { AlbertModelOutput } from '../albert/model.js';
import { sequenceClassificationLoss, tokenLoss, questionAnsweringOutputs, flattenChoices, type ChoiceInputs, type ClassificationSettings } from './task-losses.js';

/** What every task model returns: its logits, its loss when labels are given, and the sub-model's outputs. */
export interface ModelOutput {
  loss?: Tensor;
  logits: Tensor;
  lastHiddenState?: Tensor;
  pooledOutput?: Tensor;
  hiddenStates?: Tensor[];
  attentions?: Tensor[];
}

/** Dropout then a linear layer: the sequence, token and multiple-choice classifiers. */
export interface DropoutClassifier {
  readonly dropout: Dropout;
  readonly classifier: Linear;
}

/**
 * A head's own outputs followed by the sub-model's; `pooledOutput` only where the sub-model has a
 * pooler (the heads that read the last hidden state are built without one).
 */
export function withEncoderOutputs<T extends { loss?: Tensor; logits: Tensor }>(head: T, out: AlbertModelOutput): T & ModelOutput {
  const pooled = out.pooledOutput === undefined ? {} : { pooledOutput: out.pooledOutput };
  return { ...head, lastHiddenState: out.lastHiddenState, ...pooled, hiddenStates: out.hiddenStates, attentions: out.attentions };
}

/** Pooled output → dropout → classifier: logits (batch, numLabels); loss by the config's problem type. */
export function classifyPooled(head: DropoutClassifier, out: AlbertModelOutput, settings: ClassificationSettings, labels?: Tensor): ModelOutput {
  const logits = head.classifier.forward(head.dropout.forward(out.pooledOutput!));      // (batch, numLabels)
  const loss = labels ? sequenceClassificationLoss(settings, logits, labels) : undefined;
  return withEncoderOutputs({ loss, logits }, out);
}

/** Last hidden state → dropout → classifier: logits (batch, seq, numLabels); cross entropy over labels != -100. */
export function classifyTokens(head: DropoutClassifier, out: AlbertModelOutput, labels?: Tensor): ModelOutput {
  const logits = head.classifier.forward(head.dropout.forward(out.lastHiddenState));    // (batch, seq, numLabels)
  const loss = labels ? tokenLoss(logits, labels) : undefined;
  return withEncoderOutputs({ loss, logits }, out);
}

/** Vocabulary logits (batch, seq, vocab) from a masked-LM head; cross entropy over labels != -100. */
export function maskedLmOutputs(logits: Tensor, out: AlbertModelOutput, labels?: Tensor): ModelOutput {
  const loss = labels ? tokenLoss(logits, labels) : undefined;
  return withEncoderOutputs({ loss, logits }, out);
}

/**
 * The pre-training loss: masked LM plus a two-way sentence-pair task on the pooled output (BERT's
 * next-sentence prediction, ALBERT's sentence order); undefined unless both labels are given.
 */
export function preTrainingLoss(logits: Tensor, labels: Tensor | undefined, pairLogits: Tensor, pairLabels: Tensor | undefined): Tensor | undefined {
  if (!labels || !pairLabels) return undefined;
  const pairLoss = crossEntropy(pairLogits.reshape([-1, 2]), pairLabels.reshape([-1]));
  return tokenLoss(logits, labels).add(pairLoss);
}

/** `qa_outputs` on every token → start and end logits (batch, seq); the loss is the mean of their cross entropies. */
export function answerSpans(qaOutputs: Linear, out: AlbertModelOutput, startPositions?: Tensor, endPositions?: Tensor): ModelOutput & { startLogits: Tensor; endLogits: Tensor } {
  const logits = qaOutputs.forward(out.lastHiddenState);                                // (batch, seq, numLabels)
  const { startLogits, endLogits, loss } = questionAnsweringOutputs(logits, startPositions, endPositions);
  return withEncoderOutputs({ loss, logits, startLogits, endLogits }, out);
}

/**
 * Inputs (batch, numChoices, seq): every choice encoded as its own sequence, scored from its pooled
 * output by a 1-unit classifier; logits (batch, numChoices), cross entropy against the right choice.
 */
export function scoreChoices<T extends ChoiceInputs & { labels?: Tensor }>(
  owner: string, inputs: T, encode: (flat: T) => AlbertModelOutput, head: DropoutClassifier,
): ModelOutput {
  const { flat, batch, numChoices } = flattenChoices(owner, inputs);                    // (batch · numChoices, seq)
  const out = encode(flat);
  const logits = head.classifier.forward(head.dropout.forward(out.pooledOutput!)).reshape([batch, numChoices]);
  const loss = inputs.labels ? crossEntropy(logits, inputs.labels) : undefined;
  return withEncoderOutputs({ loss, logits }, out);
}
