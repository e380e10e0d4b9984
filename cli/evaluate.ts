// Scores a classifier on an encoded set: batched forward passes without gradients, in eval mode;
// and one email at a time, for `lsgrad predict` and the browser demo.
import { noGrad, tensor, type Tensor } from '../engine/index.js';
import { gatherRows, type EncodedSet } from './data/batches.js';
import { encodeBytes } from './data/tokenizer.js';
import { binaryMetrics, type BinaryMetrics } from './metrics.js';
import type { Replicas } from './replicas.js';

export interface Scored {
  metrics: BinaryMetrics;
  /** P(spam) per email, in set order. */
  spamProbabilities: Float64Array;
  seconds: number;
  /** CPU seconds (user + system); see TrainerState.trainCpuSeconds. */
  cpuSeconds: number;
}

/** The decision rule everywhere (scoring, predict, error reports): spam when P(spam) > 0.5. */
export function predictsSpam(spamProbability: number): boolean {
  return spamProbability > 0.5;
}

/** Softmax of two logits, as P(class 1). */
export function spamProbability(hamLogit: number, spamLogit: number): number {
  return 1 / (1 + Math.exp(hamLogit - spamLogit));
}

export interface EmailVerdict {
  readonly label: 'spam' | 'ham';
  readonly spamProbability: number;
  /** Bytes of the email the model read: at most seqLen minus [CLS] and [SEP]. */
  readonly bytesUsed: number;
}

/**
 * Classifies one raw email (its first seqLen − 2 bytes) with a model's forward pass.
 * @example classifyOne((ids, mask) => model.forward({ inputIds: ids, attentionMask: mask }).logits, text, 4096).label
 */
export function classifyOne(forward: (inputIds: Tensor, attentionMask: Tensor) => Tensor, email: string | Uint8Array, seqLen: number): EmailVerdict {
  const encoded = encodeBytes(email, seqLen);
  // One email needs no padding: only its real tokens are computed.
  const shape = [1, encoded.length];
  const logits = noGrad(() => forward(
    tensor(encoded.inputIds.subarray(0, encoded.length), { shape, dtype: 'int32' }),
    tensor(encoded.attentionMask.subarray(0, encoded.length), { shape, dtype: 'int32' }),
  ).toTypedArray());
  const probability = spamProbability(logits[0]!, logits[1]!);
  return { label: predictsSpam(probability) ? 'spam' : 'ham', spamProbability: probability, bytesUsed: encoded.length - 2 };
}

/**
 * Predicts every email of `set` in batches of `batchSize` and returns spam-class metrics.
 * Emails are batched in order of length, so that a batch carries almost no padding.
 * @example scoreSet(classifier, testSet, 8).metrics.accuracy
 */
export async function scoreSet(replicas: Replicas, set: EncodedSet, batchSize: number): Promise<Scored> {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const module = replicas.classifier.module;
  const wasTraining = module.training;
  module.eval();
  const spamProbabilities = new Float64Array(set.count);
  try {
    const byLength = Array.from({ length: set.count }, (_, row) => row).sort((a, b) => set.lengths[a]! - set.lengths[b]! || a - b);
    const batches: number[][] = [];
    for (let first = 0; first < set.count; first += batchSize) batches.push(byLength.slice(first, first + batchSize));
    const logits = await replicas.logits(batches.map((rows) => gatherRows(set, rows)));
    batches.forEach((rows, index) => {
      const values = logits[index]!; // (rows, 2)
      rows.forEach((row, position) => { spamProbabilities[row] = spamProbability(values[2 * position]!, values[2 * position + 1]!); });
    });
  } finally {
    module.train(wasTraining);
  }
  const predictions = Array.from(spamProbabilities, (probability) => (predictsSpam(probability) ? 1 : 0));
  const cpu = process.cpuUsage(startCpu);
  return { metrics: binaryMetrics(set.labels, predictions), spamProbabilities, seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
