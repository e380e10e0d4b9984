// Kernel rows: matmul GFLOP/s, reusing bench/matmul.ts (the engine issue's benchmark) as it is,
// run in its own process; its markdown table is kept verbatim and parsed into rows.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface KernelReport {
  readonly status: 'ok' | 'failed' | 'not-run';
  readonly note?: string;
  /** bench/matmul.ts's header and table lines, unchanged. */
  readonly lines: string[];
  /** The table as records: column header → cell text. */
  readonly rows?: Record<string, string>[];
}

const MATMUL = fileURLToPath(new URL('./matmul.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function parseTable(lines: string[]): Record<string, string>[] {
  const table = lines.filter((line) => line.startsWith('|'));
  if (table.length < 3) return [];
  const cells = (line: string) => line.split('|').slice(1, -1).map((cell) => cell.trim());
  const header = cells(table[0]!);
  return table.slice(2).map((line) => Object.fromEntries(cells(line).map((cell, i) => [header[i] ?? `column ${i}`, cell])));
}

export function runKernels(args: readonly string[], capSeconds = 600): Promise<KernelReport> {
  if (!existsSync(MATMUL)) return Promise.resolve({ status: 'not-run', note: 'bench/matmul.ts is not in this checkout', lines: [] });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MATMUL, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), capSeconds * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').map((line) => line.trimEnd()).filter((line) => line.length > 0);
      if (code !== 0) return resolve({ status: 'failed', note: `bench/matmul.ts exited ${code}: ${stderr.split('\n').find((l) => /Error/.test(l)) ?? ''}`, lines });
      process.stderr.write('kernels: bench/matmul.ts done\n');
      resolve({ status: 'ok', lines, rows: parseTable(lines) });
    });
  });
}
