// Issue 8's targets, checked against ratios measured in one run (never against absolute times).
import { DENSE_ID } from './attention-cases.js';
import type { AttentionRow, SuiteReport } from './suite.js';

export interface TargetCheck {
  readonly target: string;
  /** The measured ratio and the lengths it was measured at. */
  readonly measured: string;
  readonly value: number;
  readonly threshold: number;
  /** null: not measurable in this run (a cell was skipped or the lengths were not run). */
  readonly met: boolean | null;
}

const REFERENCE_LENGTH = 4096;
const GROWTH_FROM = 2048;
const GROWTH_TO = 8192;

function fb(rows: readonly AttentionRow[], implId: string, length: number): AttentionRow | undefined {
  return rows.find((r) => r.implId === implId && r.length === length && r.mode === 'forwardBackward' && r.result);
}

/** The issue's length when measured, otherwise the largest length measured for every id (quick runs). */
function referenceLength(rows: readonly AttentionRow[], ids: readonly string[], preferred: number): number | undefined {
  const lengths = [...new Set(rows.map((r) => r.length))].sort((a, b) => b - a);
  const measured = lengths.filter((length) => ids.every((id) => fb(rows, id, length)));
  return measured.includes(preferred) ? preferred : measured[0];
}

/** at least `threshold` (higher is better) */
function atLeast(target: string, value: number | undefined, threshold: number, measured: string): TargetCheck {
  if (value === undefined || !Number.isFinite(value)) return { target, measured: `not measurable (${measured})`, value: Number.NaN, threshold, met: null };
  return { target, measured: `${value.toFixed(2)}× ${measured}`, value, threshold, met: value >= threshold };
}

export function checkTargets(report: SuiteReport): TargetCheck[] {
  const rows = report.attention;
  const checks: TargetCheck[] = [];
  const ratioAt = (id: string, versus: string, metric: 'time' | 'memory') => {
    const length = referenceLength(rows, [id, versus], REFERENCE_LENGTH);
    if (length === undefined) return { value: undefined, where: 'no common length' };
    const [a, b] = [fb(rows, id, length)!.result!, fb(rows, versus, length)!.result!];
    const value = metric === 'time' ? b.medianMs / a.medianMs : b.allocatedBytes / a.allocatedBytes;
    return { value, where: `at ${length}${length !== REFERENCE_LENGTH ? ` (issue: ${REFERENCE_LENGTH})` : ''}` };
  };
  let r = ratioAt('lsg-b128-norm', DENSE_ID, 'time');
  checks.push(atLeast('LSG 128/128/2 norm fwd+bwd ≥ 5× faster than lsgrad dense', r.value, 5, r.where));
  r = ratioAt('lsg-b128-norm', DENSE_ID, 'memory');
  checks.push(atLeast('LSG 128/128/2 norm fwd+bwd ≥ 5× less attention memory than lsgrad dense', r.value, 5, r.where));
  r = ratioAt('lsg-b32-norm', DENSE_ID, 'time');
  checks.push(atLeast('LSG 32/32/4 norm fwd+bwd ≥ 15× faster than lsgrad dense', r.value, 15, r.where));
  for (const id of ['lsg-b128-norm', 'lsg-b32-norm']) {
    const lengths = rows.filter((row) => row.implId === id && row.mode === 'forwardBackward' && row.result).map((row) => row.length);
    const to = lengths.includes(GROWTH_TO) ? GROWTH_TO : Math.max(...lengths);
    const from = lengths.includes(GROWTH_FROM) && to === GROWTH_TO ? GROWTH_FROM : to / 4;
    const [a, b] = [fb(rows, id, from), fb(rows, id, to)];
    const growth = a && b ? b.result!.medianMs / a.result!.medianMs : undefined;
    const name = `${id} fwd+bwd time grows ≤ 4.5× from ${GROWTH_FROM} to ${GROWTH_TO}`;
    const where = `from ${from} to ${to}`;
    checks.push(growth === undefined
      ? { target: name, measured: `not measurable (${where})`, value: Number.NaN, threshold: 4.5, met: null }
      : { target: name, measured: `${growth.toFixed(2)}× ${where}`, value: growth, threshold: 4.5, met: growth <= 4.5 });
  }
  r = ratioAt('lsg-b128-norm', 'tfjs-wasm', 'time');
  checks.push(atLeast('LSG 128/128/2 norm fwd+bwd ≥ 4× faster than tfjs-wasm dense fwd+bwd', r.value, 4, r.where));
  r = ratioAt('lsg-b32-norm', 'tfjs-wasm', 'time');
  checks.push(atLeast('(also) LSG 32/32/4 norm fwd+bwd ≥ 4× faster than tfjs-wasm dense fwd+bwd', r.value, 4, r.where));
  // "lsgrad dense at least as fast as tfjs-cpu × 3": at the largest length both measured.
  const length = referenceLength(rows, [DENSE_ID, 'tfjs-cpu'], Number.POSITIVE_INFINITY);
  const pair = length === undefined ? undefined : [fb(rows, DENSE_ID, length)!.result!, fb(rows, 'tfjs-cpu', length)!.result!];
  checks.push(atLeast('lsgrad dense fwd+bwd ≥ 3× faster than tfjs-cpu dense fwd+bwd', pair ? pair[1]!.medianMs / pair[0]!.medianMs : undefined, 3,
    length === undefined ? 'no common length' : `at ${length} (largest length tfjs-cpu finished)`));
  return checks;
}
