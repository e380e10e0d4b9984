// Runs an ES module script (TypeScript imports allowed) in a child Node process from the project
// root and returns the lines it printed: for checks that need a fresh process, with other
// environment variables or V8 flags than the test's own.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import { MATMUL_FMA_WASM_BASE64 } from '../../backends/cpu/wasm/matmul-fma-wasm.generated.js';

/**
 * The Node flags a child needs for relaxed SIMD: none where this engine has it already (a later
 * Node may no longer know the flag), else Node 20's --experimental-wasm-relaxed-simd.
 */
export const RELAXED_SIMD_FLAGS: readonly string[] = WebAssembly.validate(Buffer.from(MATMUL_FMA_WASM_BASE64, 'base64')) ? [] : ['--experimental-wasm-relaxed-simd'];

export function runScript(script: string, options: { env?: Record<string, string>; nodeFlags?: readonly string[] } = {}): string[] {
  const child = spawnSync(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url), env: { ...process.env, ...options.env }, encoding: 'utf8',
  });
  assert.is(child.status, 0, child.stderr);
  return child.stdout.trim().split('\n');
}
