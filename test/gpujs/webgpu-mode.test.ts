// gpujs in gpu.js's webgpu mode (WGSL through Dawn's OpenGL ES backend on Mesa, no GPU needed), in a child
// process of its own: Dawn's EGL and headless-gl cannot share one. A mode that cannot start fails here.
import { test } from 'uvu';
import { runModeInChild } from './modes/spawn-mode.js';
import { assertModeRun } from './modes/assert-mode.js';

const run = runModeInChild('webgpu', { env: { EGL_PLATFORM: 'surfaceless' } });

assertModeRun(test, run, 'webgpu', 'WebGPUKernel');

test.run();
