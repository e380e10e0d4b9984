/** The training panel: three attentions trained side by side with live curves, then saved and reloaded. */
import type { PretrainedFiles } from 'lsgrad/nn';
import { SPARSITY_TYPES } from 'lsgrad/lsg';
import { lineChartSvg, type Series } from '../../viz/line-chart.js';
import { readPretrainedFiles } from './checkpoint-files.js';
import { byId, downloadFiles, duration, messageOf, numberIn, valueIn } from './dom.js';
import { reloadAndScore, TASKS, trainSideBySide, TRAINING_DEFAULTS, type KindCurves, type TaskName, type TrainingSettings } from './training.js';

const COLORS: Record<string, string> = { local: '#7f7f7f', dense: '#d62728' };
const LSG_COLOR = '#1f77b4';

export function trainingSettings(): TrainingSettings {
  return {
    ...TRAINING_DEFAULTS,
    task: valueIn('t-task') as TaskName,
    sparsityType: valueIn('t-sparsityType') as TrainingSettings['sparsityType'],
    seqLen: numberIn('t-seqLen'), steps: numberIn('t-steps'), blockSize: numberIn('t-blockSize'), evalEvery: numberIn('t-evalEvery'),
  };
}

function drawCurves(curves: readonly KindCurves[]): void {
  const series = (pick: (curve: KindCurves) => [number, number][]): Series[] =>
    curves.map((curve) => ({ name: curve.kind, points: pick(curve), color: COLORS[curve.kind] ?? LSG_COLOR }));
  byId('t-loss').innerHTML = lineChartSvg(series((curve) => curve.loss), { title: 'training loss', xLabel: 'step', yLabel: 'cross-entropy', width: 460, height: 280 });
  byId('t-accuracy').innerHTML = lineChartSvg(series((curve) => curve.accuracy), { title: 'held-out accuracy (chance 50%)', xLabel: 'step', yLabel: 'accuracy', width: 460, height: 280, yRange: [0, 1] });
  byId('training').dataset.points = String(curves.reduce((total, curve) => total + curve.loss.length, 0));
}

let checkpoints: { kind: string; files: PretrainedFiles }[] = [];
let controller: AbortController | null = null;

async function train(): Promise<void> {
  byId<HTMLButtonElement>('t-train').disabled = true;
  byId<HTMLButtonElement>('t-stop').disabled = false;
  byId('t-error').textContent = '';
  byId('t-results').hidden = true;
  byId('t-downloads').innerHTML = '';
  controller = new AbortController();
  try {
    const settings = trainingSettings();
    const results = await trainSideBySide(settings, (progress) => {
      byId<HTMLProgressElement>('t-progress').value = progress.fraction;
      const losses = progress.curves.map((curve) => `${curve.kind} ${curve.loss.at(-1)![1].toFixed(3)}`).join(' · ');
      byId('t-status').textContent = `step ${progress.step}/${progress.steps} · ${duration(progress.elapsedMs)} elapsed, about ${duration(progress.etaMs)} left · loss ${losses}`;
      drawCurves(progress.curves);
    }, controller.signal);
    byId('t-results').querySelector('tbody')!.innerHTML = results.map((result) =>
      `<tr><td>${result.kind}</td><td>${(100 * result.accuracy).toFixed(1)}%</td><td>${result.finalLoss.toFixed(3)}</td><td>${result.msPerStep.toFixed(0)}</td></tr>`).join('');
    byId('t-results').hidden = false;
    checkpoints = results.flatMap((result) => (result.checkpoint ? [{ kind: result.kind, files: result.checkpoint }] : []));
    byId('t-downloads').innerHTML = checkpoints.map((checkpoint, index) =>
      `<button data-checkpoint="${index}">Download the ${checkpoint.kind} model (config.json + model.safetensors)</button> `).join('')
      + '<span class="note">The local-only model is not offered: its attention is not something config.json can describe.</span>';
    byId('t-status').textContent += controller.signal.aborted ? ' · stopped' : ' · done';
  } catch (error) {
    byId('t-error').textContent = messageOf(error);
  } finally {
    byId<HTMLButtonElement>('t-train').disabled = false;
    byId<HTMLButtonElement>('t-stop').disabled = true;
  }
}

async function reload(): Promise<void> {
  const input = byId<HTMLInputElement>('t-reload');
  try {
    const files = await readPretrainedFiles('training panel', [...(input.files ?? [])]);
    byId('t-reloaded').textContent = 'scoring…';
    await new Promise((resolve) => setTimeout(resolve, 20));
    const score = reloadAndScore(files, trainingSettings());
    byId('t-reloaded').textContent = `${score.architecture} (${score.seqLen} tokens) reloaded: held-out accuracy ${(100 * score.accuracy).toFixed(1)}% on ${TASKS[trainingSettings().task].title}`;
  } catch (error) {
    byId('t-reloaded').textContent = messageOf(error);
  }
}

function describeTask(): void {
  byId('t-taskDescription').textContent = TASKS[valueIn('t-task') as TaskName].description;
}

export function setUpTrainingPanel(): void {
  byId('t-task').innerHTML = Object.entries(TASKS).map(([name, task]) => `<option value="${name}">${task.title}</option>`).join('');
  byId('t-sparsityType').innerHTML = SPARSITY_TYPES.filter((type) => type !== 'none').map((type) => `<option${type === 'norm' ? ' selected' : ''}>${type}</option>`).join('');
  byId('t-task').addEventListener('change', describeTask);
  describeTask();
  byId('training-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void train();
  });
  byId('t-stop').addEventListener('click', () => controller?.abort());
  byId('t-downloads').addEventListener('click', (event) => {
    const index = (event.target as HTMLElement).dataset.checkpoint;
    if (index !== undefined) downloadFiles(checkpoints[Number(index)]!.files);
  });
  byId('t-reload').addEventListener('change', () => void reload());
}
