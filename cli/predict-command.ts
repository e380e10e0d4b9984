// `lsgrad predict DIR <file|->`: classifies one email, read from a file or from stdin.
import { readFileSync } from 'node:fs';
import { formatHelp, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { classifyOne } from './evaluate.js';
import { loadClassifier, selectBackend } from './model.js';
import { resolveCheckpoint } from './run-state.js';
import { BACKENDS, GPUJS_MODE_FLAG } from './train-flags.js';

const PREDICT_FLAGS = {
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
  json: { kind: 'bool', default: false, help: 'print {label, spamProbability} as JSON' },
} as const satisfies FlagSpecs;

export async function runPredict(argv: string[]): Promise<void> {
  const parsed = parseArgs('lsgrad predict', PREDICT_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(formatHelp('lsgrad predict DIR <file|->', 'Classifies one raw email (headers and body) as spam or ham; "-" reads it from stdin.', PREDICT_FLAGS) + '\n');
    return;
  }
  const [directory, source, ...extra] = parsed.positionals;
  if (directory === undefined || source === undefined || extra.length > 0) {
    throw new UsageError(`lsgrad predict: expected DIR and one email file (or - for stdin), got ${parsed.positionals.length} arguments (see lsgrad predict --help)`);
  }
  const text = readFileSync(source === '-' ? 0 : source);
  await selectBackend(parsed.flags.backend, parsed.flags.gpujsMode);
  const classifier = await loadClassifier(resolveCheckpoint(directory));
  const { label, spamProbability: probability, bytesUsed } = classifyOne((ids, mask) => classifier.forward(ids, mask).logits, new Uint8Array(text), classifier.seqLen);
  if (parsed.flags.json) {
    process.stdout.write(JSON.stringify({ label, spamProbability: probability, bytesRead: text.length, bytesUsed }) + '\n');
  } else {
    process.stdout.write(`${label} (P(spam) = ${probability.toFixed(4)}; ${bytesUsed} of ${text.length} bytes read)\n`);
  }
}
