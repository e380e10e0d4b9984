// Closeness assertions with named tolerances.
import type { Tensor } from '../../engine/index.js';

/** Float64 gradient checks and exact-math comparisons. */
export const F64_TOL = { rtol: 1e-7, atol: 1e-9 } as const;
/** Float32 results against each other or a reference computed in float32. */
export const F32_TOL = { rtol: 1e-4, atol: 1e-5 } as const;

export interface Tolerance { rtol: number; atol: number }

type Values = Tensor | ArrayLike<number> | number;

function flat(values: Values): ArrayLike<number> {
  if (typeof values === 'number') return [values];
  if ('toTypedArray' in values && typeof values.toTypedArray === 'function') return values.toTypedArray();
  return values as ArrayLike<number>;
}

/** Throws with the first offending index and both values when |a − e| > atol + rtol·|e| anywhere. */
export function expectClose(actual: Values, expected: Values, tol: Tolerance = F32_TOL, label = 'values'): void {
  const a = flat(actual);
  const e = flat(expected);
  if (a.length !== e.length) throw new Error(`${label}: ${a.length} values, expected ${e.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - e[i]!);
    const excess = diff - (tol.atol + tol.rtol * Math.abs(e[i]!));
    if (excess > worstExcess || (Number.isNaN(a[i]!) !== Number.isNaN(e[i]!))) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new Error(`${label}: index ${worst} is ${a[worst]}, expected ${e[worst]} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}

/** The largest |a − e| (for reporting errors against golden values). */
export function maxAbsDiff(actual: Values, expected: Values): number {
  const a = flat(actual);
  const e = flat(expected);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!));
  return worst;
}
