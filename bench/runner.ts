// Runs one cell in a fresh Node process with a wall-clock cap, and collects its RESULT lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CellSpec } from './cell.js';
import type { ModeResult } from './measure.js';

export interface CellOutcome {
  /** 'ok': every mode reported; 'timeout': killed at the cap; 'failed': exited with an error. */
  readonly status: 'ok' | 'timeout' | 'failed';
  readonly results: ModeResult[];
  readonly wallSeconds: number;
  /** The last lines of stderr when the cell failed. */
  readonly message?: string;
}

/** Children still running, ended with the suite when it is interrupted. */
const active = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of active) child.kill('SIGKILL');
    process.exit(130);
  });
}

const CELL = fileURLToPath(new URL('./cell.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Spawns bench/cell.ts on `spec`; kills it after `capSeconds`. */
export function runCell(spec: CellSpec, capSeconds: number): Promise<CellOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CELL, JSON.stringify(spec)], {
      cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    active.add(child);
    const results: ModeResult[] = [];
    let stdoutRest = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (stdoutRest + chunk.toString()).split('\n');
      stdoutRest = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('RESULT ')) results.push(JSON.parse(line.slice(7)) as ModeResult);
    });
    child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-20_000); });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, capSeconds * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      active.delete(child);
      const wallSeconds = (performance.now() - started) / 1000;
      if (timedOut) return resolve({ status: 'timeout', results, wallSeconds });
      if (code === 0) return resolve({ status: 'ok', results, wallSeconds });
      // Keep the error line, not the minified tfjs source Node prints around it.
      const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l.length > 0 && l.length < 400 && !/^\^+$/.test(l));
      const reason = lines.find((l) => /Error|out of memory|Killed/i.test(l)) ?? lines.at(-1) ?? `exit ${code ?? signal}`;
      resolve({ status: 'failed', results, wallSeconds, message: signal ? `${reason} (signal ${signal})` : reason });
    });
  });
}
