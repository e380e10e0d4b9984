// A backend that forwards every kernel to the CPU backend and counts the bytes of the storage
// each kernel returns: the "attention's own buffers" of a call, forward and backward.
import { getBackend, registerBackend, type Backend } from '../engine/index.js';

export const TRACKED_BACKEND = 'bench-cpu';

export interface AllocationCounter {
  /** Bytes of every buffer a kernel returned since the last reset. */
  bytes: number;
  /** Buffers returned since the last reset. */
  buffers: number;
  /** The largest single buffer, in bytes. */
  largest: number;
  reset(): void;
}

const counter: AllocationCounter = {
  bytes: 0, buffers: 0, largest: 0,
  reset() { this.bytes = 0; this.buffers = 0; this.largest = 0; },
};

function record(result: unknown): void {
  if (ArrayBuffer.isView(result)) {
    counter.bytes += result.byteLength;
    counter.buffers += 1;
    if (result.byteLength > counter.largest) counter.largest = result.byteLength;
  }
}

/**
 * Registers (once) the counting wrapper around the 'cpu' backend and returns its counter.
 * A Proxy forwards every method, optional fused kernels included, so the wrapper follows the
 * Backend interface as it grows.
 */
export function useTrackedCpuBackend(): AllocationCounter {
  let registered = true;
  try { getBackend(TRACKED_BACKEND); } catch { registered = false; }
  if (!registered) {
    const cpu = getBackend('cpu');
    const tracked = new Proxy(cpu, {
      get(target, property, receiver) {
        if (property === 'name') return TRACKED_BACKEND;
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || property === 'dispose' || property === 'read') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          record(result);
          return result;
        };
      },
    }) as Backend;
    registerBackend(tracked);
  }
  return counter;
}
