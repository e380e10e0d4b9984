// lsgrad against the reference PyTorch implementation of LSG, same workloads, same thread count,
// in one run: each side of each (workload, threads) pair runs in its own process, one after the
// other, so the two are measured close in time. The PyTorch side needs an environment this
// repository does not ship (PyTorch and the reference's `lsg_converter`); without it the rows are
// skipped with a note.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from '../stats.js';
import { cellSpec, TORCH_WORKLOADS, WORKLOAD_LABELS, type TorchCellResult, type TorchCellSpec, type TorchWorkload } from './workloads.js';

/**
 * LSGRAD_TORCH_ENV: a shell file that, sourced, makes `torch` and `lsg_converter` importable (it
 * typically sets PYTHONPATH); LSGRAD_TORCH_PYTHON: the interpreter (default python3).
 */
export interface TorchEnvironment {
  readonly envFile: string;
  readonly python: string;
}

export function torchEnvironment(env: NodeJS.ProcessEnv = process.env): TorchEnvironment | { missing: string } {
  const envFile = env.LSGRAD_TORCH_ENV;
  if (!envFile) return { missing: 'not run: set LSGRAD_TORCH_ENV to a shell file that makes torch and lsg_converter importable (see docs/benchmarks.md)' };
  if (!existsSync(envFile)) return { missing: `not run: LSGRAD_TORCH_ENV ${JSON.stringify(envFile)} does not exist; expected a shell file to source` };
  return { envFile, python: env.LSGRAD_TORCH_PYTHON ?? 'python3' };
}

export interface TorchSide {
  readonly medianMs: number;
  readonly medianCpuMs: number;
  readonly wallMs: number[];
  readonly cpuMs: number[];
}

export interface TorchRow {
  readonly workload: TorchWorkload;
  readonly label: string;
  readonly threads: number;
  readonly torch?: TorchSide;
  readonly lsgrad?: TorchSide;
  /** Why a side is missing. */
  readonly note?: string;
}

export interface TorchReport {
  readonly status: 'ok' | 'not-run';
  readonly note?: string;
  readonly reps: number;
  readonly rows: TorchRow[];
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LSGRAD_CELL = fileURLToPath(new URL('./lsgrad-cell.ts', import.meta.url));
const TORCH_CELL = fileURLToPath(new URL('./reference_cell.py', import.meta.url));

/** Runs a command, returns its RESULT line parsed, or throws with the end of its stderr. */
function runResult(command: string, args: string[], env: NodeJS.ProcessEnv, capSeconds: number): Promise<TorchCellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), capSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(7)) as TorchCellResult);
      const last = stderr.trim().split('\n').filter((l) => !/warn/i.test(l)).at(-1) ?? '';
      reject(new Error(signal ? `killed (${signal}) after the ${capSeconds} s cap` : `exit ${code}: ${last}`));
    });
  });
}

const side = (r: TorchCellResult): TorchSide => ({ ...r, medianMs: median(r.wallMs), medianCpuMs: median(r.cpuMs) });

function lsgradSide(spec: TorchCellSpec, capSeconds: number): Promise<TorchCellResult> {
  const env = { ...process.env, LSGRAD_THREADS: String(spec.threads), FORCE_COLOR: '0' };
  return runResult(process.execPath, ['--import', 'tsx', LSGRAD_CELL, JSON.stringify(spec)], env, capSeconds);
}

function torchSide(environment: TorchEnvironment, spec: TorchCellSpec, capSeconds: number): Promise<TorchCellResult> {
  // The interpreter's own thread pools follow torch.set_num_threads; OMP/MKL/OpenBLAS variables pin
  // the BLAS library's. Debian's torch calls the system BLAS (OpenBLAS), whose pthread build starts
  // a thread per core unless told: at "1 thread" PyTorch then used 1.4 CPU-seconds per second.
  const threads = String(spec.threads);
  const env = { ...process.env, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads, OPENBLAS_NUM_THREADS: threads, PYTHONWARNINGS: 'ignore' };
  const script = `. "$1" && exec "$2" "$3" "$4"`;
  return runResult('bash', ['-c', script, 'torch-cell', environment.envFile, environment.python, TORCH_CELL, JSON.stringify(spec)], env, capSeconds);
}

