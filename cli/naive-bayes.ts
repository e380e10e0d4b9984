// A classical baseline: multinomial naive Bayes over lower-cased words, with add-one (Laplace)
// smoothing. It sees the same first bytes of each email as the transformer, so the two numbers
// are comparable.

/** Lower-cased runs of letters, digits and a few mail-ish characters ($ ! ' -). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!'-]+/g) ?? [];
}

export interface NaiveBayesModel {
  /** log P(class) for ham (0) and spam (1). */
  logPrior: [number, number];
  /** log P(word | class) for words seen in training. */
  logLikelihood: Map<string, [number, number]>;
}

/**
 * Fits multinomial naive Bayes with add-`smoothing` counts.
 * @example predictNaiveBayes(fitNaiveBayes(['win cash now', 'meeting at noon'], [1, 0]), 'cash')  // 1
 */
export function fitNaiveBayes(texts: readonly string[], labels: ArrayLike<number>, smoothing = 1): NaiveBayesModel {
  if (texts.length !== labels.length || texts.length === 0) {
    throw new Error(`fitNaiveBayes: ${texts.length} texts and ${labels.length} labels; expected equal, non-zero lengths`);
  }
  if (!(smoothing > 0)) throw new Error(`fitNaiveBayes: smoothing ${smoothing} is invalid; expected a positive number`);
  const counts = new Map<string, [number, number]>();
  const documents: [number, number] = [0, 0];
  const totalWords: [number, number] = [0, 0];
  texts.forEach((text, index) => {
    const label = labels[index] === 1 ? 1 : 0;
    documents[label]++;
    for (const word of words(text)) {
      let pair = counts.get(word);
      if (!pair) counts.set(word, (pair = [0, 0]));
      pair[label]++;
      totalWords[label]++;
    }
  });
  const vocabularySize = counts.size;
  const denominator = [Math.log(totalWords[0] + smoothing * vocabularySize), Math.log(totalWords[1] + smoothing * vocabularySize)] as const;
  const logLikelihood = new Map<string, [number, number]>();
  for (const [word, [ham, spam]] of counts) {
    logLikelihood.set(word, [Math.log(ham + smoothing) - denominator[0], Math.log(spam + smoothing) - denominator[1]]);
  }
  return {
    logPrior: [Math.log(documents[0] / texts.length), Math.log(documents[1] / texts.length)],
    logLikelihood,
  };
}

/** 1 (spam) when the spam log-posterior is larger. Words never seen in training are skipped. */
export function predictNaiveBayes(model: NaiveBayesModel, text: string): 0 | 1 {
  let ham = model.logPrior[0];
  let spam = model.logPrior[1];
  for (const word of words(text)) {
    const pair = model.logLikelihood.get(word);
    if (!pair) continue; // NOTE: unseen words carry no evidence (as scikit-learn's vocabulary does)
    ham += pair[0];
    spam += pair[1];
  }
  return spam > ham ? 1 : 0;
}
