// The one strided iteration helper every CPU loop uses.
// It merges axes that are contiguous in every operand so the inner loop runs as long as possible.

export interface Strided {
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A callback over one run: `bases[k]` is operand k's offset at the run start, `innerStrides[k]` its step. */
export type RunVisitor = (bases: Int32Array, length: number, outStart: number, innerStrides: Int32Array) => void;

/** Drops size-1 axes and merges neighbours that are contiguous in every operand. */
export function collapseAxes(shape: readonly number[], stridesList: readonly (readonly number[])[]) {
  const dims: number[] = [];
  const strides: number[][] = stridesList.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const dim = shape[axis]!;
    if (dim === 1) continue;
    const last = dims.length - 1;
    const mergeable = last >= 0 && stridesList.every((s, k) => strides[k]![last] === s[axis]! * dim);
    if (mergeable) {
      dims[last] = dims[last]! * dim;
      stridesList.forEach((s, k) => (strides[k]![last] = s[axis]!));
    } else {
      dims.push(dim);
      stridesList.forEach((s, k) => strides[k]!.push(s[axis]!));
    }
  }
  return { dims, strides };
}

/**
 * Visits every element of `shape` in row-major order as runs along the innermost merged axis.
 * `outStart` is the row-major index of the run's first element.
 */
export function forEachRun(shape: readonly number[], operands: readonly Strided[], visit: RunVisitor): void {
  let size = 1;
  for (const dim of shape) size *= dim;
  if (size === 0) return;
  const { dims, strides } = collapseAxes(shape, operands.map((op) => op.strides));
  const count = operands.length;
  const bases = Int32Array.from(operands.map((op) => op.offset));
  const rank = dims.length;
  if (rank === 0) {
    visit(bases, 1, 0, new Int32Array(count));
    return;
  }
  const innerLength = dims[rank - 1]!;
  const innerStrides = Int32Array.from(strides.map((s) => s[rank - 1]!));
  const counter = new Int32Array(rank);
  const runs = size / innerLength;
  for (let run = 0; run < runs; run++) {
    visit(bases, innerLength, run * innerLength, innerStrides);
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]!++;
      for (let k = 0; k < count; k++) bases[k]! += strides[k]![axis]!;
      if (counter[axis]! < dims[axis]!) break;
      for (let k = 0; k < count; k++) bases[k]! -= strides[k]![axis]! * dims[axis]!;
      counter[axis] = 0;
    }
  }
}

/** Reorders a layout's axes (a view: no data moves). */
export function permuteLayout<T extends { shape: readonly number[]; strides: readonly number[]; offset: number }>(
  view: T,
  axes: readonly number[],
): T {
  return { ...view, shape: axes.map((a) => view.shape[a]!), strides: axes.map((a) => view.strides[a]!) };
}
