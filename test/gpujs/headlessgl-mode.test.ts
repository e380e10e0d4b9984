// gpujs in gpu.js's headlessgl mode (GLSL on Mesa's software rasteriser) under xvfb-run, in a child process.
// A mode that cannot start fails here: no skip.
import { test } from 'uvu';
import { runModeInChild } from './modes/spawn-mode.js';
import { assertModeRun } from './modes/assert-mode.js';

const run = runModeInChild('headlessgl', { xvfb: true });

assertModeRun(test, run, 'headlessgl', 'HeadlessGLKernel');

test.run();
