// A backend that forwards every kernel to the CPU backend and counts the bytes of the storage
// each kernel returns: the "attention's own buffers" of a call, forward and backward.
import { getBackend, registerBackend } from '../engine/index.js';
import { wrapKernels } from './wrap-kernels.js';

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

function countBuffer(buffer: ArrayBufferView): void {
  counter.bytes += buffer.byteLength;
  counter.buffers += 1;
  if (buffer.byteLength > counter.largest) counter.largest = buffer.byteLength;
}

/** A returned buffer, or the buffers a fused kernel returns in a record ({ out, saved }, { dq, dkeys, dvalues }). */
function record(result: unknown): void {
  if (ArrayBuffer.isView(result)) countBuffer(result);
  else if (result !== null && typeof result === 'object') {
    for (const value of Object.values(result)) if (ArrayBuffer.isView(value)) countBuffer(value);
  }
}

/**
 * Registers (once) the counting wrapper around the 'cpu' backend and returns its counter.
 * Every kernel is wrapped, each half of a fused pair included, so the wrapper follows the
 * Backend interface as it grows.
 */
export function useTrackedCpuBackend(): AllocationCounter {
  let registered = true;
  try { getBackend(TRACKED_BACKEND); } catch { registered = false; }
  if (!registered) {
    registerBackend(wrapKernels(getBackend('cpu'), TRACKED_BACKEND, (_key, kernel) => (...args) => {
      const result = kernel(...args);
      record(result);
      return result;
    }, ['dispose', 'read']));
  }
  return counter;
}
