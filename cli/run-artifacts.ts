// The end-of-run files in --out: metrics.json, curves.svg (loss and accuracy against the step)
// and attention.svg (one head's attention pattern on a real test document).
import { join } from 'node:path';
import { lineChartSvg, stackedChartsSvg } from '../viz/line-chart.js';
import { heatmapSvg } from '../viz/heatmap.js';
import type { AttentionGrid } from './attention-grid.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';
import type { BaselineResult } from './baseline.js';
import type { Dataset, Example } from './data/dataset.js';
import type { Scored } from './evaluate.js';
import type { TextClassifier } from './model.js';
import type { TrainerState } from './run-state.js';
import type { TrainOptions } from './train-flags.js';

export interface RunArtifacts {
  options: TrainOptions;
  out: string;
  dataset: Pick<Dataset, 'name' | 'labels' | 'split'>;
  classifier: TextClassifier;
  state: TrainerState;
  test: Scored;
  baseline?: BaselineResult;
  peakRssBytes: number;
  dataSizes: { train: number; validation: number; test: number };
  attentionExample: Example;
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

export function curvesSvg(state: TrainerState, test: Scored | undefined, baseline: BaselineResult | undefined, labels: readonly string[]): string {
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
    { name: labels.length === 2 ? `validation F1 (${labels[1]})` : 'validation macro F1', points: state.validations.map((point) => [point.step, point.metrics.f1] as const) },
  ];
  if (test) accuracySeries.push({ name: 'test accuracy', points: [[last, test.metrics.accuracy]] });
  if (baseline) accuracySeries.push({ name: 'naive Bayes (test)', points: [[1, baseline.test.accuracy], [last, baseline.test.accuracy]] });
  const accuracyChart = lineChartSvg(accuracySeries, { title: 'Accuracy', xLabel: 'step', yLabel: 'fraction', yRange: [0.5, 1] });
  return stackedChartsSvg([lossChart, accuracyChart]);
}

/** Rows and columns of the close-up picture (attention-start.svg): small enough to draw unpooled. */
const ATTENTION_CLOSE_UP = 256;

export async function writeRunArtifacts(run: RunArtifacts): Promise<void> {
  const { options, state, out } = run;
  const stepsThisRun = state.losses.length;
  const metrics = {
    options,
    data: { name: run.dataset.name, labels: run.dataset.labels, ...run.dataSizes, split: run.dataset.split, seqLen: options.seqLen },
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
  writeJsonAtomic(join(out, 'metrics.json'), metrics);
  writeFileAtomic(join(out, 'curves.svg'), curvesSvg(state, run.test, run.baseline, run.dataset.labels));
  const example = run.attentionExample;
  const { whole, closeUp } = run.classifier.attentionPatterns(example.text, options.seqLen, ATTENTION_CLOSE_UP);
  const email = `test document ${example.key} (${run.dataset.labels[example.label]})`;
  const picture = (pattern: AttentionGrid, title: string) => heatmapSvg(pattern.values, pattern.rows, pattern.columns, {
    title,
    subtitles: [pattern.title, 'shade: p / largest p of the row; pale = may attend but barely does; white = cannot attend'],
    xLabel: `keys (${pattern.length})`,
    yLabel: `queries (${pattern.length})`,
  });
  writeFileAtomic(join(out, 'attention.svg'), picture(whole, `Layer 0, head 0 attention on ${email}`));
  writeFileAtomic(join(out, 'attention-start.svg'), picture(closeUp, `Layer 0, head 0 attention on the first ${closeUp.length} tokens of ${email}`));
}
