/** The run panel: LSG and dense attention forward+backward on the CPU backend and gpu.js WebGL2. */
import { byId, messageOf, numberIn } from './dom.js';
import { explorerSettings } from './explorer-panel.js';
import { gpuJsUnavailableReason, maxAbsDifference, runAttention, webgl2Backend, type AttentionRun, type RunSettings } from './run-attention.js';

/** The explorer's attention settings at the run panel's length. */
export function runSettings(): RunSettings {
  const { head: _head, causal: _causal, maskFirstToken: _mask, ...settings } = explorerSettings();
  return { ...settings, seqLen: numberIn('r-seqLen') };
}

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

function row(run: AttentionRun): string {
  return `<tr><td>${run.kind === 'lsg' ? 'LSG' : 'dense'}</td><td>${run.backend} (mode ${run.mode})</td><td>${run.forwardMs.toFixed(1)}</td><td>${run.backwardMs.toFixed(1)}</td></tr>`;
}

async function runAll(): Promise<void> {
  const button = byId<HTMLButtonElement>('r-run');
  button.disabled = true;
  byId('r-error').textContent = '';
  byId('r-compare').innerHTML = '';
  const table = byId('r-results').querySelector('tbody')!;
  table.innerHTML = '';
  try {
    const settings = runSettings();
    const backends = ['cpu'];
    const gpu = webgl2Backend();
    if (gpu) backends.push(gpu.name);
    byId('r-gpu').textContent = gpu
      ? `gpu.js runs in mode ${gpu.mode} on ${gpu.adapter}.`
      : `gpu.js WebGL2 is not available here: ${gpuJsUnavailableReason()}`;
    const runs: AttentionRun[] = [];
    for (const backend of backends) {
      for (const kind of ['lsg', 'dense'] as const) {
        byId('r-status').textContent = `running ${kind} on ${backend}…`;
        await nextFrame();
        const run = runAttention(kind, settings, backend);
        runs.push(run);
        table.insertAdjacentHTML('beforeend', row(run));
      }
    }
    const find = (kind: string, backend: string) => runs.find((run) => run.kind === kind && run.backend === backend);
    const lines = [`LSG against dense on the CPU backend: outputs differ by up to ${maxAbsDifference(find('lsg', 'cpu')!.output, find('dense', 'cpu')!.output).toExponential(2)} (they attend to different keys).`];
    if (gpu) {
      for (const kind of ['lsg', 'dense']) {
        const [cpu, other] = [find(kind, 'cpu')!, find(kind, gpu.name)!];
        lines.push(`${kind === 'lsg' ? 'LSG' : 'dense'}, gpu.js (${other.mode}) against the CPU backend: output max |Δ| ${maxAbsDifference(cpu.output, other.output).toExponential(2)}, gradient max |Δ| ${maxAbsDifference(cpu.queryGradient, other.queryGradient).toExponential(2)}.`);
      }
    }
    byId('r-compare').innerHTML = lines.map((line) => `<li>${line}</li>`).join('');
    byId('r-results').hidden = false;
    byId('r-status').textContent = 'done';
  } catch (error) {
    byId('r-error').textContent = messageOf(error);
    byId('r-status').textContent = '';
  } finally {
    button.disabled = false;
  }
}

export function setUpRunPanel(): void {
  byId('r-run').addEventListener('click', () => void runAll());
}
