// One wrapper for the benchmarks that watch kernels (the profiler's timer, the allocation counter):
// a copy of a backend with every kernel, each half of a fused pair included, passed through `wrap`.
import type { Backend } from '../engine/index.js';

type Kernel = (...args: unknown[]) => unknown;

function isPair(value: unknown): value is { forward: Kernel; backward: Kernel } {
  return typeof value === 'object' && value !== null
    && typeof (value as { forward?: unknown }).forward === 'function' && typeof (value as { backward?: unknown }).backward === 'function';
}

/**
 * The backend under `name`, its kernels replaced by `wrap(key, kernel)`; a pair's halves get the keys
 * `softmax.forward` and `softmax.backward`, and its other members (blockAttention.preferredFor) pass
 * through. Members listed in `unwrapped` are passed through as they are.
 * @example registerBackend(wrapKernels(getBackend('cpu'), 'timed-cpu', (key, kernel) => (...args) => time(key, () => kernel(...args))));
 */
export function wrapKernels(backend: Backend, name: string, wrap: (key: string, kernel: Kernel) => Kernel, unwrapped: readonly string[] = []): Backend {
  const wrapped: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(backend)) {
    if (unwrapped.includes(key)) wrapped[key] = value;
    else if (typeof value === 'function') wrapped[key] = wrap(key, (value as Kernel).bind(backend));
    else if (isPair(value)) wrapped[key] = { ...value, forward: wrap(`${key}.forward`, value.forward.bind(value)), backward: wrap(`${key}.backward`, value.backward.bind(value)) };
    else wrapped[key] = value;
  }
  return { ...(wrapped as unknown as Backend), name };
}
