// A debug hook: LSG functions pass their named intermediates through it, so a test can check
// sizes (e.g. that no (seq × seq) tensor is built on the block path) without touching the engine.
import type { Tensor } from '../engine/index.js';

/** Receives each named intermediate and returns it unchanged. */
export type TensorTrace = (name: string, value: Tensor) => Tensor;

/** The identity trace, used when none is given. */
export const noTrace: TensorTrace = (_name, value) => value;

/**
 * A trace that remembers the largest intermediate it saw.
 * @example const tracker = largestTensorTracker(); lsgSelfAttention(q, k, v, { trace: tracker.trace }); tracker.largest.size
 */
export function largestTensorTracker(): { trace: TensorTrace; largest: { name: string; size: number; shape: readonly number[] } } {
  const largest = { name: '', size: 0, shape: [] as readonly number[] };
  const trace: TensorTrace = (name, value) => {
    if (value.size > largest.size) Object.assign(largest, { name, size: value.size, shape: value.shape });
    return value;
  };
  return { trace, largest };
}
