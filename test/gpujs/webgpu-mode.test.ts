// gpujs in gpu.js's webgpu mode (WGSL through Dawn: its default adapter, Vulkan on a GPU machine, else its
// OpenGL ES backend on Mesa, so no GPU is needed), in a child process of its own: Dawn's EGL and headless-gl
// cannot share one. A mode that cannot start fails here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runModeInChild } from './modes/spawn-mode.js';
import { assertModeRun } from './modes/assert-mode.js';

const env = { EGL_PLATFORM: 'surfaceless' };
const run = runModeInChild('webgpu', { env });

assertModeRun(test, run, 'webgpu', 'WebGPUKernel');

test('webgpu: a script that calls process.exit() without destroying the backend exits cleanly', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./modes/exit-child.ts', import.meta.url))], {
    env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000,
  });
  assert.match(child.stdout, /EXIT_CHILD computed/, child.stderr.slice(-2000));
  assert.is(child.status, 0, `exit status ${child.status}, signal ${child.signal}: ${child.stderr.slice(-2000)}`);
});

test.run();
