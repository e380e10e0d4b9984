// Runs the naive-Bayes baseline on the same split and the same first bytes the model sees.
import { type Email } from './data/corpus.js';
import { binaryMetrics, type BinaryMetrics } from './metrics.js';
import { fitNaiveBayes, predictNaiveBayes } from './naive-bayes.js';

/** The first `byteCount` UTF-8 bytes of `text`, decoded back (a cut character becomes U+FFFD). */
export function firstBytes(text: string, byteCount: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= byteCount ? text : bytes.subarray(0, byteCount).toString('utf8');
}

export interface BaselineResult {
  name: string;
  trainCount: number;
  test: BinaryMetrics;
  validation: BinaryMetrics;
  seconds: number;
}

/**
 * Fits naive Bayes on `train` and scores `validation` and `test`, each email cut to the
 * `seqLen - 2` bytes the transformer sees after [CLS] and before [SEP].
 */
export function runNaiveBayesBaseline(train: readonly Email[], validation: readonly Email[], test: readonly Email[], seqLen: number): BaselineResult {
  const start = performance.now();
  const byteCount = Math.max(0, seqLen - 2);
  const model = fitNaiveBayes(train.map((email) => firstBytes(email.text, byteCount)), train.map((email) => email.label));
  const score = (emails: readonly Email[]) => binaryMetrics(
    emails.map((email) => email.label),
    emails.map((email) => predictNaiveBayes(model, firstBytes(email.text, byteCount))),
  );
  return {
    name: `multinomial naive Bayes on words of the first ${byteCount} bytes`,
    trainCount: train.length,
    validation: score(validation),
    test: score(test),
    seconds: (performance.now() - start) / 1000,
  };
}
