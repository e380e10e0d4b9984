// scatterAdd's plan, built on the host from the int32 index (which lives there): for each output element, the
// list of src elements to add to it, as compressed lists (starts, sources) that a kernel walks.
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import * as cpuKernels from '../cpu/kernels.js';
import type { GpuJsStorage } from './memory.js';

type S = GpuJsStorage;

/**
 * For an index that covers x on every axis but `axis` (indexSelect's, expanded over the rest, or a per-head
 * index expanded over the head dimension): compressed lists keyed by an output element's coordinates on the
 * axes where the index varies, `axis` included, of the positions i along the index's axis whose value lands
 * there. The lists are as long as the index's distinct entries, not its expanded size. Returns null for an
 * index that covers only part of x. keyStrides: each x axis's step in the key (0 where the index repeats).
 */
export function repeatedIndexLists(shape: readonly number[], axis: number, index: View<S>, indexValues: TypedArray) {
  if (!index.shape.every((d, a) => a === axis || d === shape[a])) return null;
  const keyed = shape.map((_, a) => a === axis || (index.shape[a]! > 1 && index.strides[a] !== 0));
  const keyStrides = shape.map(() => 0);
  let targetCount = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    if (!keyed[a]) continue;
    keyStrides[a] = targetCount;
    targetCount *= shape[a]!;
  }
  // The distinct entries: the index with its repeated axes taken once.
  const distinct = index.shape.map((d, a) => (keyed[a] ? d : 1));
  const targets = new Int32Array(sizeOf(distinct));
  const sources = new Int32Array(targets.length);
  const coordinates = distinct.map(() => 0);
  for (let k = 0; k < targets.length; k++) {
    let at = index.offset;
    let key = 0;
    coordinates.forEach((c, a) => {
      at += c * index.strides[a]!;
      if (a !== axis) key += c * keyStrides[a]!;
    });
    targets[k] = key + indexValues[at]! * keyStrides[axis]!;
    sources[k] = coordinates[axis]!;
    for (let a = distinct.length - 1; a >= 0 && ++coordinates[a]! === distinct[a]!; a--) coordinates[a] = 0;
  }
  return { ...compressedLists(targetCount, targets, (k) => sources[k]!), keyStrides };
}

/**
 * Compressed lists from targets: starts (length targetCount + 1) and the sources grouped by target, plus the
 * longest list's length rounded up to a power of two (the kernel's loop bound, so similar calls share a kernel).
 */
function compressedLists(targetCount: number, targets: ArrayLike<number>, sourceOf: (k: number) => number) {
  const counts = new Int32Array(targetCount + 1);
  for (let k = 0; k < targets.length; k++) counts[targets[k]! + 1]!++;
  let maxCount = 0;
  for (let i = 1; i < counts.length; i++) {
    maxCount = Math.max(maxCount, counts[i]!);
    counts[i]! += counts[i - 1]!;
  }
  const starts = Float32Array.from(counts);
  const fill = counts.slice(0, -1);
  const sources = new Float32Array(targets.length);
  for (let k = 0; k < targets.length; k++) sources[fill[targets[k]!]!++] = sourceOf(k);
  return { starts, sources, maxCount: maxCount === 0 ? 0 : 2 ** Math.ceil(Math.log2(maxCount)) };
}

/**
 * For scatterAdd with any other index: the src offsets that land on each output element (row-major over x's
 * shape), as compressed lists (a counting sort of the index, over every one of its elements).
 */
export function scatterLists(shape: readonly number[], axis: number, index: View<S>, indexValues: TypedArray, src: View<S>) {
  const outStrides = contiguousStrides(shape);
  const targets = new Int32Array(sizeOf(index.shape));
  const sourceOffsets = new Int32Array(targets.length);
  const spread = outStrides.map((stride, a) => (a === axis ? 0 : stride));
  let k = 0;
  cpuKernels.forEachRun(index.shape, [index, src, { strides: spread, offset: 0 }], (bases, length, _o, steps) => {
    for (let j = 0, ii = bases[0]!, is = bases[1]!, io = bases[2]!; j < length; j++, ii += steps[0]!, is += steps[1]!, io += steps[2]!, k++) {
      targets[k] = io + indexValues[ii]! * outStrides[axis]!;
      sourceOffsets[k] = is;
    }
  });
  return compressedLists(sizeOf(shape), targets, (e) => sourceOffsets[e]!);
}
