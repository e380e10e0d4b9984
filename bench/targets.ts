// The project's performance targets, checked against ratios measured in one run (never against absolute times).
// Each time ratio is given by wall-clock time (the target) and by CPU time (steadier on a loaded machine).
import { DENSE_ID } from './attention-cases.js';
import type { ModeResult } from './measure.js';
import type { AttentionRow, SuiteReport } from './suite.js';

export interface TargetCheck {
  readonly target: string;
  /** Where it was measured (lengths), or why it could not be. */
  readonly where: string;
  /** The measured ratio by wall-clock time (or bytes); NaN when not measurable. */
  readonly value: number;
  /** The same ratio by CPU time, for time targets. */
  readonly cpuValue?: number;
  readonly threshold: number;
  /** 'atLeast': value ≥ threshold; 'atMost': value ≤ threshold. */
  readonly direction: 'atLeast' | 'atMost';
  /** null: not measurable in this run (a cell was skipped or the lengths were not run). */
  readonly met: boolean | null;
  /** The same verdict by CPU time (time targets only). */
  readonly cpuMet?: boolean | null;
}

const REFERENCE_LENGTH = 4096;
const GROWTH_FROM = 2048;
const GROWTH_TO = 8192;

function fb(rows: readonly AttentionRow[], implId: string, length: number): ModeResult | undefined {
  return rows.find((r) => r.implId === implId && r.length === length && r.mode === 'forwardBackward' && r.result)?.result;
}

/** The preferred length when measured for every id, otherwise the largest such length (quick runs). */
function commonLength(rows: readonly AttentionRow[], ids: readonly string[], preferred: number): number | undefined {
  const lengths = [...new Set(rows.map((r) => r.length))].sort((a, b) => b - a);
  const measured = lengths.filter((length) => ids.every((id) => fb(rows, id, length)));
  return measured.includes(preferred) ? preferred : measured[0];
}

function check(target: string, threshold: number, direction: TargetCheck['direction'], where: string, value?: number, cpuValue?: number): TargetCheck {
  const passes = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : direction === 'atLeast' ? x >= threshold : x <= threshold);
  if (value === undefined || !Number.isFinite(value)) return { target, where, value: Number.NaN, threshold, direction, met: null };
  return { target, where, value, cpuValue, threshold, direction, met: passes(value), ...(cpuValue === undefined ? {} : { cpuMet: passes(cpuValue) }) };
}

/** `faster` ÷ `slower`-style ratio of `versus` over `id` at the reference length. */
function ratioCheck(rows: readonly AttentionRow[], target: string, id: string, versus: string, threshold: number, metric: 'time' | 'memory', preferred = REFERENCE_LENGTH): TargetCheck {
  const length = commonLength(rows, [id, versus], preferred);
  if (length === undefined) return check(target, threshold, 'atLeast', `no length with both ${id} and ${versus}`);
  const [a, b] = [fb(rows, id, length)!, fb(rows, versus, length)!];
  const where = `at ${length}${Number.isFinite(preferred) && length !== preferred ? ` (issue: ${preferred})` : ''}`;
  return metric === 'time'
    ? check(target, threshold, 'atLeast', where, b.medianMs / a.medianMs, b.medianCpuMs / a.medianCpuMs)
    : check(target, threshold, 'atLeast', where, b.allocatedBytes / a.allocatedBytes);
}

function growthCheck(rows: readonly AttentionRow[], id: string, label: string): TargetCheck {
  const lengths = rows.filter((row) => row.implId === id && row.mode === 'forwardBackward' && row.result).map((row) => row.length);
  const target = `${label} fwd+bwd time grows ≤ 4.5× from ${GROWTH_FROM} to ${GROWTH_TO}`;
  if (lengths.length === 0) return check(target, 4.5, 'atMost', 'not measured');
  const to = lengths.includes(GROWTH_TO) ? GROWTH_TO : Math.max(...lengths);
  const from = to / 4;
  const [a, b] = [fb(rows, id, from), fb(rows, id, to)];
  const where = `from ${from} to ${to}`;
  return a && b ? check(target, 4.5, 'atMost', where, b.medianMs / a.medianMs, b.medianCpuMs / a.medianCpuMs) : check(target, 4.5, 'atMost', `${where}: not measured`);
}

export function checkTargets(report: SuiteReport): TargetCheck[] {
  const rows = report.attention;
  return [
    ratioCheck(rows, 'LSG 128/128/2 norm fwd+bwd ≥ 5× faster than lsgrad dense', 'lsg-b128-norm', DENSE_ID, 5, 'time'),
    ratioCheck(rows, 'LSG 128/128/2 norm fwd+bwd ≥ 5× less attention memory than lsgrad dense', 'lsg-b128-norm', DENSE_ID, 5, 'memory'),
    ratioCheck(rows, 'LSG 32/32/4 norm fwd+bwd ≥ 15× faster than lsgrad dense', 'lsg-b32-norm', DENSE_ID, 15, 'time'),
    growthCheck(rows, 'lsg-b128-norm', 'LSG 128/128/2 norm'),
    growthCheck(rows, 'lsg-b32-norm', 'LSG 32/32/4 norm'),
    ratioCheck(rows, 'LSG 128/128/2 norm fwd+bwd ≥ 4× faster than tfjs-wasm dense fwd+bwd', 'lsg-b128-norm', 'tfjs-wasm', 4, 'time'),
    ratioCheck(rows, 'LSG 32/32/4 norm fwd+bwd ≥ 4× faster than tfjs-wasm dense fwd+bwd', 'lsg-b32-norm', 'tfjs-wasm', 4, 'time'),
    // "lsgrad dense at least as fast as tfjs-cpu × 3": at the largest length both finished.
    ratioCheck(rows, 'lsgrad dense fwd+bwd ≥ 3× faster than tfjs-cpu dense fwd+bwd', DENSE_ID, 'tfjs-cpu', 3, 'time', Number.POSITIVE_INFINITY),
  ];
}
