// Device memory in the training loop. On the gpujs backend, each training step and each evaluation batch runs in
// a tidy scope that releases its temporaries when it ends, keeping the model (parameters and gradients) and the
// optimizer's state. Without it, device buffers wait for the garbage collector, which does not see GPU memory:
// an H100 ran out of it within a few dozen steps at 4,096 tokens. On the CPU backend the scopes do nothing.
import type { GpuJsBackend } from '../backends/gpujs/index.js';

let device: Pick<GpuJsBackend, 'tidy'> | null = null;

/** Called by selectBackend when it makes a gpujs backend the current one. */
export function useDeviceScopes(backend: Pick<GpuJsBackend, 'tidy'> | null): void {
  device = backend;
}

/** Runs fn (synchronous) in a device scope that keeps `keep` (modules, optimizers, tensors) and fn's result. */
export function inDeviceScope<T>(fn: () => T, keep: readonly unknown[]): T {
  return device ? device.tidy(fn, { keep }) : fn();
}
