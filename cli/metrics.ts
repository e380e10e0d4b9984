// Binary classification metrics with spam (label 1) as the positive class.

export interface BinaryMetrics {
  count: number;
  accuracy: number;
  /** Of the emails called spam, the fraction that are spam (0 when nothing was called spam). */
  precision: number;
  /** Of the spam emails, the fraction called spam (0 when there is no spam). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number };
}

/**
 * Accuracy, precision, recall and F1 of the spam class.
 * @example binaryMetrics([1, 0, 1], [1, 1, 1]).precision  // 2/3
 */
export function binaryMetrics(labels: ArrayLike<number>, predictions: ArrayLike<number>): BinaryMetrics {
  if (labels.length !== predictions.length) {
    throw new Error(`binaryMetrics: ${labels.length} labels but ${predictions.length} predictions; expected equal lengths`);
  }
  let truePositive = 0, falsePositive = 0, trueNegative = 0, falseNegative = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i], predicted = predictions[i];
    if ((label !== 0 && label !== 1) || (predicted !== 0 && predicted !== 1)) {
      throw new Error(`binaryMetrics: index ${i} has label ${label} and prediction ${predicted}; expected 0 or 1`);
    }
    if (label === 1) predicted === 1 ? truePositive++ : falseNegative++;
    else predicted === 1 ? falsePositive++ : trueNegative++;
  }
  const count = labels.length;
  const precision = truePositive + falsePositive > 0 ? truePositive / (truePositive + falsePositive) : 0;
  const recall = truePositive + falseNegative > 0 ? truePositive / (truePositive + falseNegative) : 0;
  return {
    count,
    accuracy: count > 0 ? (truePositive + trueNegative) / count : 0,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    confusion: { truePositive, falsePositive, trueNegative, falseNegative },
  };
}

/** One line for logs: `acc 97.15% · P 96.00% · R 95.17% · F1 95.58% (n=632)`. */
export function formatMetrics(metrics: BinaryMetrics): string {
  const percent = (value: number) => `${(100 * value).toFixed(2)}%`;
  return `acc ${percent(metrics.accuracy)} · P ${percent(metrics.precision)} · R ${percent(metrics.recall)} · F1 ${percent(metrics.f1)} (n=${metrics.count})`;
}
