// Classification metrics: accuracy, precision, recall and F1 per class and macro-averaged, and the
// confusion matrix. With two classes the headline precision / recall / F1 are those of class 1
// (spam in the built-in corpus), as scikit-learn's binary average reports them; with more, they
// are the macro averages.

export interface ClassMetrics {
  label: string;
  /** Of the documents predicted as this class, the fraction that are (0 when none was predicted). */
  precision: number;
  /** Of the documents of this class, the fraction predicted as it (0 when there are none). */
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
  /** Documents of this class. */
  support: number;
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  /** Two classes: class 1's; more: the macro average. */
  precision: number;
  recall: number;
  f1: number;
  /** Unweighted means over the classes. */
  macro: { precision: number; recall: number; f1: number };
  perClass: ClassMetrics[];
  /** confusion[true class][predicted class]: document counts. */
  confusion: number[][];
}

/**
 * Metrics of `predictions` against `labels` (class ids into `classNames`).
 * @example classificationMetrics([1, 0, 1], [1, 1, 1], ['ham', 'spam']).precision  // 2/3
 */
export function classificationMetrics(labels: ArrayLike<number>, predictions: ArrayLike<number>, classNames: readonly string[]): ClassificationMetrics {
  if (labels.length !== predictions.length) {
    throw new Error(`classificationMetrics: ${labels.length} labels but ${predictions.length} predictions; expected equal lengths`);
  }
  const classes = classNames.length;
  if (classes < 2) throw new Error(`classificationMetrics: classNames has ${classes} entries; expected two or more`);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!, predicted = predictions[i]!;
    if (!(Number.isInteger(label) && label >= 0 && label < classes) || !(Number.isInteger(predicted) && predicted >= 0 && predicted < classes)) {
      throw new Error(`classificationMetrics: index ${i} has label ${label} and prediction ${predicted}; expected class ids 0 to ${classes - 1}`);
    }
    confusion[label]![predicted]!++;
    if (label === predicted) correct++;
  }
  const perClass = classNames.map((name, id) => {
    const truePositive = confusion[id]![id]!;
    const predictedAs = confusion.reduce((total, row) => total + row[id]!, 0);
    const support = confusion[id]!.reduce((total, value) => total + value, 0);
    const precision = predictedAs > 0 ? truePositive / predictedAs : 0;
    const recall = support > 0 ? truePositive / support : 0;
    return { label: name, precision, recall, f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((total, entry) => total + entry[key], 0) / classes;
  const macro = { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') };
  const headline = classes === 2 ? perClass[1]! : macro;
  return {
    count: labels.length,
    accuracy: labels.length > 0 ? correct / labels.length : 0,
    precision: headline.precision,
    recall: headline.recall,
    f1: headline.f1,
    macro,
    perClass,
    confusion,
  };
}

const percent = (value: number) => `${(100 * value).toFixed(2)}%`;

/**
 * One line for logs: `acc 97.15% · P 96.00% · R 95.17% · F1 95.58% (n=632)`; with more than two
 * classes the P, R and F1 are macro averages and say so.
 */
export function formatMetrics(metrics: ClassificationMetrics): string {
  const macro = metrics.perClass.length > 2 ? 'macro ' : '';
  return `acc ${percent(metrics.accuracy)} · ${macro}P ${percent(metrics.precision)} · ${macro}R ${percent(metrics.recall)} · ${macro}F1 ${percent(metrics.f1)} (n=${metrics.count})`;
}

/** Per-class precision, recall, F1 and support, then the confusion matrix (rows: true class). */
export function formatClassReport(metrics: ClassificationMetrics): string {
  const names = metrics.perClass.map((entry) => entry.label);
  const width = Math.max(9, ...names.map((name) => name.length)) + 2;
  const lines = [`${'class'.padEnd(width)}precision  recall     F1         support`];
  for (const entry of metrics.perClass) {
    lines.push(`${entry.label.padEnd(width)}${percent(entry.precision).padEnd(11)}${percent(entry.recall).padEnd(11)}${percent(entry.f1).padEnd(11)}${entry.support}`);
  }
  lines.push(`${'macro avg'.padEnd(width)}${percent(metrics.macro.precision).padEnd(11)}${percent(metrics.macro.recall).padEnd(11)}${percent(metrics.macro.f1).padEnd(11)}${metrics.count}`);
  const cell = Math.max(6, ...names.map((name) => name.length)) + 1;
  lines.push('', `confusion (rows: true class, columns: predicted)`, `${''.padEnd(width)}${names.map((name) => name.padStart(cell)).join('')}`);
  metrics.confusion.forEach((row, id) => lines.push(`${names[id]!.padEnd(width)}${row.map((count) => String(count).padStart(cell)).join('')}`));
  return lines.join('\n');
}
