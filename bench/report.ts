// Markdown tables and the chart of a suite report.
import { attentionImpls, ATTENTION_MODES, DENSE_ID, type AttentionMode } from './attention-cases.js';
import { lineChartSvg, sideBySideChartsSvg, type Series } from '../viz/line-chart.js';
import type { ModeResult } from './measure.js';
import type { AttentionRow, SuiteReport } from './suite.js';
import type { TargetCheck } from './targets.js';
import { torchMarkdown } from './torch/compare.js';

const MiB = 2 ** 20;
const MODE_NAMES: Record<AttentionMode, string> = { forward: 'forward', forwardBackward: 'forward+backward' };

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return s >= 100 ? `${s.toFixed(0)} s` : s >= 10 ? `${s.toFixed(1)} s` : s >= 1 ? `${s.toFixed(2)} s` : `${(ms).toFixed(0)} ms`;
}

export function formatMiB(bytes: number): string {
  const m = bytes / MiB;
  return m >= 100 ? m.toFixed(0) : m >= 10 ? m.toFixed(1) : m.toFixed(2);
}

const ratio = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : ` (${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×)`);

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** Impl × length, one metric per cell; a cell that did not run shows why. */
function wideTable(report: SuiteReport, mode: AttentionMode, cell: (row: AttentionRow, r: ModeResult) => string): string[] {
  const lengths = [...new Set(report.attention.map((r) => r.length))].sort((a, b) => a - b);
  const present = new Set(report.attention.map((r) => r.implId));
  const ids = attentionImpls().map((impl) => impl.id).filter((id) => present.has(id));
  const missing = report.meta.complete === 'true' ? '' : 'pending';
  const rows = ids.map((id) => {
    const label = report.attention.find((r) => r.implId === id)!.label;
    return [label, ...lengths.map((length) => {
      const row = report.attention.find((r) => r.implId === id && r.length === length && r.mode === mode);
      if (!row) return missing;
      return row.result ? cell(row, row.result) : (row.note ?? row.status);
    })];
  });
  return table(['implementation', ...lengths.map(String)], rows);
}

export function markdownReport(report: SuiteReport, targets: TargetCheck[]): string {
  const m = report.meta;
  const out: string[] = [
    `# lsgrad benchmarks (${m.mode})`,
    '',
    ...(m.complete === 'true' ? [] : ['**Partial: the run is in progress or was stopped; "pending" cells did not run.**', '']),
    `${m.date}; commit ${m.commit} (uncommitted changes in engine/backends/lsg/nn: ${m.uncommitted}); Node ${m.node}; ${m.cores} cores (${m.cpu}); ${m.memoryGiB} GiB; load average ${m.loadAverageStart} at start, ${m.loadAverageEnd} at end; ${m.minutes} min.`,
    `NOTE: wall-clock times on a shared machine include waiting for the CPU; CPU time (user + system of the cell's process, all threads, from process.cpuUsage) counts the work only. Where the load average is above the core count, compare CPU times.`,
    `Attention: batch 1, 4 heads, head dim 64, float32, CPU. LSG is the model-level attention (\`lsgAttention\`) with one global token ahead of the sequence's tokens; dense attends over the sequence.`,
    `Each cell runs in its own process with a cap of ${m.capSeconds} s; runs per cell: ${m.reps}. Times are medians. Ratios (×) are lsgrad dense ÷ this row, at the same length (> 1: better than dense).`,
    `"Attention buffers" = bytes of every buffer the kernels returned during one call (tfjs: every tensor buffer tfjs created). "Process peak" = peak resident set minus the resident set before the first call (after a small warm-up call), so it includes garbage not yet collected.`,
    '',
  ];
  out.push('## Summary: attention forward+backward, CPU time (speed-up vs lsgrad dense by CPU time); wall time', '');
  const essential = new Set(['lsgrad-dense', 'lsg-b128-norm', 'lsg-b32-norm', 'tfjs-wasm', 'tfjs-cpu']);
  out.push(...wideTable({ ...report, attention: report.attention.filter((r) => essential.has(r.implId)) }, 'forwardBackward',
    (row, r) => `${formatSeconds(r.medianCpuMs)}${ratio(row.cpuSpeedupVsDense)}; wall ${formatSeconds(r.medianMs)}`), '');
  for (const mode of [...ATTENTION_MODES].reverse()) {
    out.push(`## Attention ${MODE_NAMES[mode]}: median time (speed-up vs lsgrad dense)`, '');
    out.push(...wideTable(report, mode, (row, r) => `${formatSeconds(r.medianMs)}${ratio(row.speedupVsDense)}`), '');
    out.push(`## Attention ${MODE_NAMES[mode]}: median CPU time, all threads (speed-up vs lsgrad dense by CPU time)`, '');
    out.push(...wideTable(report, mode, (row, r) => `${formatSeconds(r.medianCpuMs)}${ratio(row.cpuSpeedupVsDense)}`), '');
    out.push(`## Attention ${MODE_NAMES[mode]}: attention buffers, MiB (reduction vs lsgrad dense)`, '');
    out.push(...wideTable(report, mode, (row, r) => `${formatMiB(r.allocatedBytes)}${ratio(row.memoryRatioVsDense)}`), '');
    out.push(`## Attention ${MODE_NAMES[mode]}: process peak resident set above baseline, MiB`, '');
    out.push(...wideTable(report, mode, (_row, r) => formatMiB(r.peakRssDeltaBytes)), '');
  }
  out.push('## Scaling: fitted exponent p of y ∝ lengthᵖ (least squares on log-log)', '');
  const exp = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
  out.push(...table(
    ['implementation', 'wall time fwd', 'wall time fwd+bwd', 'CPU time fwd', 'CPU time fwd+bwd', 'buffers fwd+bwd', 'process peak fwd+bwd', 'lengths fitted (fwd+bwd)'],
    attentionImpls().filter((impl) => report.scaling.some((s) => s.implId === impl.id)).map((impl) => {
      const [f, fb] = ATTENTION_MODES.map((mode) => report.scaling.find((s) => s.implId === impl.id && s.mode === mode)!);
      return [impl.label, exp(f!.timeExponent), exp(fb!.timeExponent), exp(f!.cpuTimeExponent), exp(fb!.cpuTimeExponent), exp(fb!.allocatedExponent), exp(fb!.rssExponent), fb!.lengths.join(', ')];
    }),
  ), '');
  out.push('## Model: one training step (forward, backward, AdamW) of a small ALBERT classifier', '');
  out.push('1 layer, hidden 256, 4 heads × 64, feed-forward 512, embeddings 64, vocabulary 512, batch 1, no dropout. LSG: `LSGAlbertForSequenceClassification` (lsg/albert.ts) with block 128 / sparse 128 / factor 2, norm, one global token; dense: nn\'s `AlbertForSequenceClassification` with the same sizes.', '');
  out.push(...table(['attention', 'tokens', 'time per step', 'CPU time per step', 'tokens / s', 'buffers per step, MiB', 'process peak, MiB', 'speed-up vs dense (wall / CPU)'], report.model.map((row) => {
    const dense = report.model.find((d) => d.attention === 'dense' && d.length === row.length)?.result;
    const r = row.result;
    if (!r) return [row.attention, String(row.length), row.note ?? row.status, '', '', '', '', ''];
    return [row.attention, String(row.length), formatSeconds(r.medianMs), formatSeconds(r.medianCpuMs), Number(r.extra?.tokensPerSecond ?? 0).toFixed(0), formatMiB(r.allocatedBytes), formatMiB(r.peakRssDeltaBytes), dense ? `${(dense.medianMs / r.medianMs).toFixed(2)}× / ${(dense.medianCpuMs / r.medianCpuMs).toFixed(2)}×` : ''];
  })), '');
  // Reports saved before the PyTorch comparison existed have no torch field.
  if (report.torch) out.push(...torchMarkdown(report.torch));
  out.push('## Kernels: matmul GFLOP/s (bench/matmul.ts)', '');
  out.push(...(report.kernels.status === 'ok' ? report.kernels.lines : [report.kernels.note ?? report.kernels.status]), '');
  out.push('## Targets', '');
  const times = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);
  const verdict = (met: boolean | null, value: number | undefined, t: TargetCheck) => {
    if (met === null || value === undefined || !Number.isFinite(value)) return 'not measured';
    if (met) return 'yes';
    const off = t.direction === 'atLeast' ? t.threshold / value : value / t.threshold;
    return `**no** (${off.toFixed(off < 10 ? 2 : 0)}× ${t.direction === 'atLeast' ? 'short' : 'over'})`;
  };
  out.push(...table(['target', 'where', 'by wall time (memory: bytes)', 'met', 'by CPU time', 'met'],
    targets.map((t) => [t.target, t.where, times(t.value), verdict(t.met, t.value, t), times(t.cpuValue), t.cpuValue === undefined ? '' : verdict(t.cpuMet ?? null, t.cpuValue, t)])), '');
  return out.join('\n');
}

