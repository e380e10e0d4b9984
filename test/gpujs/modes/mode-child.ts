// Runs the whole gpujs parity suite in one gpu.js mode and prints one JSON line for the parent test.
// Usage: node --import tsx test/gpujs/modes/mode-child.ts <mode>   (headlessgl under xvfb-run -a;
// webgpu with EGL_PLATFORM=surfaceless, in a process of its own).
import { registerBackend } from '../../../engine/index.js';
import { createGpuJsBackend, type GpuJsMode } from '../../../backends/gpujs/index.js';
import { trainTinyMlp } from '../leak.js';
import { checkAlbertStep, checkLsgAttention } from '../model-parity.js';
import { runOpTable, type CaseResult } from '../parity.js';

export const RESULT_PREFIX = 'GPUJS_RESULT ';

const mode = process.argv[2] as GpuJsMode;
const started = Date.now();
let payload: object;
try {
  const backend = createGpuJsBackend({ mode });
  registerBackend(backend);
  const results: CaseResult[] = [...runOpTable(backend.name), ...checkLsgAttention(backend.name), checkAlbertStep(backend.name)];
  const leak = trainTinyMlp(backend, Number(process.env.GPUJS_LEAK_STEPS ?? 200));
  payload = { mode: backend.mode, kernelClass: backend.kernelClass, results, leak, compiledKernels: backend.compiledKernels, seconds: (Date.now() - started) / 1000 };
  backend.destroy();
} catch (error) {
  payload = { error: (error as Error).stack ?? String(error) };
}
console.log(RESULT_PREFIX + JSON.stringify(payload));
// NOTE: exit explicitly: GL contexts and Dawn's device keep Node's event loop alive.
process.exit(0);
