// The end-of-run files in --out: metrics.json, curves.svg (loss and accuracy against the step)
// and attention.svg (one head's attention pattern on a real email).
import { join } from 'node:path';
import { lineChartSvg, stackedChartsSvg } from '../viz/line-chart.js';
import { heatmapSvg } from '../viz/heatmap.js';
import type { AttentionGrid } from './attention-grid.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import type { BaselineResult } from './baseline.js';
import type { Email } from './data/corpus.js';
import type { Scored } from './evaluate.js';
import type { SpamClassifier } from './model.js';
import type { TrainerState } from './run-state.js';
import type { TrainOptions } from './train-flags.js';

export interface RunArtifacts {
  options: TrainOptions;
  classifier: SpamClassifier;
  state: TrainerState;
  test: Scored;
  baseline?: BaselineResult;
  peakRssBytes: number;
  dataSizes: { train: number; validation: number; test: number };
  attentionEmail: Email;
}

/** Mean of a trailing window, so the noisy per-batch loss shows its trend. */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((value, index) => {
    sum += value;
    if (index >= window) sum -= values[index - window]!;
    out.push(sum / Math.min(index + 1, window));
  });
  return out;
}

export function curvesSvg(state: TrainerState, test: Scored | undefined, baseline: BaselineResult | undefined): string {
  // Skipped steps (a non-finite loss; null once saved as JSON) have no point on the curve.
  const losses = state.losses.map((loss, index) => [index + 1, loss] as const).filter(([, loss]) => Number.isFinite(loss));
  const smoothedValues = movingAverage(losses.map(([, loss]) => loss), 10);
  const smoothed = losses.map(([step], index) => [step, smoothedValues[index]!] as const);
  const lossChart = lineChartSvg(
    [{ name: 'train loss', points: losses, color: '#9ecae1' }, { name: 'moving avg (10)', points: smoothed, color: '#08519c' }],
    { title: 'Training loss', xLabel: 'step', yLabel: 'cross-entropy' },
  );
  const last = state.step;
  const accuracySeries = [
    { name: 'validation accuracy', points: state.validations.map((point) => [point.step, point.metrics.accuracy] as const) },
    { name: 'validation F1 (spam)', points: state.validations.map((point) => [point.step, point.metrics.f1] as const) },
  ];
  if (test) accuracySeries.push({ name: 'test accuracy', points: [[last, test.metrics.accuracy]] });
  if (baseline) accuracySeries.push({ name: 'naive Bayes (test)', points: [[1, baseline.test.accuracy], [last, baseline.test.accuracy]] });
  const accuracyChart = lineChartSvg(accuracySeries, { title: 'Accuracy', xLabel: 'step', yLabel: 'fraction', yRange: [0.5, 1] });
  return stackedChartsSvg([lossChart, accuracyChart]);
}

/** Rows and columns of the close-up picture (attention-start.svg): small enough to draw unpooled. */
const ATTENTION_CLOSE_UP = 256;

export async function writeRunArtifacts(run: RunArtifacts): Promise<void> {
  const { options, state } = run;
  const stepsThisRun = state.losses.length;
  const metrics = {
    options,
    data: { ...run.dataSizes, split: 'MD5-checksum fraction: train < 0.8 ≤ validation < 0.9 ≤ test', seqLen: options.seqLen },
    model: { description: run.classifier.description, parameters: run.classifier.module.parameters().reduce((total, p) => total + p.size, 0) },
    test: run.test.metrics,
    testSeconds: run.test.seconds,
    testCpuSeconds: run.test.cpuSeconds,
    validations: state.validations,
    baseline: run.baseline,
    losses: state.losses,
    timing: {
      trainSeconds: state.trainSeconds,
      trainCpuSeconds: state.trainCpuSeconds,
      secondsPerStep: stepsThisRun > 0 ? state.trainSeconds / stepsThisRun : null,
      cpuSecondsPerStep: stepsThisRun > 0 ? state.trainCpuSeconds / stepsThisRun : null,
      validationCpuSeconds: state.validations.reduce((total, point) => total + point.cpuSeconds, 0),
      processCpuSeconds: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
      processWallSeconds: process.uptime(),
      tokensPerSecond: state.trainSeconds > 0 ? state.trainTokens / state.trainSeconds : null,
    },
    peakRssMiB: Math.round(run.peakRssBytes / 2 ** 20),
  };
  writeJsonAtomic(join(options.out, 'metrics.json'), metrics);
  writeFileAtomic(join(options.out, 'curves.svg'), curvesSvg(state, run.test, run.baseline));
  const { whole, closeUp } = run.classifier.attentionPatterns(run.attentionEmail.text, options.seqLen, ATTENTION_CLOSE_UP);
  const email = `test email ${run.attentionEmail.key} (${run.attentionEmail.label === 1 ? 'spam' : 'ham'})`;
  const picture = (pattern: AttentionGrid, title: string) => heatmapSvg(pattern.values, pattern.rows, pattern.columns, {
    title,
    subtitles: [pattern.title, 'shade: p / largest p of the row; pale = may attend but barely does; white = cannot attend'],
    xLabel: `keys (${pattern.length})`,
    yLabel: `queries (${pattern.length})`,
  });
  writeFileAtomic(join(options.out, 'attention.svg'), picture(whole, `Layer 0, head 0 attention on ${email}`));
  writeFileAtomic(join(options.out, 'attention-start.svg'), picture(closeUp, `Layer 0, head 0 attention on the first ${closeUp.length} tokens of ${email}`));
}
