import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { binaryMetrics, formatMetrics } from '../../cli/metrics.js';
import { fitNaiveBayes, predictNaiveBayes, words } from '../../cli/naive-bayes.js';
import { firstBytes, runNaiveBayesBaseline } from '../../cli/baseline.js';
import { loadCorpus, splitEmails } from '../../cli/data/corpus.js';

test('binaryMetrics on a hand-checked case', () => {
  // labels:      1 1 1 0 0
  // predictions: 1 0 1 1 0  → TP 2, FN 1, FP 1, TN 1
  const metrics = binaryMetrics([1, 1, 1, 0, 0], [1, 0, 1, 1, 0]);
  assert.equal(metrics.confusion, { truePositive: 2, falsePositive: 1, trueNegative: 1, falseNegative: 1 });
  assert.is(metrics.accuracy, 3 / 5);
  assert.is(metrics.precision, 2 / 3);
  assert.is(metrics.recall, 2 / 3);
  assert.ok(Math.abs(metrics.f1 - 2 / 3) < 1e-12);
  assert.match(formatMetrics(metrics), /acc 60\.00%/);
});

test('binaryMetrics: no predicted spam gives precision 0, not NaN', () => {
  const metrics = binaryMetrics([1, 0], [0, 0]);
  assert.is(metrics.precision, 0);
  assert.is(metrics.f1, 0);
  assert.throws(() => binaryMetrics([1], [1, 0]), /1 labels but 2 predictions/);
  assert.throws(() => binaryMetrics([2], [1]), /expected 0 or 1/);
});

test('naive Bayes learns a toy vocabulary', () => {
  assert.equal(words("Win $100 NOW! don't"), ['win', '$100', 'now!', "don't"]);
  const model = fitNaiveBayes(['win cash now', 'cash prize win', 'meeting at noon', 'lunch meeting notes'], [1, 1, 0, 0]);
  assert.is(predictNaiveBayes(model, 'win a prize'), 1);
  assert.is(predictNaiveBayes(model, 'notes from the meeting'), 0);
  assert.throws(() => fitNaiveBayes(['a'], [1, 0]), /1 texts and 2 labels/);
});

test('firstBytes cuts at a byte count', () => {
  assert.is(firstBytes('abcdef', 3), 'abc');
  assert.is(firstBytes('ab', 10), 'ab');
});

test('naive-Bayes baseline on the real split is well above the majority class', () => {
  const corpus = loadCorpus();
  const result = runNaiveBayesBaseline(splitEmails(corpus, 'train', 1000), splitEmails(corpus, 'validation'), splitEmails(corpus, 'test'), 1024);
  assert.ok(result.test.accuracy > 0.85, `accuracy ${result.test.accuracy}`);
  assert.is(result.test.count, 632);
});

test.run();
