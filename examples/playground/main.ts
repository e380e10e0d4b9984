/**
 * The playground page (index.html, served by `npm run playground`): a pattern explorer, a run
 * panel, a training panel and an email classifier, all on lsgrad in the page. The functions the
 * panels use are on `globalThis.lsgradPlayground`, so a test (or a curious user's console) can call them.
 */
import { createGpuJsBackend } from 'lsgrad/gpujs';
import { byId } from './dom.js';
import { setUpEmailPanel } from './email-panel.js';
import { setUpExplorer } from './explorer-panel.js';
import { kernelReport } from './kernels.js';
import { explorePattern } from './pattern.js';
import { runAttention, webgl2Backend } from './run-attention.js';
import { setUpRunPanel } from './run-panel.js';
import { classifyEmail } from './spam.js';
import { setUpTrainingPanel } from './training-panel.js';
import { reloadAndScore, trainSideBySide } from './training.js';

const report = kernelReport();
byId('kernels').textContent = report.summary;
byId('kernels').className = report.matmul === 'wasm' ? 'ok' : 'warn';
setUpExplorer();
setUpRunPanel();
setUpTrainingPanel();
setUpEmailPanel();

(globalThis as { lsgradPlayground?: unknown }).lsgradPlayground = {
  kernelReport, explorePattern, runAttention, webgl2Backend, createGpuJsBackend, trainSideBySide, reloadAndScore, classifyEmail,
};
