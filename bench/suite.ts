// The benchmark suite: which cells run, in what order, under which caps, and what they found.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { attentionImpls, ATTENTION_MODES, DENSE_ID, type AttentionImpl, type AttentionMode } from './attention-cases.js';
import { runKernels, type KernelReport } from './kernels.js';
import { runTorchComparison, type TorchReport } from './torch/compare.js';
import type { ModeResult } from './measure.js';
import { runCell } from './runner.js';
import { scalingExponent } from './stats.js';
import { FULL_REPS, QUICK_REPS, SMOKE_REPS, type RepPolicy } from './timing.js';

export type SuiteMode = 'full' | 'quick' | 'smoke';

export interface SuiteSettings {
  readonly mode: SuiteMode;
  readonly lengths: readonly number[];
  readonly modelLengths: readonly number[];
  /** Wall-clock cap of one cell (one implementation at one length, both modes), in seconds. */
  readonly capSeconds: number;
  readonly reps: RepPolicy;
  /** Implementation ids to run (all when empty); lsgrad dense always runs, ratios need it. */
  readonly only: readonly string[];
  readonly kernels: boolean;
  /** Longest length to run per implementation id (others: every length). */
  readonly maxLength: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Runs per side of the PyTorch comparison (0: not run); it needs LSGRAD_TORCH_ENV. */
  readonly torchReps: number;
}

export const SUITES: Record<SuiteMode, SuiteSettings> = {
  full: { mode: 'full', lengths: [512, 1024, 2048, 4096, 8192], modelLengths: [1024, 4096], capSeconds: 600, reps: FULL_REPS, only: [], kernels: true, maxLength: { 'tfjs-cpu': 1024 }, seed: 1, torchReps: 5 },
  quick: { mode: 'quick', lengths: [256, 512], modelLengths: [512], capSeconds: 60, reps: QUICK_REPS, only: [], kernels: true, maxLength: {}, seed: 1, torchReps: 3 },
  // Seconds: one LSG row and tfjs-wasm next to dense, two short lengths, one run each.
  smoke: { mode: 'smoke', lengths: [128, 256], modelLengths: [128], capSeconds: 60, reps: SMOKE_REPS, only: ['lsg-b32-norm', 'tfjs-wasm'], kernels: false, maxLength: {}, seed: 1, torchReps: 0 },
};

/** One table cell: an implementation at a length in one mode. */
export interface AttentionRow {
  readonly implId: string;
  readonly label: string;
  readonly length: number;
  readonly mode: AttentionMode;
  /** 'ok' measured; 'skipped' killed at the cap; 'not-run' left out (see note); 'failed' crashed. */
  readonly status: 'ok' | 'skipped' | 'not-run' | 'failed';
  readonly note?: string;
  readonly result?: ModeResult;
  /** lsgrad dense time / this time, and the same for the attention buffers (> 1: better than dense). */
  speedupVsDense?: number;
  /** The same by CPU time (steadier on a loaded machine; counts the matmul helper thread too). */
  cpuSpeedupVsDense?: number;
  memoryRatioVsDense?: number;
}

export interface ScalingRow {
  readonly implId: string;
  readonly label: string;
  readonly mode: AttentionMode;
  readonly lengths: number[];
  readonly timeExponent: number;
  readonly cpuTimeExponent: number;
  readonly allocatedExponent: number;
  readonly rssExponent: number;
}

export interface ModelRow {
  readonly attention: 'dense' | 'lsg';
  readonly length: number;
  readonly status: AttentionRow['status'];
  readonly note?: string;
  readonly result?: ModeResult;
}

