// Scores a classifier on an encoded set: batched forward passes without gradients, in eval mode;
// and one document at a time, for `lsgrad predict` and the browser demo.
import { noGrad, tensor, type Tensor } from '../engine/index.js';
import { gatherRows, type EncodedSet } from './data/batches.js';
import { encodeForModel, type TextTokenizer } from './data/text-tokenizer.js';
import { classificationMetrics, type ClassificationMetrics } from './metrics.js';
import type { Replicas } from './replicas.js';

export interface Scored {
  metrics: ClassificationMetrics;
  /** (count, classes): the class probabilities of each document, in set order. */
  probabilities: Float64Array;
  /** The predicted class of each document: the most probable one. */
  predictions: Int32Array;
  seconds: number;
  /** CPU seconds (user + system); see TrainerState.trainCpuSeconds. */
  cpuSeconds: number;
}

/** The decision rule everywhere (scoring, predict, error reports): spam when P(spam) > 0.5. */
export function predictsSpam(spamProbability: number): boolean {
  return spamProbability > 0.5;
}

/**
 * Softmax of one row of logits, computed from its largest entry so that no exp overflows.
 * @example softmax([0, Math.log(3)])  // [0.25, 0.75]
 */
export function softmax(logits: ArrayLike<number>): number[] {
  let largest = -Infinity;
  for (let i = 0; i < logits.length; i++) largest = Math.max(largest, logits[i]!);
  const exps = Array.from(logits, (logit) => Math.exp(logit - largest));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

/** The index of the largest entry (the first on a tie). */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Softmax of two logits, as P(class 1). */
export function spamProbability(hamLogit: number, spamLogit: number): number {
  return 1 / (1 + Math.exp(hamLogit - spamLogit));
}

export interface EmailVerdict {
  readonly label: 'spam' | 'ham';
  readonly spamProbability: number;
  /** Tokens of the email the model read (bytes, for the byte tokenizer): at most seqLen minus [CLS] and [SEP]. */
  readonly tokensUsed: number;
}

/** The class probabilities of one document under a model, and how many of its tokens the model read. */
export interface Verdict {
  /** The most probable class. */
  readonly label: string;
  /** By class name, in class-id order. */
  readonly probabilities: Record<string, number>;
  /** Tokens of the document the model read: at most seqLen minus [CLS] and [SEP]. */
  readonly tokensUsed: number;
}

/**
 * Classifies one document (its first seqLen − 2 tokens under the model's tokenizer, framed as
 * encodeForModel frames every row of training) with a model's forward pass.
 * @example classifyDocument((ids, mask) => model.forward({ inputIds: ids, attentionMask: mask }).logits, text, 4096, ['neg', 'pos'], tokenizer).label
 */
export function classifyDocument(forward: (inputIds: Tensor, attentionMask: Tensor) => Tensor, text: string | Uint8Array, seqLen: number, labels: readonly string[], tokenizer: TextTokenizer): Verdict {
  const encoded = encodeForModel(tokenizer, text, seqLen);
  // One document needs no padding: only its real tokens are computed.
  const shape = [1, encoded.length];
  const logits = noGrad(() => forward(
    tensor(encoded.inputIds.subarray(0, encoded.length), { shape, dtype: 'int32' }),
    tensor(encoded.attentionMask.subarray(0, encoded.length), { shape, dtype: 'int32' }),
  ).toTypedArray());
  if (logits.length !== labels.length) throw new Error(`classifyDocument: the model gave ${logits.length} logits for ${labels.length} labels; expected one per label`);
  const probabilities = softmax(logits);
  return {
    label: labels[argmax(probabilities)]!,
    probabilities: Object.fromEntries(labels.map((name, id) => [name, probabilities[id]!])),
    tokensUsed: encoded.length - 2,
  };
}

/**
 * Classifies one raw email (its first seqLen − 2 tokens) with a spam model's forward pass.
 * @example classifyOne((ids, mask) => model.forward({ inputIds: ids, attentionMask: mask }).logits, text, 4096, tokenizer).label
 */
export function classifyOne(forward: (inputIds: Tensor, attentionMask: Tensor) => Tensor, email: string | Uint8Array, seqLen: number, tokenizer: TextTokenizer): EmailVerdict {
  const verdict = classifyDocument(forward, email, seqLen, ['ham', 'spam'], tokenizer);
  const probability = verdict.probabilities.spam!;
  return { label: predictsSpam(probability) ? 'spam' : 'ham', spamProbability: probability, tokensUsed: verdict.tokensUsed };
}

/**
 * Predicts every document of `set` in batches of `batchSize` and returns the class metrics.
 * Documents are batched in order of length, so that a batch carries almost no padding.
 * @example scoreSet(replicas, testSet, 8).metrics.accuracy
 */
export async function scoreSet(replicas: Replicas, set: EncodedSet, batchSize: number): Promise<Scored> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const classifier = replicas.classifier;
  const module = classifier.module;
  const classes = classifier.labels.length;
  const wasTraining = module.training;
  module.eval();
  const probabilities = new Float64Array(set.count * classes);
  const predictions = new Int32Array(set.count);
  try {
    const byLength = Array.from({ length: set.count }, (_, row) => row).sort((a, b) => set.lengths[a]! - set.lengths[b]! || a - b);
    const batches: number[][] = [];
    for (let first = 0; first < set.count; first += batchSize) batches.push(byLength.slice(first, first + batchSize));
    const logits = await replicas.logits(batches.map((rows) => gatherRows(set, rows)));
    batches.forEach((rows, index) => {
      const values = logits[index]!; // (rows, classes)
      rows.forEach((row, position) => {
        const rowProbabilities = softmax(values.subarray(position * classes, (position + 1) * classes));
        probabilities.set(rowProbabilities, row * classes);
        predictions[row] = argmax(rowProbabilities);
      });
    });
  } finally {
    module.train(wasTraining);
  }
  const cpu = process.cpuUsage(startCpu);
  return {
    metrics: classificationMetrics(set.labels, predictions, classifier.labels),
    probabilities, predictions, seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** The probabilities of class `id` for every document of a scored set (P(spam) for the spam corpus). */
export function classProbabilities(scored: Scored, id: number): Float64Array {
  const classes = scored.probabilities.length / scored.predictions.length;
  return Float64Array.from(scored.predictions, (_, row) => scored.probabilities[row * classes + id]!);
}
