// Runs an ES module script (TypeScript imports allowed) in a child Node process from the project
// root and returns the lines it printed: for checks that need a fresh process, with other
// environment variables or V8 flags than the test's own.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';

export function runScript(script: string, options: { env?: Record<string, string>; nodeFlags?: readonly string[] } = {}): string[] {
  const child = spawnSync(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url), env: { ...process.env, ...options.env }, encoding: 'utf8',
  });
  assert.is(child.status, 0, child.stderr);
  return child.stdout.trim().split('\n');
}
