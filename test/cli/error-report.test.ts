import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Email } from '../../cli/data/corpus.js';
import { errorReport, formatErrorReport } from '../../cli/error-report.js';

const email = (key: string, label: 0 | 1, text: string): Email =>
  ({ key, group: key.split('/')[0]!, checksum: '0', text, label, split: 'test' });

test('errorReport counts accuracy per group and lists the mistakes, most confident first', () => {
  const emails = [
    email('spam-1/1', 1, 'Subject: win\n\nx'), email('spam-1/2', 1, 'Subject: cash\n\nx'),
    email('easy-ham-1/1', 0, 'Subject: lunch\n\nx'), email('easy-ham-1/2', 0, 'Subject: réunion\n\nx'),
    email('spam-1/3', 1, 'Subject: prize\n\nx'),
  ];
  const spam = [0.9, 0.3, 0.2, 0.5001, 0.01];
  const report = errorReport(emails, spam.flatMap((p) => [1 - p, p]), ['ham', 'spam']);
  assert.equal(report.groups.map((g) => [g.group, g.correct, g.count]), [['spam-1', 1, 3], ['easy-ham-1', 1, 2]]);
  assert.is(report.groups[0]!.accuracy, 1 / 3);
  assert.equal(report.errors.map((e) => [e.key, e.label, e.predicted]), [['spam-1/3', 'spam', 'ham'], ['spam-1/2', 'spam', 'ham'], ['easy-ham-1/2', 'ham', 'spam']]);
  assert.ok(Math.abs(report.errors[0]!.probability - 0.99) < 1e-12);
  assert.is(report.errors[2]!.subject, 'réunion');
  assert.is(report.errors[2]!.bytes, 20); // UTF-8 bytes, é is two
  const text = formatErrorReport(report);
  assert.match(text, /spam-1 +33\.3% +\(1\/3\)/);
  assert.match(text, /0\.990 +spam → ham +spam-1\/3 +\d+ +prize/);
  assert.throws(() => errorReport(emails, [0.5], ['ham', 'spam']), /5 documents × 2 classes but 1 probabilities/);
  // Not an email: the first line stands in for the subject.
  assert.is(errorReport([{ key: 'a.txt', group: 'b', text: '\nFirst line\nsecond', label: 0 }], [0.2, 0.1, 0.7], ['b', 'c', 'd']).errors[0]!.subject, 'First line');
});

test.run();
