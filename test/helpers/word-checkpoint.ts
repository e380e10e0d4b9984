// A word-level spam checkpoint as npm start writes one (lsgrad train with its default --tokenizer
// words, on a tiny model and corpus), and lsgrad predict's P(spam) for an email under it: what the
// playground's email classifier must agree with (test/browser.test.ts, test/playground/page.test.ts).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/lsgrad.js';
import { resolveCheckpoint } from '../../cli/run-state.js';

/** The files of a checkpoint folder that the page's file picker gets. */
export const PICKED_NAMES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

/** Longer than the model reads (62 tokens), with words of both classes and one the vocabulary lacks. */
export const WORD_EMAIL = 'From: prize@winner.example\nSubject: FREE money, claim now\n\nDear friend, you won a prize! Click here to claim your free money '
  + 'before Friday; the meeting notes and the lunch agenda follow. Zygomorphic. '.repeat(3);

/** Runs `main(argv)` with stdout captured (and stderr silenced); the status must be 0. */
async function run(argv: string[]): Promise<string> {
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  const printed: string[] = [];
  process.stdout.write = ((chunk: string) => { printed.push(String(chunk)); return true; }) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    const status = await main(argv);
    if (status !== 0) throw new Error(`lsgrad ${argv.join(' ')} exited with ${status}`);
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
  return printed.join('');
}

export interface WordCheckpoint {
  /** The run folder (what lsgrad predict takes). */
  readonly run: string;
  /** Its last checkpoint folder, holding PICKED_NAMES. */
  readonly checkpoint: string;
  /** lsgrad predict's P(spam) of `email`, read from --json. */
  predictSpam(email: string): Promise<number>;
  /** The contents of the checkpoint's files, by name. */
  file(name: (typeof PICKED_NAMES)[number]): Buffer;
}

/** Short, with words of the ham emails only. */
export const HAM_EMAIL = 'From: boss@example.com\nSubject: agenda for friday\n\nThe meeting notes attached; lunch tomorrow at noon, can you review my draft?';

/**
 * Trains 60 steps of a 64-token LSG model on 48 short emails with a 120-token words vocabulary (under
 * a second on one thread): enough for P(spam) to move by about 1e-2 between WORD_EMAIL and HAM_EMAIL,
 * so that an agreement to 1e-6 says the same tokens were read.
 * @example const words = await trainWordCheckpoint(); await words.predictSpam(WORD_EMAIL)
 */
export async function trainWordCheckpoint(): Promise<WordCheckpoint> {
  const root = mkdtempSync(join(tmpdir(), 'lsgrad-word-checkpoint-'));
  const spam = ['win free money now', 'claim your prize today', 'cheap pills click here', 'you won a free cruise'];
  const ham = ['lunch tomorrow at noon', 'the meeting notes attached', 'can you review my draft', 'agenda for friday'];
  const lines = Array.from({ length: 48 }, (_, i) => {
    const [label, texts] = i % 2 === 0 ? ['spam', spam] : ['ham', ham];
    return JSON.stringify({ text: `From: person${i}@example.com\nSubject: ${texts[i % 4]}\n\n${texts[(i + 1) % 4]}, ${texts[(i + 2) % 4]}.`, label });
  });
  const data = join(root, 'emails.jsonl');
  writeFileSync(data, lines.join('\n'));
  const out = join(root, 'run');
  await run(['train', '--data', data, '--tokenizer', 'words', '--vocab-size', '120', '--out', out, '--seq-len', '64', '--short-seq-len', '0',
    '--steps', '60', '--lr', '5e-3', '--dropout', '0', '--warmup', '0', '--batch-size', '4', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--num-layers', '1',
    '--block-size', '16', '--sparse-block-size', '16', '--quiet', '--threads', '1', '--no-baseline']);
  const checkpoint = resolveCheckpoint(out);
  return {
    run: out,
    checkpoint,
    predictSpam: async (email) => {
      const document = join(root, 'email.txt');
      writeFileSync(document, email);
      return (JSON.parse(await run(['predict', out, document, '--json'])) as { probabilities: { spam: number } }).probabilities.spam;
    },
    file: (name) => readFileSync(join(checkpoint, name)),
  };
}
