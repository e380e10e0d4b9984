// Runs the whole gpujs parity suite in one gpu.js mode and prints one JSON line for the parent test.
// Usage: node --import tsx test/gpujs/modes/mode-child.ts <mode>   (headlessgl under xvfb-run -a;
// webgpu with EGL_PLATFORM=surfaceless, in a process of its own).
import { registerBackend } from '../../../engine/index.js';
import { createGpuJsBackend, type GpuJsMode } from '../../../backends/gpujs/index.js';
import { trainTinyMlp } from '../leak.js';
import { checkAlbertStep, checkLsgAttention } from '../model-parity.js';
import { caseByLabel, checkCase, runOpTable, type CaseResult } from '../parity.js';
import { checkResidency } from '../residency.js';
import { checkLargeOutput } from '../large-index.js';

export const RESULT_PREFIX = 'GPUJS_RESULT ';

const mode = process.argv[2] as GpuJsMode;
const started = Date.now();
let payload: object;
let shutdown: () => Promise<void> = async () => {};
try {
  const backend = createGpuJsBackend({ mode });
  registerBackend(backend);
  shutdown = () => backend.destroy();
  const results: CaseResult[] = [...runOpTable(backend.name), ...checkLsgAttention(backend.name), checkAlbertStep(backend.name), checkAlbertStep(backend.name, 'lsg'), ...checkLargeOutput(backend.name)];
  const leak = trainTinyMlp(backend, Number(process.env.GPUJS_LEAK_STEPS ?? 200));
  const residency = checkResidency(backend);
  // A second backend whose kernels may write only 7 outputs per call: these cases run split into chunks.
  const split = createGpuJsBackend({ mode, name: 'gpujs-split', maxOutputElements: 7 });
  registerBackend(split);
  for (const name of ['matmul (broadcast batch)', 'softmax', 'scatterAdd', 'cat']) {
    try {
      checkCase(caseByLabel(name), split.name);
      results.push({ name: `split: ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `split: ${name}`, ok: false, message: (error as Error).message });
    }
  }
  await split.destroy();
  payload = { mode: backend.mode, kernelClass: backend.kernelClass, adapter: backend.adapter, results, leak, residency, compiledKernels: backend.compiledKernels, seconds: (Date.now() - started) / 1000 };
} catch (error) {
  payload = { error: (error as Error).stack ?? String(error) };
}
console.log(RESULT_PREFIX + JSON.stringify(payload));
await shutdown();
// NOTE: exit explicitly (GL contexts keep Node's event loop alive), after the backends are destroyed and
// their webgpu workers have exited: ending the process while Dawn has work in flight can abort it.
process.exit(0);
