// `lsgrad eval DIR`: scores a checkpoint (or the latest checkpoint of a run) on a part of the data
// it was trained on, or on a labelled file (--data).
import { formatHelp, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { encodeSet } from './data/batches.js';
import { SPLIT_NAMES } from './data/corpus.js';
import { BUILT_IN_DATASET, SPAM_LABELS, dataSpecOf, loadDataset, loadLabelledFile, type DataSpec, type Example } from './data/dataset.js';
import { dataError } from './data/readers.js';
import { bodyOf } from './data/mail.js';
import { errorReport, formatErrorReport } from './error-report.js';
import { scoreSet } from './evaluate.js';
import { Replicas } from './replicas.js';
import { formatClassReport, formatMetrics } from './metrics.js';
import { loadClassifier, selectBackend, type TextClassifier } from './model.js';
import { resolveCheckpoint } from './run-state.js';
import { BACKENDS, GPUJS_MODE_FLAG } from './train-flags.js';

const EVAL_FLAGS = {
  data: { kind: 'string', placeholder: 'PATH', help: 'labelled documents to score (.jsonl, .csv/.tsv, label folders, or spam-assassin); default: the data the model was trained on' },
  textField: { kind: 'string', placeholder: 'NAME', help: 'the field or column holding the text (default: as in training, else text)' },
  labelField: { kind: 'string', placeholder: 'NAME', help: 'the field or column holding the label (default: as in training, else label)' },
  split: { kind: 'choice', choices: [...SPLIT_NAMES, 'all'], default: 'test', help: 'which part of the data to score; with --data PATH, the whole file unless --split is given' },
  limit: { kind: 'int', default: 0, min: 0, help: 'score this many documents, spread over the part (0 = all)' },
  seqLen: { kind: 'int', default: 0, min: 0, help: 'tokens per document (0 = the length the model was trained with)' },
  batchSize: { kind: 'int', default: 8, min: 1, help: 'documents per forward pass' },
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
  threads: { kind: 'int', default: 2, min: 1, max: 64, help: 'model replicas (worker threads) scoring shares of the data (cpu backend)' },
  skipHeaders: { kind: 'bool', default: false, help: 'read each email from its body on (header block cut off): how much does the model rely on headers?' },
  errors: { kind: 'bool', default: false, help: 'also print accuracy per group (corpus group, or true class) and every misclassified document' },
  json: { kind: 'bool', default: false, help: 'print the metrics as JSON on stdout (with --errors: groups and errors too)' },
} as const satisfies FlagSpecs;

const DESCRIPTION = `Scores a checkpoint (DIR, or the latest checkpoint of the run in DIR): by default on the test part
of the data it was trained on (the same fixed split), or on a labelled file given with --data.
Prints accuracy, precision, recall and F1 (of class 1 with two classes, macro-averaged with more),
per-class figures and the confusion matrix.`;

/** The model's own data (checkpoints from before datasets existed learned the spam corpus). */
function trainedData(classifier: TextClassifier): DataSpec {
  return classifier.data ?? { data: BUILT_IN_DATASET, textField: 'text', labelField: 'label' };
}

/** Examples relabelled with the model's class ids; a class the model does not know is an error. */
function asModelClasses(examples: readonly Example[], labels: readonly string[], modelLabels: readonly string[]): Example[] {
  const ids = labels.map((name) => modelLabels.indexOf(name));
  return examples.map((example) => {
    const id = ids[example.label]!;
    if (id < 0) throw dataError(example.key, `label "${labels[example.label]}" is not a class of the model; expected one of ${modelLabels.join(', ')}`);
    return { ...example, label: id };
  });
}

/** The documents to score, as the model's classes. */
function examplesToScore(classifier: TextClassifier, flags: { data?: string; textField?: string; labelField?: string; split: string; limit: number }, splitGiven: boolean): { examples: Example[]; described: string } {
  const trained = trainedData(classifier);
  const fields = { textField: flags.textField ?? (flags.data === undefined ? trained.textField : 'text'), labelField: flags.labelField ?? (flags.data === undefined ? trained.labelField : 'label') };
  const spec: DataSpec = flags.data === undefined ? { ...trained, ...fields } : dataSpecOf({ data: flags.data, ...fields });
  const wholeFile = flags.data !== undefined && flags.data !== BUILT_IN_DATASET && !splitGiven;
  const split = wholeFile ? 'all' : flags.split;
  if (split === 'all' && spec.data !== BUILT_IN_DATASET && spec.validation === undefined && spec.test === undefined) {
    const examples = loadLabelledFile(spec.data, spec, classifier.labels);
    return { examples: limitTo(examples, flags.limit), described: `${spec.data} (all)` };
  }
  const dataset = loadDataset(spec, { train: 0, validation: 0, test: 0 });
  const labels = spec.data === BUILT_IN_DATASET ? SPAM_LABELS : dataset.labels;
  const parts = split === 'all' ? [...dataset.train, ...dataset.validation, ...dataset.test] : dataset[split as 'train' | 'validation' | 'test'];
  return { examples: limitTo(asModelClasses(parts, labels, classifier.labels), flags.limit), described: `${spec.data === BUILT_IN_DATASET ? BUILT_IN_DATASET : spec.data} ${split}` };
}

function limitTo(examples: Example[], limit: number): Example[] {
  if (limit <= 0 || limit >= examples.length) return examples;
  return Array.from({ length: limit }, (_, i) => examples[Math.floor((i * examples.length) / limit)]!);
}

export async function runEval(argv: string[]): Promise<void> {
  const parsed = parseArgs('lsgrad eval', EVAL_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(formatHelp('lsgrad eval DIR [options]', DESCRIPTION, EVAL_FLAGS) + '\n');
    return;
  }
  const [directory, ...extra] = parsed.positionals;
  if (directory === undefined || extra.length > 0) {
    throw new UsageError(`lsgrad eval: expected exactly one DIR, got ${parsed.positionals.length} arguments (see lsgrad eval --help)`);
  }
  const flags = parsed.flags;
  const checkpoint = resolveCheckpoint(directory);
  await selectBackend(flags.backend, flags.gpujsMode);
  const classifier = await loadClassifier(checkpoint);
  const seqLen = flags.seqLen || classifier.seqLen;
  if (seqLen > classifier.maxLength) {
    throw new UsageError(`lsgrad eval: --seq-len ${seqLen} is longer than the model's ${classifier.maxLength} position embeddings`);
  }
  const { examples, described } = examplesToScore(classifier, flags, parsed.given.has('split'));
  if (examples.length === 0) throw dataError('lsgrad eval', `${described} holds no documents; expected at least one`);
  const read = flags.skipHeaders ? bodyOf : (text: string) => text;
  const set = encodeSet(examples.map((example) => read(example.text)), examples.map((example) => example.label), seqLen, classifier.encode, classifier.tokenizer.special.sep);
  const replicas = Replicas.start(classifier, { checkpoint }, flags.backend === 'cpu' ? flags.threads : 1);
  const scored = await scoreSet(replicas, set, flags.batchSize).finally(() => replicas.close());
  const report = flags.errors ? errorReport(examples, scored.probabilities, classifier.labels) : undefined;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ checkpoint, data: described, split: flags.split, labels: classifier.labels, seqLen, skipHeaders: flags.skipHeaders, ...scored.metrics, seconds: scored.seconds, ...report }, null, 2) + '\n');
  } else {
    process.stdout.write(`${checkpoint}\n${described} (${examples.length} documents, ${seqLen} tokens${flags.skipHeaders ? ' of their bodies' : ''}): ${formatMetrics(scored.metrics)} [${scored.seconds.toFixed(1)}s]\n\n${formatClassReport(scored.metrics)}\n`);
    if (report) process.stdout.write(`\n${formatErrorReport(report)}\n`);
  }
}
