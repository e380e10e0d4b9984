// Which sparse-sequence slots each query block sees (docs/lsg-reference.md#block-keys, #model-attention, #slot-arithmetic).
// Slots are given as offsets from `blockIndex * step` in sparse-token units, where
// step = blockSize / sparsityFactor is the number of sparse tokens per block.
import { argumentError } from '../engine/errors.js';

export interface SparseSlots {
  /** Offsets of the slots before the local window. */
  readonly left: readonly number[];
  /** Offsets of the slots after the local window (empty when causal). */
  readonly right: readonly number[];
}

export interface SlotGeometry {
  readonly blockSize: number;
  readonly sparsityFactor: number;
  /** Slots per side: blockSize in the standalone layer, sparseBlockSize in the model. */
  readonly slotsPerSide: number;
  readonly isCausal: boolean;
}

function range(start: number, end: number): number[] {
  return Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i);
}

/**
 * The correct layout (paper §3.2): the `slotsPerSide` sparse tokens just before the local window
 * [(i-1)·bs, (i+2)·bs) and, unless causal, the ones just after it.
 * @example normalSlots({ blockSize: 16, sparsityFactor: 4, slotsPerSide: 16, isCausal: false }).left[0] // -20
 */
export function normalSlots(geometry: SlotGeometry): SparseSlots {
  const step = geometry.blockSize / geometry.sparsityFactor;
  return {
    left: range(-step - geometry.slotsPerSide, -step),
    right: geometry.isCausal ? [] : range(2 * step, 2 * step + geometry.slotsPerSide),
  };
}

/** Python's `range(size)[start:stop]`: negative bounds count from the end, then clamp; -0 is 0. */
function pythonSlice(size: number, start: number, stop: number): number[] {
  const resolve = (bound: number) => Math.min(size, Math.max(0, bound < 0 ? bound + size : bound));
  return range(resolve(start), resolve(stop));
}

/**
 * The layout the reference's pad-unfold-slice arithmetic actually produces (docs/lsg-reference.md#slot-arithmetic), which
 * differs from `normalSlots` in degenerate regimes (empty sides, shifted or duplicated slots).
 * Throws where the reference itself crashes.
 * @example referenceSlots('standalone', { blockSize: 8, sparsityFactor: 2, slotsPerSide: 8, isCausal: false }) // { left: [], right: [] }
 */
export function referenceSlots(path: 'standalone' | 'model', geometry: SlotGeometry): SparseSlots {
  const { blockSize, sparsityFactor, slotsPerSide, isCausal } = geometry;
  const step = blockSize / sparsityFactor;
  const odd = step % 2;
  let size: number;
  let start: number;
  if (path === 'standalone') {
    if (odd) {
      throw argumentError('referenceSlots', 'blockSize / sparsityFactor', step,
        'an even number: the reference standalone layer fails with a torch.cat size error for an odd step');
    }
    size = 3 * blockSize;
    start = Math.floor((size - step) / 2);
  } else {
    if (odd && step > 1) {
      throw argumentError('referenceSlots', 'blockSize / sparsityFactor', step,
        'an even number or 1: the reference model drops one window too many for an odd step above 1 and fails');
    }
    size = 6 * slotsPerSide;
    start = Math.floor((size - step) / 2) + odd;
  }
  const u = Math.floor((size - Math.floor((3 * blockSize) / sparsityFactor)) / 2) + odd;
  const uRight = u + odd;
  // Window i covers sparse coordinates i*step - start + p for p in [0, size).
  const toOffsets = (positions: number[]) => positions.map((p) => p - start);
  return {
    left: toOffsets(pythonSlice(size, u - slotsPerSide, u)),
    right: isCausal ? [] : toOffsets(pythonSlice(size, -uRight, -uRight + slotsPerSide)),
  };
}
