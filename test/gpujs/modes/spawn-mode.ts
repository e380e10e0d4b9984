// Starts mode-child.ts in its own process (GPU modes need their own: xvfb for headless-gl, and Dawn's EGL
// cannot share a process with headless-gl) and parses its result line.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '../parity.js';
import type { LeakRun } from '../leak.js';

export interface ModeRun {
  mode?: string;
  kernelClass?: string;
  adapter?: string;
  results?: CaseResult[];
  leak?: LeakRun;
  residency?: { resident: boolean; detail: string };
  compiledKernels?: number;
  seconds?: number;
  error?: string;
}

const CHILD = fileURLToPath(new URL('./mode-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function runModeInChild(mode: string, options: { xvfb?: boolean; env?: Record<string, string> } = {}): ModeRun {
  const node = [process.execPath, '--import', 'tsx', CHILD, mode];
  const [command, ...args] = options.xvfb ? ['xvfb-run', '-a', ...node] : node;
  const child = spawnSync(command!, args, { cwd: ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 6 * 60_000, maxBuffer: 64 << 20 });
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
  const line = (child.stdout ?? '').split('\n').find((l) => l.startsWith('GPUJS_RESULT '));
  if (!line) {
    return { error: `the ${mode} child printed no result (exit ${child.status}, signal ${child.signal}, ${child.error?.message ?? 'no spawn error'}):\n${output.slice(-3000)}` };
  }
  return JSON.parse(line.slice('GPUJS_RESULT '.length)) as ModeRun;
}