export interface TorchComparisonSettings {
  readonly threads: readonly number[];
  readonly reps: number;
  readonly workloads?: readonly TorchWorkload[];
  readonly capSeconds: number;
  readonly log?: (line: string) => void;
}

/** Every workload at every thread count, PyTorch then lsgrad. */
export async function runTorchComparison(settings: TorchComparisonSettings): Promise<TorchReport> {
  const environment = torchEnvironment();
  const { reps, log = () => {} } = settings;
  if ('missing' in environment) return { status: 'not-run', note: environment.missing, reps, rows: [] };
  const rows: TorchRow[] = [];
  for (const workload of settings.workloads ?? TORCH_WORKLOADS) {
    for (const threads of settings.threads) {
      const spec = cellSpec(workload, threads, reps);
      const notes: string[] = [];
      const attempt = async (name: string, run: () => Promise<TorchCellResult>) => {
        try {
          return side(await run());
        } catch (error) {
          notes.push(`${name}: ${(error as Error).message}`);
          return undefined;
        }
      };
      const torch = await attempt('PyTorch', () => torchSide(environment, spec, settings.capSeconds));
      const lsgrad = await attempt('lsgrad', () => lsgradSide(spec, settings.capSeconds));
      rows.push({ workload, label: WORKLOAD_LABELS[workload], threads, torch, lsgrad, ...(notes.length ? { note: notes.join('; ') } : {}) });
      const show = (s?: TorchSide) => (s ? `${s.medianMs.toFixed(0)} ms (cpu ${s.medianCpuMs.toFixed(0)} ms)` : 'failed');
      log(`torch ${workload} ×${threads}: PyTorch ${show(torch)}, lsgrad ${show(lsgrad)}${notes.length ? ` — ${notes.join('; ')}` : ''}`);
    }
  }
  return { status: 'ok', reps, rows };
}

/** lsgrad's speed as a multiple of PyTorch's (> 1: lsgrad faster), by wall and by CPU time. */
export function speedRatios(row: TorchRow): { wall: number; cpu: number } | undefined {
  if (!row.torch || !row.lsgrad) return undefined;
  return { wall: row.torch.medianMs / row.lsgrad.medianMs, cpu: row.torch.medianCpuMs / row.lsgrad.medianCpuMs };
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);

/** The comparison as markdown: one row per workload and thread count. */
export function torchMarkdown(report: TorchReport): string[] {
  const out = ['## lsgrad ÷ PyTorch reference (LSG reference implementation on PyTorch)', ''];
  if (report.status !== 'ok') return [...out, report.note ?? 'not run', ''];
  out.push(
    `Medians of ${report.reps} runs after one warm-up run, each side in its own process, the same thread count on both sides (PyTorch: torch.set_num_threads; lsgrad: LSGRAD_THREADS, i.e. the matmul helper thread at 2). CPU time is user + system of every thread of the process (process.cpuUsage, time.process_time). Ratio > 1: lsgrad faster.`,
    '',
    '| workload | threads | PyTorch CPU | lsgrad CPU | lsgrad ÷ PyTorch speed (CPU) | PyTorch wall | lsgrad wall | lsgrad ÷ PyTorch speed (wall) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const row of report.rows) {
    const r = speedRatios(row);
    const cells = row.torch && row.lsgrad && r
      ? [ms(row.torch.medianCpuMs), ms(row.lsgrad.medianCpuMs), `${r.cpu.toFixed(2)}×`, ms(row.torch.medianMs), ms(row.lsgrad.medianMs), `${r.wall.toFixed(2)}×`]
      : [row.note ?? 'failed', '', '', '', '', ''];
    out.push(`| ${row.label} | ${row.threads} | ${cells.join(' | ')} |`);
  }
  return [...out, ''];
}