/** Forward+backward wall time, CPU time and attention buffers against length: dense, LSG norm, tfjs. */
export function chartSvg(report: SuiteReport): string {
  const picks: { id: string; color: string; dashed?: boolean }[] = [
    { id: DENSE_ID, color: '#d62728' },
    { id: 'lsg-b128-norm', color: '#1f77b4' },
    { id: 'lsg-b32-norm', color: '#2ca02c' },
    { id: 'tfjs-wasm', color: '#ff7f0e', dashed: true },
    { id: 'tfjs-cpu', color: '#9467bd', dashed: true },
  ];
  const series = (value: (r: ModeResult) => number): Series[] => picks.map(({ id, color, dashed }) => ({
    name: attentionImpls().find((impl) => impl.id === id)!.label, color, dashed,
    points: report.attention.filter((r) => r.implId === id && r.mode === 'forwardBackward' && r.result).map((r) => [r.length, value(r.result!)] as const),
  })).filter((s) => s.points.length > 0);
  const lengths = [...new Set(report.attention.map((r) => r.length))].sort((a, b) => a - b);
  const fmtSeconds = (s: number) => (s >= 1 ? `${s} s` : `${Math.round(s * 1000)} ms`);
  const panel = (title: string, yLabel: string, yFormat: (value: number) => string, value: (r: ModeResult) => number) => lineChartSvg(series(value), {
    title, xLabel: 'sequence length (log)', yLabel, yFormat, xScale: 'log', yScale: 'log', xTicks: lengths,
    width: 400, height: 300, markers: true, legend: 'below',
  });
  return sideBySideChartsSvg([
    panel('forward+backward, wall time', 'seconds (log)', fmtSeconds, (r) => r.medianMs / 1000),
    panel('forward+backward, CPU time', 'seconds (log)', fmtSeconds, (r) => r.medianCpuMs / 1000),
    panel('attention buffers, forward+backward', 'MiB (log)', String, (r) => r.allocatedBytes / MiB),
  ], `batch 1, 4 heads × 64, float32; ${report.meta.date}, load average ${report.meta.loadAverageStart}–${report.meta.loadAverageEnd} on ${report.meta.cores} cores`);
}
