// Command-line flags of npm run bench (kept apart from bench/index.ts, which runs the suite on import).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatHelp, parseArgs as parseFlags, type FlagSpecs } from '../cli/args.js';
import { SUITES, type SuiteMode, type SuiteSettings } from './suite.js';

export const BENCH_FLAGS = {
  quick: { kind: 'bool', default: false, help: `the quick suite: lengths ${SUITES.quick.lengths.join(',')}, cap ${SUITES.quick.capSeconds} s a cell` },
  smoke: { kind: 'bool', default: false, help: `the smoke suite (seconds): lengths ${SUITES.smoke.lengths.join(',')}, one run each` },
  out: { kind: 'string', placeholder: 'DIR', help: 'where the .json, .md and .svg go (default: bench/results)' },
  cap: { kind: 'int', default: 0, min: 0, help: 'wall-clock cap of one cell in seconds (0 = the suite\'s: 600 full, 60 quick and smoke)' },
  only: { kind: 'list', default: [], placeholder: 'ID,ID', help: 'implementation ids to run (default: all of the suite\'s); dense always runs, ratios need it' },
  lengths: { kind: 'ints', default: [], min: 1, help: `attention lengths (default: the suite's; full: ${SUITES.full.lengths.join(',')})` },
  modelLengths: { kind: 'ints', default: [], min: 1, help: `model-step lengths (default: the suite's; full: ${SUITES.full.modelLengths.join(',')})` },
  kernels: { kind: 'bool', default: true, help: 'also time single kernels (--no-kernels to skip)' },
  torch: { kind: 'bool', default: true, help: 'also compare with the reference PyTorch implementation when LSGRAD_TORCH_ENV is set (--no-torch to skip)' },
  render: { kind: 'string', placeholder: 'FILE', help: 'tables and chart again from a saved run\'s .json, measuring nothing' },
} as const satisfies FlagSpecs;

export function benchHelp(): string {
  return formatHelp('npm run bench -- [options]', 'Runs the benchmark suite (each cell in its own process) and writes <mode>.json, <mode>.md and <mode>-attention.svg.', BENCH_FLAGS);
}

export function parseArgs(args: readonly string[]): { settings: SuiteSettings; outDir: string; render?: string; help: boolean } {
  const { flags, positionals, help } = parseFlags('bench', BENCH_FLAGS, args);
  if (positionals.length > 0) throw new Error(`bench: unexpected argument "${positionals[0]}"; see npm run bench -- --help`);
  const mode: SuiteMode = flags.smoke ? 'smoke' : flags.quick ? 'quick' : 'full';
  const base = SUITES[mode];
  const settings: SuiteSettings = {
    ...base,
    capSeconds: flags.cap || base.capSeconds,
    lengths: flags.lengths.length > 0 ? flags.lengths : base.lengths,
    modelLengths: flags.modelLengths.length > 0 ? flags.modelLengths : base.modelLengths,
    only: flags.only.length > 0 ? flags.only : base.only,
    kernels: base.kernels && flags.kernels,
    torchReps: flags.torch ? base.torchReps : 0,
  };
  const outDir = resolve(flags.out ?? fileURLToPath(new URL('./results', import.meta.url)));
  return { settings, outDir, help, ...(flags.render ? { render: resolve(flags.render) } : {}) };
}
