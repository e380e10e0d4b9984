// `lsgrad eval DIR`: scores a checkpoint (or the latest checkpoint of a run) on a split.
import { formatHelp, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { encodeSet } from './data/batches.js';
import { loadCorpus, splitEmails, SPLIT_NAMES } from './data/corpus.js';
import { bodyOf } from './data/mail.js';
import { errorReport, formatErrorReport } from './error-report.js';
import { scoreSet } from './evaluate.js';
import { Replicas } from './replicas.js';
import { formatMetrics } from './metrics.js';
import { loadClassifier, selectBackend } from './model.js';
import { resolveCheckpoint } from './run-state.js';
import { BACKENDS, GPUJS_MODE_FLAG } from './train-flags.js';

const EVAL_FLAGS = {
  split: { kind: 'choice', choices: SPLIT_NAMES, default: 'test', help: 'which split to score' },
  limit: { kind: 'int', default: 0, min: 0, help: 'score this many emails, spread over the split (0 = all)' },
  seqLen: { kind: 'int', default: 0, min: 0, help: 'bytes per email (0 = the length the model was trained with)' },
  batchSize: { kind: 'int', default: 8, min: 1, help: 'emails per forward pass' },
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
  threads: { kind: 'int', default: 2, min: 1, max: 64, help: 'model replicas (worker threads) scoring shares of the split (cpu backend)' },
  skipHeaders: { kind: 'bool', default: false, help: 'read each email from its body on (header block cut off): how much does the model rely on headers?' },
  errors: { kind: 'bool', default: false, help: 'also print accuracy per corpus group and every misclassified email (P(spam), subject)' },
  json: { kind: 'bool', default: false, help: 'print the metrics as JSON on stdout (with --errors: groups and errors too)' },
} as const satisfies FlagSpecs;

export async function runEval(argv: string[]): Promise<void> {
  const parsed = parseArgs('lsgrad eval', EVAL_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(formatHelp('lsgrad eval DIR [options]', 'Scores a checkpoint (DIR, or the latest checkpoint of the run in DIR) on a split of the fixed SpamAssassin split.', EVAL_FLAGS) + '\n');
    return;
  }
  const [directory, ...extra] = parsed.positionals;
  if (directory === undefined || extra.length > 0) {
    throw new UsageError(`lsgrad eval: expected exactly one DIR, got ${parsed.positionals.length} arguments (see lsgrad eval --help)`);
  }
  const flags = parsed.flags;
  await selectBackend(flags.backend, flags.gpujsMode);
  const checkpoint = resolveCheckpoint(directory);
  const classifier = await loadClassifier(checkpoint);
  const seqLen = flags.seqLen || classifier.seqLen;
  if (seqLen > classifier.maxLength) {
    throw new UsageError(`lsgrad eval: --seq-len ${seqLen} is longer than the model's ${classifier.maxLength} position embeddings`);
  }
  const emails = splitEmails(loadCorpus(), flags.split, flags.limit || undefined);
  const read = flags.skipHeaders ? bodyOf : (text: string) => text;
  const set = encodeSet(emails.map((email) => read(email.text)), emails.map((email) => email.label), seqLen);
  const replicas = Replicas.start(classifier, { checkpoint }, flags.backend === 'cpu' ? flags.threads : 1);
  const scored = await scoreSet(replicas, set, flags.batchSize).finally(() => replicas.close());
  const report = flags.errors ? errorReport(emails, scored.spamProbabilities) : undefined;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ checkpoint, split: flags.split, seqLen, skipHeaders: flags.skipHeaders, ...scored.metrics, seconds: scored.seconds, ...report }, null, 2) + '\n');
  } else {
    process.stdout.write(`${checkpoint}\n${flags.split} (${emails.length} emails, ${seqLen} bytes${flags.skipHeaders ? ' of their bodies' : ''}): ${formatMetrics(scored.metrics)} [${scored.seconds.toFixed(1)}s]\n`);
    if (report) process.stdout.write(`${formatErrorReport(report)}\n`);
  }
}
