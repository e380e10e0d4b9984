// What `lsgrad eval --errors` adds to the metrics: accuracy per group (the corpus group of the
// spam corpus, the true class otherwise), and every document the model got wrong with the
// probability it gave its wrong answer and its subject (or first line), most confident mistakes
// first. The groups differ a lot (easy ham against hard ham), and the mistakes show which cues
// the model trusts.
import type { Example } from './data/dataset.js';
import { subjectOf } from './data/mail.js';
import { argmax } from './evaluate.js';

export interface GroupAccuracy {
  group: string;
  count: number;
  correct: number;
  accuracy: number;
}

export interface Misclassified {
  key: string;
  group: string;
  /** The true class. */
  label: string;
  /** The class the model chose, and the probability it gave it. */
  predicted: string;
  probability: number;
  bytes: number;
  /** The Subject header of an email, else the document's first line (at most 120 characters). */
  subject: string;
}

export interface ErrorReport {
  groups: GroupAccuracy[];
  errors: Misclassified[];
}

function headline(text: string): string {
  const subject = subjectOf(text);
  return (subject !== '' ? subject : text.trimStart().split('\n', 1)[0]!).slice(0, 120);
}

/**
 * Per-group accuracy (groups in first-seen order) and the misclassified documents, the most
 * confident mistakes first.
 * @param probabilities (documents, classes): the class probabilities of each document
 * @example errorReport(examples, scored.probabilities, ['ham', 'spam']).errors[0]?.subject
 */
export function errorReport(examples: readonly Example[], probabilities: ArrayLike<number>, labels: readonly string[]): ErrorReport {
  const classes = labels.length;
  if (examples.length * classes !== probabilities.length) {
    throw new Error(`errorReport: ${examples.length} documents × ${classes} classes but ${probabilities.length} probabilities; expected one per document and class`);
  }
  const groups = new Map<string, GroupAccuracy>();
  const errors: Misclassified[] = [];
  examples.forEach((example, index) => {
    const row = Array.prototype.slice.call(probabilities, index * classes, (index + 1) * classes) as number[];
    const predicted = argmax(row);
    const right = predicted === example.label;
    const group = groups.get(example.group) ?? { group: example.group, count: 0, correct: 0, accuracy: 0 };
    group.count++;
    if (right) group.correct++;
    groups.set(example.group, group);
    if (!right) {
      errors.push({
        key: example.key, group: example.group, label: labels[example.label]!, predicted: labels[predicted]!, probability: row[predicted]!,
        bytes: new TextEncoder().encode(example.text).length, subject: headline(example.text),
      });
    }
  });
  for (const group of groups.values()) group.accuracy = group.correct / group.count;
  errors.sort((a, b) => b.probability - a.probability || a.key.localeCompare(b.key));
  return { groups: [...groups.values()], errors };
}

/** The report as text lines for a terminal. */
export function formatErrorReport(report: ErrorReport): string {
  const width = Math.max(12, ...report.groups.map((g) => g.group.length));
  const lines = report.groups.map((g) => `  ${g.group.padEnd(width)} ${(100 * g.accuracy).toFixed(1).padStart(5)}%  (${g.correct}/${g.count})`);
  lines.unshift('accuracy by group:');
  lines.push(`misclassified (${report.errors.length}, most confident first): P(predicted), true label → predicted, key, bytes, subject or first line`);
  for (const e of report.errors) {
    lines.push(`  ${e.probability.toFixed(3)}  ${`${e.label} → ${e.predicted}`.padEnd(12)}  ${e.key.padEnd(16)} ${String(e.bytes).padStart(6)}  ${e.subject.slice(0, 70)}`);
  }
  return lines.join('\n');
}
