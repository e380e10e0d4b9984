// Command-line flags of npm run bench (kept apart from bench/index.ts, which runs the suite on import).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SUITES, type SuiteMode, type SuiteSettings } from './suite.js';

function flag(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`bench: ${name} needs a value`);
  return value;
}

function positiveNumbers(name: string, text: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v <= 0)) throw new Error(`bench: ${name} '${text}' should be positive integers separated by commas`);
  return values;
}

export function parseArgs(args: readonly string[]): { settings: SuiteSettings; outDir: string; render?: string } {
  const known = new Set(['--quick', '--smoke', '--out', '--cap', '--only', '--lengths', '--model-lengths', '--no-kernels', '--render']);
  for (const arg of args) if (arg.startsWith('--') && !known.has(arg)) throw new Error(`bench: unknown flag ${arg}; known: ${[...known].join(' ')}`);
  const mode: SuiteMode = args.includes('--smoke') ? 'smoke' : args.includes('--quick') ? 'quick' : 'full';
  const base = SUITES[mode];
  const cap = flag(args, '--cap');
  const lengths = flag(args, '--lengths');
  const modelLengths = flag(args, '--model-lengths');
  const settings: SuiteSettings = {
    ...base,
    capSeconds: cap ? positiveNumbers('--cap', cap)[0]! : base.capSeconds,
    lengths: lengths ? positiveNumbers('--lengths', lengths) : base.lengths,
    modelLengths: modelLengths ? positiveNumbers('--model-lengths', modelLengths) : base.modelLengths,
    only: flag(args, '--only')?.split(',') ?? base.only,
    kernels: base.kernels && !args.includes('--no-kernels'),
  };
  const outDir = resolve(flag(args, '--out') ?? fileURLToPath(new URL('./results', import.meta.url)));
  const render = flag(args, '--render');
  return { settings, outDir, ...(render ? { render: resolve(render) } : {}) };
}
