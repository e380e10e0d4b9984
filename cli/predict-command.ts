// `lsgrad predict DIR <file|->`: classifies one email, read from a file or from stdin.
import { readFileSync, statSync } from 'node:fs';
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
  const text = readEmail(source);
  const checkpoint = resolveCheckpoint(directory);
  await selectBackend(parsed.flags.backend, parsed.flags.gpujsMode);
  const classifier = await loadClassifier(checkpoint);
  const { label, spamProbability: probability, bytesUsed } = classifyOne((ids, mask) => classifier.forward(ids, mask).logits, new Uint8Array(text), classifier.seqLen);
  if (parsed.flags.json) {
    process.stdout.write(JSON.stringify({ label, spamProbability: probability, bytesRead: text.length, bytesUsed }) + '\n');
  } else {
    process.stdout.write(`${label} (P(spam) = ${probability.toFixed(4)}; ${bytesUsed} of ${text.length} bytes read)\n`);
  }
}

/** The email's bytes, read before any model is loaded; a missing, unreadable or empty input is a usage error. */
function readEmail(source: string): Buffer {
  const where = source === '-' ? 'stdin' : `"${source}"`;
  let text: Buffer;
  try {
    if (source !== '-' && statSync(source).isDirectory()) {
      throw new UsageError(`lsgrad predict: email file ${where} is a directory; expected one raw email (a file, or - for stdin)`);
    }
    text = readFileSync(source === '-' ? 0 : source);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${(error as Error).message})`;
    throw new UsageError(`lsgrad predict: email file ${where} ${reason}; expected a raw email (headers and body), or - for stdin`);
  }
  if (text.length === 0) {
    throw new UsageError(`lsgrad predict: email ${where} is empty (0 bytes); expected a raw email (headers and body)`);
  }
  return text;
}
