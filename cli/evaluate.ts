// Scores a classifier on an encoded set: batched forward passes without gradients, in eval mode.
import { noGrad, tensor } from '../engine/index.js';
import { gatherRows, type EncodedSet } from './data/batches.js';
import { binaryMetrics, type BinaryMetrics } from './metrics.js';
import type { SpamClassifier } from './model.js';

export interface Scored {
  metrics: BinaryMetrics;
  /** P(spam) per email, in set order. */
  spamProbabilities: Float64Array;
  seconds: number;
  /** CPU seconds (user + system); see TrainerState.trainCpuSeconds. */
  cpuSeconds: number;
}

/** Softmax of two logits, as P(class 1). */
export function spamProbability(hamLogit: number, spamLogit: number): number {
  return 1 / (1 + Math.exp(hamLogit - spamLogit));
}

/**
 * Predicts every email of `set` in batches of `batchSize` and returns spam-class metrics.
 * Emails are batched in order of length, so that a batch carries almost no padding.
 * @example scoreSet(classifier, testSet, 8).metrics.accuracy
 */
export function scoreSet(classifier: SpamClassifier, set: EncodedSet, batchSize: number): Scored {
  const start = performance.now();
  const startCpu = process.cpuUsage();
  const wasTraining = classifier.module.training;
  classifier.module.eval();
  const spamProbabilities = new Float64Array(set.count);
  try {
    noGrad(() => {
      const byLength = Array.from({ length: set.count }, (_, row) => row).sort((a, b) => set.lengths[a]! - set.lengths[b]! || a - b);
      for (let first = 0; first < set.count; first += batchSize) {
        const rows = byLength.slice(first, first + batchSize);
        const batch = gatherRows(set, rows);
        const shape = [rows.length, batch.width];
        const { logits } = classifier.forward(
          tensor(batch.inputIds, { shape, dtype: 'int32' }),
          tensor(batch.attentionMask, { shape, dtype: 'int32' }),
        );
        const values = logits.toTypedArray(); // (batch, 2)
        rows.forEach((row, position) => { spamProbabilities[row] = spamProbability(values[2 * position]!, values[2 * position + 1]!); });
      }
    });
  } finally {
    classifier.module.train(wasTraining);
  }
  const predictions = Array.from(spamProbabilities, (probability) => (probability > 0.5 ? 1 : 0));
  const cpu = process.cpuUsage(startCpu);
  return { metrics: binaryMetrics(set.labels, predictions), spamProbabilities, seconds: (performance.now() - start) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
