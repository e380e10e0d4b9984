import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { classificationMetrics, formatClassReport, formatMetrics } from '../../cli/metrics.js';
import { fitNaiveBayes, predictNaiveBayes, words } from '../../cli/naive-bayes.js';
import { firstBytes, firstTokensText, runNaiveBayesBaseline } from '../../cli/baseline.js';
import { loadCorpus, splitEmails } from '../../cli/data/corpus.js';
import { loadTokenizer } from '../../cli/data/tokenizers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORDPIECE } from '../helpers/tokenizer-fixtures.js';

test('two classes: the headline figures are class 1\'s, on a hand-checked case', () => {
  // labels:      1 1 1 0 0
  // predictions: 1 0 1 1 0  → TP 2, FN 1, FP 1, TN 1
  const metrics = classificationMetrics([1, 1, 1, 0, 0], [1, 0, 1, 1, 0], ['ham', 'spam']);
  assert.equal(metrics.confusion, [[1, 1], [1, 2]]);
  assert.is(metrics.accuracy, 3 / 5);
  assert.is(metrics.precision, 2 / 3);
  assert.is(metrics.recall, 2 / 3);
  assert.ok(Math.abs(metrics.f1 - 2 / 3) < 1e-12);
  assert.equal(metrics.perClass.map((entry) => [entry.label, entry.precision, entry.recall, entry.support]), [['ham', 0.5, 0.5, 2], ['spam', 2 / 3, 2 / 3, 3]]);
  assert.match(formatMetrics(metrics), /^acc 60\.00% · P 66\.67% · R 66\.67%/);
});

test('three classes: per-class, macro averages and the confusion matrix', () => {
  // true:      a a a b b c
  // predicted: a b a b c c
  const metrics = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 1, 0, 1, 2, 2], ['a', 'b', 'c']);
  assert.equal(metrics.confusion, [[2, 1, 0], [0, 1, 1], [0, 0, 1]]);
  const [a, b, c] = metrics.perClass;
  assert.equal([a!.precision, a!.recall, b!.precision, b!.recall, c!.precision, c!.recall], [1, 2 / 3, 0.5, 0.5, 0.5, 1]);
  assert.ok(Math.abs(metrics.macro.recall - (2 / 3 + 0.5 + 1) / 3) < 1e-12);
  assert.is(metrics.recall, metrics.macro.recall);
  assert.match(formatMetrics(metrics), /macro P .* macro F1/);
  assert.match(formatClassReport(metrics), /confusion \(rows: true class, columns: predicted\)\n +a +b +c\na +2 +1 +0/);
});

test('no predicted positives gives precision 0, not NaN; bad input is refused', () => {
  const metrics = classificationMetrics([1, 0], [0, 0], ['ham', 'spam']);
  assert.is(metrics.precision, 0);
  assert.is(metrics.f1, 0);
  assert.throws(() => classificationMetrics([1], [1, 0], ['ham', 'spam']), /1 labels but 2 predictions/);
  assert.throws(() => classificationMetrics([2], [1], ['ham', 'spam']), /expected class ids 0 to 1/);
});

test('naive Bayes learns a toy vocabulary', () => {
  assert.equal(words("Win $100 NOW! don't"), ['win', '$100', 'now!', "don't"]);
  const model = fitNaiveBayes(['win cash now', 'cash prize win', 'meeting at noon', 'lunch meeting notes'], [1, 1, 0, 0]);
  assert.is(predictNaiveBayes(model, 'win a prize'), 1);
  assert.is(predictNaiveBayes(model, 'notes from the meeting'), 0);
  assert.throws(() => fitNaiveBayes(['a'], [1, 0]), /1 texts and 2 labels/);
  const three = fitNaiveBayes(['goal match team', 'vote party election', 'stock market shares', 'team wins match'], [0, 1, 2, 0], 3);
  assert.equal(['the election vote', 'market news', 'a late goal'].map((text) => predictNaiveBayes(three, text)), [1, 2, 0]);
});

test('firstBytes cuts at a byte count', () => {
  assert.is(firstBytes('abcdef', 3), 'abc');
  assert.is(firstBytes('ab', 10), 'ab');
});

test('with a word tokenizer the baseline reads the text of the first seq-len − 2 tokens, not as many bytes', () => {
  const folder = mkdtempSync(join(tmpdir(), 'lsgrad-baseline-'));
  writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(WORDPIECE.json));
  const tokenizer = loadTokenizer(folder);
  assert.is(firstTokensText(tokenizer, 'Goal match team vote party', 3), 'goal match team');
  // The word that decides the label is past the first 4 bytes but within the first 4 tokens: a byte
  // cut would hide it from the baseline.
  const examples = (texts: string[]) => texts.map((text, index) => ({ key: String(index), group: String(index % 2), text, label: index % 2 }));
  const train = examples(['goal match stock', 'goal match vote', 'goal match stock', 'goal match vote']);
  const test = examples(['goal match stock', 'goal match vote']);
  const byWords = runNaiveBayesBaseline(train, test, test, 6, ['a', 'b'], tokenizer);
  assert.is(byWords.name, 'multinomial naive Bayes on words of the first 4 tokens');
  assert.is(byWords.test.accuracy, 1);
  const byBytes = runNaiveBayesBaseline(train, test, test, 6, ['a', 'b']);
  assert.is(byBytes.name, 'multinomial naive Bayes on words of the first 4 bytes');
  assert.is(byBytes.test.accuracy, 0.5);
});

test('naive-Bayes baseline on the real split is well above the majority class', () => {
  const corpus = loadCorpus();
  const result = runNaiveBayesBaseline(splitEmails(corpus, 'train', 1000), splitEmails(corpus, 'validation'), splitEmails(corpus, 'test'), 1024, ['ham', 'spam']);
  assert.ok(result.test.accuracy > 0.85, `accuracy ${result.test.accuracy}`);
  assert.is(result.test.count, 632);
});

test.run();
