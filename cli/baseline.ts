// Runs the naive-Bayes baseline on the same split and the same text the model sees: its first
// bytes, or the text of its first tokens with a tokenizer.
import type { Example } from './data/dataset.js';
import { encodeForModel, type TextTokenizer } from './data/tokenizers.js';
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
 * The text of the first `tokenCount` tokens of `text` (special tokens and [UNK] dropped), as the
 * tokenizer decodes them: what a model with that tokenizer reads of it.
 */
export function firstTokensText(tokenizer: TextTokenizer, text: string, tokenCount: number): string {
  return tokenizer.decode(encodeForModel(tokenizer, text, tokenCount + 2).inputIds);
}

/**
 * Fits naive Bayes on `train` and scores `validation` and `test`, each document cut to what the
 * transformer reads between [CLS] and [SEP]: its first `seqLen - 2` bytes with the byte tokenizer
 * (the default), else the text of its first `seqLen - 2` tokens; a word tokenizer's 126 tokens
 * cover about five times the text of 126 bytes, and the baseline must not read less than the model.
 */
export function runNaiveBayesBaseline(train: readonly Example[], validation: readonly Example[], test: readonly Example[], seqLen: number, classNames: readonly string[], tokenizer?: TextTokenizer): BaselineResult {
  const start = performance.now();
  const count = Math.max(0, seqLen - 2);
  const readsBytes = tokenizer === undefined || tokenizer.kind === 'bytes';
  const visible = readsBytes
    ? (text: string) => firstBytes(text, count)
    : (text: string) => firstTokensText(tokenizer, text, count);
  const model = fitNaiveBayes(train.map((example) => visible(example.text)), train.map((example) => example.label), classNames.length);
  const score = (examples: readonly Example[]) => classificationMetrics(
    examples.map((example) => example.label),
    examples.map((example) => predictNaiveBayes(model, visible(example.text))),
    classNames,
  );
  return {
    name: `multinomial naive Bayes on words of the first ${count} ${readsBytes ? 'bytes' : 'tokens'}`,
    trainCount: train.length,
    validation: score(validation),
    test: score(test),
    seconds: (performance.now() - start) / 1000,
  };
}
