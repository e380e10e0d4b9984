// Bundled for the browser by test/browser.test.ts: one product and exp on the gpu.js plugin in a mode.
import { registerBackend, tensor, withBackend } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';

export function productOnGpuJs(mode: string): { mode: string; values: number[] } {
  const backend = createGpuJsBackend({ mode: mode as never, name: `gpujs-${mode}` });
  registerBackend(backend);
  const values = withBackend(backend.name, () => tensor([[1, 2], [3, 4]]).matmul(tensor([[0.5, -1], [0.25, 2]])).exp().toTypedArray());
  return { mode: backend.mode, values: Array.from(values) };
}
