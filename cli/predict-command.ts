// `lsgrad predict DIR <file|->`: classifies a document read from a file or from stdin, or with
// --jsonl every line of a JSONL file, and prints the label and the class probabilities.
import { readFileSync, statSync } from 'node:fs';
import { formatHelp, parseArgs, UsageError, type FlagSpecs } from './args.js';
import { dataError, decodeUtf8 } from './data/readers.js';
import { classifyDocument, type Verdict } from './evaluate.js';
import { loadClassifier, selectBackend, type TextClassifier } from './model.js';
import { resolveCheckpoint } from './run-state.js';
import { BACKENDS, GPUJS_MODE_FLAG } from './train-flags.js';

const PREDICT_FLAGS = {
  jsonl: { kind: 'bool', default: false, help: 'read a JSONL file (or stdin), one document a line, and write one JSON result a line' },
  textField: { kind: 'string', placeholder: 'NAME', help: 'with --jsonl: the field holding the text (default: as in training, else text)' },
  json: { kind: 'bool', default: false, help: 'print {label, probabilities, tokensUsed, tokensRead} as JSON' },
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
} as const satisfies FlagSpecs;

const DESCRIPTION = `Classifies one document (a file, or "-" for stdin; for the spam model, a raw email with its headers)
and prints the most probable label and every class's probability. With --jsonl, FILE (or stdin) holds
one JSON object a line and each result is printed as one JSON line, in input order.`;

function formatVerdict(verdict: Verdict): string {
  const ranked = Object.entries(verdict.probabilities).sort((a, b) => b[1] - a[1]);
  return `${verdict.label} (${ranked.map(([name, probability]) => `P(${name}) = ${probability.toFixed(4)}`).join(', ')})`;
}

function classify(classifier: TextClassifier, text: string | Uint8Array): Verdict {
  return classifyDocument((ids, mask) => classifier.forward(ids, mask).logits, text, classifier.seqLen, classifier.labels, classifier.tokenizer);
}

/** --jsonl: one result a line; a bad line is an error naming it, before any result is printed. */
function predictJsonl(classifier: TextClassifier, bytes: Uint8Array, source: string, textField: string): string[] {
  const where = source === '-' ? 'stdin' : source;
  const text = decodeUtf8(bytes, where);
  const documents: string[] = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let record: unknown;
    try { record = JSON.parse(line); } catch (error) {
      throw dataError(`${where}:${index + 1}`, `not valid JSON (${(error as Error).message}); expected one JSON object a line`);
    }
    const value = (record as Record<string, unknown> | null)?.[textField];
    if (typeof value !== 'string' || value.trim() === '') {
      throw dataError(`${where}:${index + 1}`, `no text in field "${textField}"; expected a non-empty string (--text-field names another field)`);
    }
    documents.push(value);
  });
  if (documents.length === 0) throw dataError(where, `no documents; expected one JSON object a line`);
  return documents.map((document) => JSON.stringify(classify(classifier, document)));
}

export async function runPredict(argv: string[]): Promise<void> {
  const parsed = parseArgs('lsgrad predict', PREDICT_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(formatHelp('lsgrad predict DIR <file|-> [options]', DESCRIPTION, PREDICT_FLAGS) + '\n');
    return;
  }
  const [directory, source, ...extra] = parsed.positionals;
  if (directory === undefined || source === undefined || extra.length > 0) {
    throw new UsageError(`lsgrad predict: expected DIR and one file (or - for stdin), got ${parsed.positionals.length} arguments (see lsgrad predict --help)`);
  }
  const { flags } = parsed;
  // The input is read (and a missing or empty one refused) before any model is loaded.
  const bytes = readInput(source);
  const checkpoint = resolveCheckpoint(directory);
  if (flags.jsonl) {
    await selectBackend(flags.backend, flags.gpujsMode);
    const classifier = await loadClassifier(checkpoint);
    const lines = predictJsonl(classifier, bytes, source, flags.textField ?? classifier.data?.textField ?? 'text');
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  await selectBackend(flags.backend, flags.gpujsMode);
  const classifier = await loadClassifier(checkpoint);
  const verdict = classify(classifier, bytes);
  if (flags.json) {
    process.stdout.write(JSON.stringify({ ...verdict, tokensRead: bytes.length }) + '\n');
  } else {
    const read = classifier.tokenizer.kind === 'bytes' ? `${verdict.tokensUsed} of ${bytes.length} bytes read` : `${verdict.tokensUsed} tokens read (${bytes.length} bytes)`;
    process.stdout.write(`${formatVerdict(verdict)}; ${read}\n`);
  }
}

/** The document's bytes, read before any model is loaded; a missing, unreadable or empty input is a usage error. */
function readInput(source: string): Uint8Array {
  const where = source === '-' ? 'stdin' : `"${source}"`;
  let text: Buffer;
  try {
    if (source !== '-' && statSync(source).isDirectory()) {
      throw new UsageError(`lsgrad predict: document file ${where} is a directory; expected one document (a file, or - for stdin)`);
    }
    text = readFileSync(source === '-' ? 0 : source);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : `cannot be read (${(error as Error).message})`;
    throw new UsageError(`lsgrad predict: document file ${where} ${reason}; expected a text file (for the spam model, a raw email with its headers), or - for stdin`);
  }
  if (new TextDecoder().decode(text).trim() === '') {
    throw new UsageError(`lsgrad predict: document ${where} is empty (${text.length} bytes${text.length > 0 ? ', all blank' : ''}); expected the text of a document`);
  }
  return new Uint8Array(text);
}
