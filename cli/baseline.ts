// Runs the naive-Bayes baseline on the same split and the same first bytes the model sees.
import type { Example } from './data/dataset.js';
import { classificationMetrics, type ClassificationMetrics } from './metrics.js';
import { fitNaiveBayes, predictNaiveBayes } from './naive-bayes.js';

/** The first `byteCount` UTF-8 bytes of `text`, decoded back (a cut character becomes U+FFFD). */
export function firstBytes(text: string, byteCount: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= byteCount ? text : bytes.subarray(0, byteCount).toString('utf8');
}

export interface BaselineResult {
  name: string;
  trainCount: number;
  test: ClassificationMetrics;
  validation: ClassificationMetrics;
  seconds: number;
}

/**
 * Fits naive Bayes on `train` and scores `validation` and `test`, each email cut to the
 * `seqLen - 2` bytes the transformer sees after [CLS] and before [SEP].
 */
export function runNaiveBayesBaseline(train: readonly Example[], validation: readonly Example[], test: readonly Example[], seqLen: number, classNames: readonly string[]): BaselineResult {
  const start = performance.now();
  const byteCount = Math.max(0, seqLen - 2);
  const model = fitNaiveBayes(train.map((example) => firstBytes(example.text, byteCount)), train.map((example) => example.label), classNames.length);
  const score = (examples: readonly Example[]) => classificationMetrics(
    examples.map((example) => example.label),
    examples.map((example) => predictNaiveBayes(model, firstBytes(example.text, byteCount))),
    classNames,
  );
  return {
    name: `multinomial naive Bayes on words of the first ${byteCount} bytes`,
    trainCount: train.length,
    validation: score(validation),
    test: score(test),
    seconds: (performance.now() - start) / 1000,
  };
}
