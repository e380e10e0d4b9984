#!/usr/bin/env node
// The `lsgrad` command: dispatches to train, eval, predict and convert. Each subcommand is
// imported only when used, so `lsgrad --help` starts instantly.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { UsageError } from './args.js';

type Subcommand = (argv: string[]) => Promise<void>;

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<Subcommand> }> = {
  train: { summary: 'train a text classifier on --data (default: the SpamAssassin corpus, what npm start runs)', load: async () => (await import('./train-command.js')).runTrain },
  eval: { summary: 'lsgrad eval DIR [--data PATH]: score a checkpoint on its test split or a labelled file', load: async () => (await import('./eval-command.js')).runEval },
  predict: { summary: 'lsgrad predict DIR <file|->: classify a document (--jsonl: one a line)', load: async () => (await import('./predict-command.js')).runPredict },
  pretrain: { summary: 'pretrain an LSG-ALBERT masked language model on raw text (--data PATH)', load: async () => (await import('./pretrain-command.js')).runPretrain },
  'fill-mask': { summary: 'lsgrad fill-mask DIR "text with [MASK]": the top-k fillings of each [MASK]', load: async () => (await import('./fill-mask-command.js')).runFillMask },
  convert: { summary: 'convert a HuggingFace ALBERT, BERT, RoBERTa, XLM-RoBERTa or CamemBERT checkpoint to its LSG version', load: async () => (await import('./convert.js')).runConvert },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((name) => name.length)) + 2;
  return [
    'Usage: lsgrad <command> [options]',
    '',
    'Commands:',
    ...Object.entries(SUBCOMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}${summary}`),
    '',
    'Run `lsgrad <command> --help` for the options of a command.',
  ].join('\n');
}

/** Runs the CLI; returns the process exit status (0 ok, 1 failure, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(mainHelp() + '\n');
    return command === undefined ? 2 : 0;
  }
  const subcommand = SUBCOMMANDS[command];
  if (!subcommand) {
    process.stderr.write(`lsgrad: unknown command "${command}"; expected one of ${Object.keys(SUBCOMMANDS).join(', ')}\n\n${mainHelp()}\n`);
    return 2;
  }
  try {
    await (await subcommand.load())(rest);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    process.stderr.write(`lsgrad ${command}: ${error instanceof Error ? (process.env.LSGRAD_DEBUG ? error.stack : error.message) : String(error)}\n`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
}
