/**
 * Long-range study: does the key token at the start of a long sequence reappear far away?
 * Trained with local-only attention, LSG (a few sparsity types) and dense attention; prints a
 * table of accuracy, time per step and peak memory.
 *
 *   npx tsx examples/long-range-study.ts [--seq-len 256] [--steps 100] [--batch-size 8] [--keys 1] [--copies 8]
 *        [--kinds local,lsg:norm,lsg:stride,dense] [--eval-size 128] [--seed 0]
 *
 * The task and the training live in long-range/task.ts (the browser demo runs them too). Only a
 * model whose [CLS] output can reach a position more than seqLen / 2 tokens away beats chance
 * (50%): local-only attention with L layers of 3-block windows sees about
 * (L + 1) × blockSize tokens from [CLS], short of the second half; LSG's global token sees every
 * token (its sparse keys bring far tokens closer too), and dense attention does as well, at
 * quadratic cost.
 *
 * Each kind trains in its own child process, so its peak memory (max RSS) is its own.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseProgramArgs, type FlagSpecs } from '../cli/args.js';
import { STUDY_DEFAULTS, trainKind, type StudyOptions, type StudyResult } from './long-range/task.js';

export { generateExample, STUDY_DEFAULTS, type StudyOptions, type StudyResult } from './long-range/task.js';

const STUDY_FLAGS = {
  seqLen: { kind: 'int', default: STUDY_DEFAULTS.seqLen, min: 8, help: 'tokens per sequence' },
  steps: { kind: 'int', default: STUDY_DEFAULTS.steps, min: 1, help: 'training steps per kind' },
  batchSize: { kind: 'int', default: STUDY_DEFAULTS.batchSize, min: 1, help: 'sequences per step' },
  evalSize: { kind: 'int', default: STUDY_DEFAULTS.evalSize, min: 1, help: 'held-out sequences scored at the end' },
  lr: { kind: 'float', default: STUDY_DEFAULTS.lr, min: 0, help: 'learning rate' },
  hiddenSize: { kind: 'int', default: STUDY_DEFAULTS.hiddenSize, min: 1, help: 'transformer width' },
  numLayers: { kind: 'int', default: STUDY_DEFAULTS.numLayers, min: 1, help: 'transformer layers' },
  blockSize: { kind: 'int', default: STUDY_DEFAULTS.blockSize, min: 1, help: 'LSG local block size' },
  sparsityFactor: { kind: 'int', default: STUDY_DEFAULTS.sparsityFactor, min: 1, help: 'LSG sparsity factor' },
  keys: { kind: 'int', default: STUDY_DEFAULTS.keys, min: 1, help: 'key symbols: 1 = detect the repeat; more = compare it with the key' },
  copies: { kind: 'int', default: STUDY_DEFAULTS.copies, min: 1, help: 'times the repeat is written into the second half' },
  seed: { kind: 'int', default: STUDY_DEFAULTS.seed, min: 0, help: 'seed of data and weights' },
  kinds: { kind: 'list', default: STUDY_DEFAULTS.kinds, placeholder: 'KIND,KIND', help: 'attention kinds: local, dense, lsg:<sparsity type>' },
  child: { kind: 'string', placeholder: 'JSON', help: 'internal: train one kind in this process with these options' },
} as const satisfies FlagSpecs;

function formatTable(results: readonly StudyResult[], options: StudyOptions): string {
  const header = ['attention', 'accuracy', 'ms/step', 'final loss', 'peak RSS MiB'];
  const rows = results.map((result) => [result.kind, `${(100 * result.accuracy).toFixed(1)}%`, result.msPerStep.toFixed(0), result.finalLoss.toFixed(3), String(result.peakRssMiB)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  return [
    `key ${options.keys > 1 ? `comparison (${options.keys} keys)` : 'repeat detection'} at distance ≥ ${Math.floor(options.seqLen / 2) - 1} in ${options.seqLen} tokens · ${options.steps} steps × ${options.batchSize} · ` +
      `${options.numLayers} layers × ${options.hiddenSize} · block ${options.blockSize} · chance 50%`,
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}

/** Runs every kind in a child process (for its own peak memory) and returns the results. */
export function runStudy(options: StudyOptions, log: (line: string) => void = console.log): StudyResult[] {
  const script = fileURLToPath(import.meta.url);
  const results: StudyResult[] = [];
  for (const kind of options.kinds) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, '--child', JSON.stringify({ ...options, kinds: [kind] })], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`long-range-study: ${kind} failed (status ${child.status}):\n${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as StudyResult;
    log(`${kind}: accuracy ${(100 * result.accuracy).toFixed(1)}%, ${result.msPerStep.toFixed(0)} ms/step, peak RSS ${result.peakRssMiB} MiB`);
    results.push(result);
  }
  log(formatTable(results, options));
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const { child, ...flags } = parseProgramArgs('examples/long-range-study.ts', 'Trains local, LSG and dense attention on a long-range task; prints accuracy, time per step and peak memory.', STUDY_FLAGS);
  if (child !== undefined) {
    const options = JSON.parse(child) as StudyOptions;
    const result = trainKind(options.kinds[0]!, options);
    // maxRSS is in KiB: the peak resident memory of this child, whose only job was this kind.
    process.stdout.write(JSON.stringify({ ...result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
  } else {
    runStudy({ ...flags, kinds: [...flags.kinds] });
  }
}
