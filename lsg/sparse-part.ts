// The sparse part of one LSG attention call, planned the same way by the standalone layer and the
// model attention: select the sparse tokens, lay out which of their slots each query block sees,
// and leave the part out when no slot remains.
import type { SparsityType } from './config.js';
import { normalSlots, referenceSlots, type SlotGeometry, type SparseSlots } from './slots.js';
import { selectSparseTokens, type SparseSource, type SparseTokens } from './sparse/index.js';

/** The sparse keys and values, the slots each block reads, and the sparse tokens per block (`step`). */
export type SparsePart = SparseTokens & { readonly slots: SparseSlots; readonly step: number };

/**
 * @internal The sparse part, or undefined when the type selects nothing or the layout has no slot.
 * `path` picks which of the reference's slot arithmetics `referenceQuirks` reproduces.
 */
export function planSparsePart(
  path: 'standalone' | 'model', type: SparsityType, source: SparseSource, geometry: SlotGeometry, referenceQuirks: boolean,
): SparsePart | undefined {
  const tokens = selectSparseTokens(type, source);
  // Slots only matter (and the reference only fails on an odd step) when there are sparse tokens.
  if (!tokens) return undefined;
  const slots = referenceQuirks ? referenceSlots(path, geometry) : normalSlots(geometry);
  if (slots.left.length + slots.right.length === 0) return undefined;
  return { ...tokens, slots, step: geometry.blockSize / geometry.sparsityFactor };
}
