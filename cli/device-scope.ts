// Device memory in the training loop. On the gpujs backend, each training step and each evaluation batch runs in
// a tidy scope that releases its temporaries when it ends, keeping the model (parameters and gradients) and the
// optimizer's state. Without it, device buffers wait for the garbage collector, which does not see GPU memory:
// an H100 ran out of it within a few dozen steps at 4,096 tokens. On the CPU backend the same scopes hand the
// buffers back to its pool, so the next step's forward pass reuses them instead of touching fresh memory (whose
// first touch cost more than the arithmetic: docs/benchmarks.md).
import type { GpuJsBackend } from '../backends/gpujs/index.js';
import { tidy } from '../engine/index.js';

let device: Pick<GpuJsBackend, 'tidy'> | null = null;

/** Called by selectBackend when it makes a gpujs backend the current one. */
export function useDeviceScopes(backend: Pick<GpuJsBackend, 'tidy'> | null): void {
  device = backend;
}

/** Runs fn (synchronous) in a device scope that keeps `keep` (modules, optimizers, tensors) and fn's result. */
export function inDeviceScope<T>(fn: () => T, keep: readonly unknown[]): T {
  return device ? device.tidy(fn, { keep }) : tidy(fn, { keep });
}

/**
 * Runs one forward and backward pass of a step in a scope on the CPU backend, whose scopes keep a kept
 * tensor's .grad (the gradients accumulate over a step's passes). On gpujs it just runs fn: its scopes keep
 * a parameter's values but not its gradient, so there the whole step is the scope (inDeviceScope).
 */
export function inPassScope<T>(fn: () => T, keep: readonly unknown[]): T {
  return device ? fn() : tidy(fn, { keep });
}
