// A classical baseline: multinomial naive Bayes over lower-cased words, with add-one (Laplace)
// smoothing. It sees the same first bytes of each email as the transformer, so the two numbers
// are comparable.

/** Lower-cased runs of letters, digits and a few mail-ish characters ($ ! ' -). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!'-]+/g) ?? [];
}

export interface NaiveBayesModel {
  /** log P(class), by class id. */
  logPrior: number[];
  /** log P(word | class) by class id, for words seen in training. */
  logLikelihood: Map<string, Float64Array>;
}

/**
 * Fits multinomial naive Bayes with add-`smoothing` counts; `labels` are class ids 0 … classes − 1.
 * @example predictNaiveBayes(fitNaiveBayes(['win cash now', 'meeting at noon'], [1, 0]), 'cash')  // 1
 */
export function fitNaiveBayes(texts: readonly string[], labels: ArrayLike<number>, classes = Math.max(2, ...Array.from(labels, (label) => label + 1)), smoothing = 1): NaiveBayesModel {
  if (texts.length !== labels.length || texts.length === 0) {
    throw new Error(`fitNaiveBayes: ${texts.length} texts and ${labels.length} labels; expected equal, non-zero lengths`);
  }
  if (!(smoothing > 0)) throw new Error(`fitNaiveBayes: smoothing ${smoothing} is invalid; expected a positive number`);
  const counts = new Map<string, Float64Array>();
  const documents = new Float64Array(classes);
  const totalWords = new Float64Array(classes);
  texts.forEach((text, index) => {
    const label = labels[index]!;
    if (!(Number.isInteger(label) && label >= 0 && label < classes)) throw new Error(`fitNaiveBayes: label ${label} at index ${index} is invalid; expected a class id 0 to ${classes - 1}`);
    documents[label] = documents[label]! + 1;
    for (const word of words(text)) {
      let perClass = counts.get(word);
      if (!perClass) counts.set(word, (perClass = new Float64Array(classes)));
      perClass[label] = perClass[label]! + 1;
      totalWords[label] = totalWords[label]! + 1;
    }
  });
  const vocabularySize = counts.size;
  const denominator = Array.from(totalWords, (total) => Math.log(total + smoothing * vocabularySize));
  const logLikelihood = new Map<string, Float64Array>();
  for (const [word, perClass] of counts) {
    logLikelihood.set(word, perClass.map((count, label) => Math.log(count + smoothing) - denominator[label]!));
  }
  // NOTE: a class with no training document gets log 0 = -Infinity: it is never predicted.
  return { logPrior: Array.from(documents, (count) => Math.log(count / texts.length)), logLikelihood };
}

/** The class with the largest log-posterior (the lowest id on a tie). Words never seen in training are skipped. */
export function predictNaiveBayes(model: NaiveBayesModel, text: string): number {
  const scores = [...model.logPrior];
  for (const word of words(text)) {
    const perClass = model.logLikelihood.get(word);
    if (!perClass) continue; // NOTE: unseen words carry no evidence (as scikit-learn's vocabulary does)
    for (let label = 0; label < scores.length; label++) scores[label]! += perClass[label]!;
  }
  let best = 0;
  for (let label = 1; label < scores.length; label++) if (scores[label]! > scores[best]!) best = label;
  return best;
}
