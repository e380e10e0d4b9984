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
import { STUDY_DEFAULTS, trainKind, type StudyOptions, type StudyResult } from './long-range/task.js';

export { generateExample, STUDY_DEFAULTS, type StudyOptions, type StudyResult } from './long-range/task.js';

function parseStudyFlags(argv: readonly string[]): StudyOptions {
  const options: StudyOptions = { ...STUDY_DEFAULTS, kinds: [...STUDY_DEFAULTS.kinds] };
  const numeric: Record<string, keyof StudyOptions> = {
    '--seq-len': 'seqLen', '--steps': 'steps', '--batch-size': 'batchSize', '--eval-size': 'evalSize', '--lr': 'lr',
    '--hidden-size': 'hiddenSize', '--num-layers': 'numLayers', '--block-size': 'blockSize', '--sparsity-factor': 'sparsityFactor', '--keys': 'keys', '--copies': 'copies', '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (flag === '--kinds' && value) { options.kinds = value.split(','); i++; continue; }
    const key = numeric[flag];
    if (!key || value === undefined || !Number.isFinite(Number(value)) || Number(value) < 0) {
      throw new Error(`long-range-study: ${flag} ${value ?? ''} is invalid; expected --kinds a,b,c or one of ${Object.keys(numeric).join(' ')} with a non-negative number`);
    }
    (options as unknown as Record<string, number>)[key] = Number(value);
    i++;
  }
  return options;
}

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
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    const options = JSON.parse(process.argv[childIndex + 1]!) as StudyOptions;
    const result = trainKind(options.kinds[0]!, options);
    // maxRSS is in KiB: the peak resident memory of this child, whose only job was this kind.
    process.stdout.write(JSON.stringify({ ...result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) }) + '\n');
  } else {
    runStudy(parseStudyFlags(process.argv.slice(2)));
  }
}
