// What `lsgrad eval --errors` adds to the metrics: accuracy per corpus group, and every email the
// model got wrong with its P(spam) and subject, most confident mistakes first. The groups differ
// a lot (easy ham against hard ham), and the mistakes show which cues the model trusts.
import type { Email } from './data/corpus.js';
import { subjectOf } from './data/mail.js';
import { predictsSpam } from './evaluate.js';

export interface GroupAccuracy {
  group: string;
  count: number;
  correct: number;
  accuracy: number;
}

export interface Misclassified {
  key: string;
  group: string;
  label: 'spam' | 'ham';
  spamProbability: number;
  bytes: number;
  subject: string;
}

export interface ErrorReport {
  groups: GroupAccuracy[];
  errors: Misclassified[];
}

/**
 * Per-group accuracy (groups in first-seen order) and the misclassified emails, the most
 * confident mistakes first.
 * @example errorReport(emails, scored.spamProbabilities).errors[0]?.subject
 */
export function errorReport(emails: readonly Email[], spamProbabilities: ArrayLike<number>): ErrorReport {
  if (emails.length !== spamProbabilities.length) {
    throw new Error(`errorReport: ${emails.length} emails but ${spamProbabilities.length} probabilities; expected equal lengths`);
  }
  const groups = new Map<string, GroupAccuracy>();
  const errors: Misclassified[] = [];
  emails.forEach((email, index) => {
    const probability = spamProbabilities[index]!;
    const right = predictsSpam(probability) === (email.label === 1);
    const group = groups.get(email.group) ?? { group: email.group, count: 0, correct: 0, accuracy: 0 };
    group.count++;
    if (right) group.correct++;
    groups.set(email.group, group);
    if (!right) {
      errors.push({
        key: email.key, group: email.group, label: email.label === 1 ? 'spam' : 'ham', spamProbability: probability,
        bytes: new TextEncoder().encode(email.text).length, subject: subjectOf(email.text),
      });
    }
  });
  for (const group of groups.values()) group.accuracy = group.correct / group.count;
  const confidence = (error: Misclassified) => Math.abs(error.spamProbability - 0.5);
  errors.sort((a, b) => confidence(b) - confidence(a) || a.key.localeCompare(b.key));
  return { groups: [...groups.values()], errors };
}

/** The report as text lines for a terminal. */
export function formatErrorReport(report: ErrorReport): string {
  const lines = report.groups.map((g) => `  ${g.group.padEnd(12)} ${(100 * g.accuracy).toFixed(1).padStart(5)}%  (${g.correct}/${g.count})`);
  lines.unshift('accuracy by group:');
  lines.push(`misclassified (${report.errors.length}, most confident first): P(spam), true label, key, bytes, subject`);
  for (const e of report.errors) {
    lines.push(`  ${e.spamProbability.toFixed(3)}  ${e.label.padEnd(4)}  ${e.key.padEnd(16)} ${String(e.bytes).padStart(6)}  ${e.subject.slice(0, 70)}`);
  }
  return lines.join('\n');
}