export interface SuiteReport {
  readonly meta: Record<string, string | number | readonly number[]>;
  readonly attention: AttentionRow[];
  readonly scaling: ScalingRow[];
  readonly model: ModelRow[];
  readonly kernels: KernelReport;
  readonly torch: TorchReport;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Why a mode is not attempted at this length: a shorter length hit the cap or failed, or the time
 * at the last length times its growth per doubling (at least 2×) would pass the cap. This only
 * decides what to run; nothing is reported for a cell that did not run.
 */
function reasonToSkip(rows: AttentionRow[], implId: string, mode: AttentionMode, capSeconds: number): string | undefined {
  const previous = rows.filter((r) => r.implId === implId && r.mode === mode);
  const last = previous.at(-1);
  if (!last) return undefined;
  if (last.status !== 'ok') return `not run: ${last.length} was ${last.status === 'not-run' ? 'not run' : last.status}`;
  const before = previous.at(-2)?.result;
  const ms = last.result!.medianMs;
  const growth = Math.max(2, before ? ms / before.medianMs : 2);
  if (ms * growth > capSeconds * 1000) return `not run: ${last.length} took ${seconds(ms)}, growing ${growth.toFixed(1)}× per doubling (cap ${capSeconds} s per cell)`;
  return undefined;
}

function ratiosToDense(rows: AttentionRow[]): void {
  for (const row of rows) {
    const dense = rows.find((r) => r.implId === DENSE_ID && r.length === row.length && r.mode === row.mode);
    if (row.result && dense?.result) {
      row.speedupVsDense = dense.result.medianMs / row.result.medianMs;
      row.cpuSpeedupVsDense = dense.result.medianCpuMs / row.result.medianCpuMs;
      row.memoryRatioVsDense = dense.result.allocatedBytes / row.result.allocatedBytes;
    }
  }
}

/**
 * Runs `impls` at every length into `rows`, length-major: every implementation at one length runs
 * close in time to lsgrad dense at that length, so a change in the machine's load skews ratios less.
 */
async function runAttention(settings: SuiteSettings, impls: AttentionImpl[], rows: AttentionRow[], progress: () => void): Promise<void> {
  const total = impls.length * settings.lengths.length;
  let index = 0;
  for (const length of settings.lengths) {
    for (const impl of impls) {
      index++;
      const limit = settings.maxLength[impl.id];
      const skip = new Map(ATTENTION_MODES.map((mode) => [mode,
        limit !== undefined && length > limit ? `not run (this suite stops at ${limit})` : reasonToSkip(rows, impl.id, mode, settings.capSeconds)]));
      const modes = ATTENTION_MODES.filter((mode) => skip.get(mode) === undefined);
      const base = { implId: impl.id, label: impl.label, length };
      if (modes.length === 0) {
        for (const mode of ATTENTION_MODES) rows.push({ ...base, mode, status: 'not-run', note: skip.get(mode) });
        log(`[${index}/${total}] ${impl.id} ${length}: not run`);
        continue;
      }
      const outcome = await runCell({ task: 'attention', implId: impl.id, length, modes, reps: settings.reps, seed: settings.seed }, settings.capSeconds);
      for (const mode of ATTENTION_MODES) {
        const result = outcome.results.find((r) => r.mode === mode);
        if (result) rows.push({ ...base, mode, status: 'ok', result });
        else if (!modes.includes(mode)) rows.push({ ...base, mode, status: 'not-run', note: skip.get(mode) });
        else if (outcome.status === 'timeout') rows.push({ ...base, mode, status: 'skipped', note: `skipped (> ${settings.capSeconds} s)` });
        else rows.push({ ...base, mode, status: 'failed', note: `failed: ${outcome.message ?? 'no result'}` });
      }
      ratiosToDense(rows);
      const summary = outcome.results.map((r) => `${r.mode} ${seconds(r.medianMs)} (cpu ${seconds(r.medianCpuMs)})`).join(', ');
      log(`[${index}/${total}] ${impl.id} ${length}: ${summary || outcome.status} (${outcome.wallSeconds.toFixed(0)} s wall${outcome.status !== 'ok' ? `, ${outcome.status}` : ''})`);
      progress();
    }
  }
}

function fitScaling(rows: AttentionRow[], impls: AttentionImpl[]): ScalingRow[] {
  return impls.flatMap((impl) => ATTENTION_MODES.map((mode) => {
    const measured = rows.filter((r) => r.implId === impl.id && r.mode === mode && r.result);
    const fit = (value: (r: ModeResult) => number) => scalingExponent(measured.map((r) => [r.length, value(r.result!)] as const));
    return {
      implId: impl.id, label: impl.label, mode,
      lengths: measured.map((r) => r.length),
      timeExponent: fit((r) => r.medianMs),
      cpuTimeExponent: fit((r) => r.medianCpuMs),
      allocatedExponent: fit((r) => r.allocatedBytes),
      rssExponent: fit((r) => r.peakRssDeltaBytes),
    };
  }));
}

async function runModel(settings: SuiteSettings, rows: ModelRow[], progress: () => void): Promise<void> {
  for (const attention of ['lsg', 'dense'] as const) {
    for (const length of settings.modelLengths) {
      const previous = rows.filter((r) => r.attention === attention).at(-1);
      const growth = 4;   // dense attention dominates the dense model's step at these lengths
      if (previous && (previous.status !== 'ok' || previous.result!.medianMs * growth > settings.capSeconds * 1000)) {
        rows.push({ attention, length, status: 'not-run', note: `not run: ${previous.length} ${previous.status === 'ok' ? `took ${seconds(previous.result!.medianMs)}` : `was ${previous.status}`} (cap ${settings.capSeconds} s)` });
        continue;
      }
      const outcome = await runCell({ task: 'model', attention, length, reps: settings.reps, seed: settings.seed }, settings.capSeconds);
      const result = outcome.results[0];
      if (result) rows.push({ attention, length, status: 'ok', result });
      else if (outcome.status === 'timeout') rows.push({ attention, length, status: 'skipped', note: `skipped (> ${settings.capSeconds} s)` });
      else rows.push({ attention, length, status: 'failed', note: `failed: ${outcome.message ?? 'no result'}` });
      log(`model ${attention} ${length}: ${result ? `${seconds(result.medianMs)} (cpu ${seconds(result.medianCpuMs)})` : outcome.status} (${outcome.wallSeconds.toFixed(0)} s wall)`);
      progress();
    }
  }
}

/** The rows the issue's targets need; the suite runs them (and the model and kernel rows) first. */
export const ESSENTIAL_IDS: readonly string[] = [DENSE_ID, 'lsg-b128-norm', 'lsg-b32-norm', 'tfjs-wasm', 'tfjs-cpu'];

/**
 * Runs the whole suite; progress goes to stderr and `onProgress` gets the report so far after
 * every cell (complete: false until the end), so a stopped run still leaves its results.
 */
export async function runSuite(settings: SuiteSettings, onProgress: (report: SuiteReport) => void = () => {}): Promise<SuiteReport> {
  const started = new Date();
  const loadBefore = loadavg()[0]!;
  // Other work may commit while a long run goes on: record the tree at the start.
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const uncommitted = git(['status', '--short', '--untracked-files=no', '--', 'engine', 'backends', 'lsg', 'nn']).split('\n').filter(Boolean).join(' ') || 'none';
  const impls = attentionImpls().filter((impl) => settings.only.length === 0 || impl.id === DENSE_ID || settings.only.some((part) => impl.id.includes(part)));
  const attention: AttentionRow[] = [];
  const model: ModelRow[] = [];
  let torch: TorchReport = { status: 'not-run', note: settings.torchReps > 0 ? 'pending' : `not run in the ${settings.mode} suite`, reps: settings.torchReps, rows: [] };
  let kernels: KernelReport = { status: 'not-run', note: settings.kernels ? 'pending' : 'not run (--no-kernels or smoke)', lines: [] };
  const report = (complete: boolean): SuiteReport => ({
    meta: {
      mode: settings.mode,
      complete: String(complete),
      date: started.toISOString(),
      commit,
      uncommitted,
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageStart: Number(loadBefore.toFixed(2)),
      loadAverageEnd: Number(loadavg()[0]!.toFixed(2)),
      minutes: Number(((Date.now() - started.getTime()) / 60_000).toFixed(1)),
      lengths: settings.lengths,
      capSeconds: settings.capSeconds,
      reps: `at most ${settings.reps.maxReps}; a first run under ${settings.reps.warmupBelowMs} ms is warm-up; one run above ${settings.reps.singleAboveMs} ms`,
    },
    attention,
    scaling: fitScaling(attention, impls),
    model,
    kernels,
    torch,
  });
  const progress = () => onProgress(report(false));
  const essential = impls.filter((impl) => ESSENTIAL_IDS.includes(impl.id));
  await runAttention(settings, essential, attention, progress);
  await runModel(settings, model, progress);
  if (settings.kernels) {
    kernels = await runKernels(settings.mode === 'full' ? [] : ['--quick']);
    progress();
  }
  if (settings.torchReps > 0) {
    torch = await runTorchComparison({ threads: [1, 2], reps: settings.torchReps, capSeconds: settings.capSeconds, log });
    progress();
  }
  await runAttention(settings, impls.filter((impl) => !ESSENTIAL_IDS.includes(impl.id)), attention, progress);
  return report(true);
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
