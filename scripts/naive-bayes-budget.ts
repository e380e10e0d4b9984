// The naive-Bayes baseline at a labelled budget: fitted on the same --limit training documents
// that `lsgrad train --limit N` fine-tunes on (lsgrad train's own baseline always learns from the
// whole training split), reading the text of the first seq-len − 2 tokens, scored on the test part.
//   npx tsx scripts/naive-bayes-budget.ts --data out/data/sotu-era.jsonl --tokenizer out/data/sotu-era-words/tokenizer.json --seq-len 128 --limits 200,1000,0
import { parseProgramArgs } from '../cli/args.js';
import { runNaiveBayesBaseline } from '../cli/baseline.js';
import { dataSpecOf, loadDataset } from '../cli/data/dataset.js';
import { loadTokenizer } from '../cli/data/tokenizers.js';
import { formatMetrics } from '../cli/metrics.js';
import { DATA_FLAGS, TRAIN_FLAGS } from '../cli/train-flags.js';

const flags = parseProgramArgs('scripts/naive-bayes-budget.ts', 'Fits naive Bayes on --limits training documents each and scores the test part, as lsgrad train --limit would see them.', {
  ...DATA_FLAGS,
  tokenizer: TRAIN_FLAGS.tokenizer,
  seqLen: TRAIN_FLAGS.seqLen,
  limits: { kind: 'ints', default: [200, 1000, 0], min: 0, help: 'training documents for each fit, spread evenly over the split as --limit spreads them (0 = all)' },
});
const spec = dataSpecOf(flags);
const tokenizer = loadTokenizer(flags.tokenizer);
for (const limit of flags.limits) {
  const { train, validation, test, labels } = loadDataset(spec, { train: limit, validation: 0, test: 0 });
  const result = runNaiveBayesBaseline(train, validation, test, flags.seqLen, labels, tokenizer);
  process.stdout.write(`${train.length} training documents: ${result.name}: test ${formatMetrics(result.test)}\n`);
}
