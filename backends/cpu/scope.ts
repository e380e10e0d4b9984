// tidy() on the CPU backend: a memory scope whose buffers go back to the buffer pool when it ends.
// NOTE: why: the storage of a training step's forward activations is unreachable once the step is
// done, but the engine cannot prove it (the caller may hold any tensor). A scope is the caller's
// statement that it holds nothing made inside except what the scope returns or keeps: the contract
// the gpu.js backend already relies on to free device memory, and that the training loop keeps.
import type { TidyOptions } from '../../engine/backend.js';
import { closeBufferScope, openBufferScope } from './buffer-pool.js';

/**
 * Storage reachable from a value: typed arrays, the storage of tensors (and of their .grad, not the
 * graph behind them), and what arrays, maps and plain objects (modules, optimizers) hold.
 */
export function storageReachableFrom(value: unknown, found = new Set<unknown>(), seen = new Set<unknown>()): Set<unknown> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    found.add(value);
    return found;
  }
  const { storage, grad } = value as { storage?: unknown; grad?: unknown };
  if (ArrayBuffer.isView(storage)) {
    found.add(storage);
    storageReachableFrom(grad, found, seen);
    return found;
  }
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  for (const item of items) storageReachableFrom(item, found, seen);
  return found;
}

/**
 * Runs fn (synchronous) in a scope: buffers handed out inside it that neither fn's result nor
 * `options.keep` reaches at its end (and that no assign() adopted) are reused by later kernels.
 * On a throw only `options.keep` survives, as on gpu.js.
 */
export function tidy<T>(fn: () => T, options: TidyOptions = {}): T {
  openBufferScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    closeBufferScope(storageReachableFrom(options.keep ?? []));
    throw error;
  }
  if (result instanceof Promise) {
    closeBufferScope(storageReachableFrom(options.keep ?? []));
    throw new Error('tidy: fn returned a Promise; memory scopes are synchronous');
  }
  closeBufferScope(storageReachableFrom([result, options.keep ?? []]));
  return result;
}
