/**
 * The browser demo (index.html, built by `npm run build:browser`): the long-range task trained in
 * the page with local-only, LSG and dense attention, a step at a time so the page stays live;
 * then the trained LSG model's checkpoint in HuggingFace layout (to download) and a picture of the
 * keys LSG lets each query see. `classifyEmail` (spam.ts) runs a checkpoint of `npm start` on a
 * pasted email. Nothing here needs Node; test/browser.test.ts runs the bundle in a
 * context without Node's globals.
 */
import { createRng, ones, randn } from '../../engine/index.js';
import type { PretrainedFiles } from '../../nn/index.js';
import { LsgAlbertConfig, lsgModelConnectivity } from '../../lsg/index.js';
import { heatmapSvg } from '../../viz/heatmap.js';
import { startKind, STUDY_DEFAULTS, type StudyOptions, type StudyResult } from '../long-range/task.js';

export { classifyEmail, type EmailVerdict } from './spam.js';

/**
 * The page's settings: the study's (256 tokens, 100 steps; fewer and LSG has not learnt the task
 * yet), on a held-out set of 64 and three kinds: about 80 s in all on one core.
 */
export const DEMO_DEFAULTS: StudyOptions = { ...STUDY_DEFAULTS, evalSize: 64, kinds: ['local', 'lsg:norm', 'dense'] };

export interface DemoProgress {
  readonly kind: string;
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
}

export interface DemoResult {
  readonly results: Omit<StudyResult, 'peakRssMiB'>[];
  /** The last LSG kind's trained model as config.json + model.safetensors; null without an LSG kind. */
  readonly checkpoint: PretrainedFiles | null;
  /** Which keys each query of the LSG model may attend to (global row and column first), as SVG. */
  readonly patternSvg: string | null;
}

/** Lets the page paint between steps (a browser's event loop; setTimeout 0 elsewhere). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains every kind of `settings.kinds` in turn, reporting each step, and returns the accuracies.
 * @example const { results } = await runDemo({ seqLen: 64, steps: 5 }, (p) => console.log(p.kind, p.loss));
 */
export async function runDemo(settings: Partial<StudyOptions>, onProgress: (progress: DemoProgress) => void = () => {}): Promise<DemoResult> {
  const options: StudyOptions = { ...DEMO_DEFAULTS, ...settings };
  for (const name of ['seqLen', 'steps', 'batchSize', 'evalSize'] as const) {
    const value = options[name];
    if (!Number.isInteger(value) || value < (name === 'seqLen' ? 8 : 1)) {
      throw new RangeError(`runDemo: ${name} ${value} is invalid; expected an integer of at least ${name === 'seqLen' ? 8 : 1}`);
    }
  }
  if (options.kinds.length === 0) throw new RangeError('runDemo: kinds is empty; expected at least one of local, dense, lsg:<sparsity type>');
  const results: Omit<StudyResult, 'peakRssMiB'>[] = [];
  let checkpoint: PretrainedFiles | null = null;
  let patternSvg: string | null = null;
  for (const kind of options.kinds) {
    const run = startKind(kind, options);
    let loss = NaN;
    let trainingMs = 0;
    for (let step = 1; step <= options.steps; step++) {
      const started = performance.now();
      loss = run.trainStep(step);
      trainingMs += performance.now() - started;
      onProgress({ kind, step, steps: options.steps, loss });
      await nextTask();
    }
    results.push({ kind, accuracy: run.evaluate(), msPerStep: trainingMs / options.steps, finalLoss: loss });
    if (run.model.config instanceof LsgAlbertConfig) {
      checkpoint = run.model.toPretrainedFiles();
      patternSvg = connectivitySvg(run.model.config, Math.min(options.seqLen, 128), kind);
    }
  }
  return { results, checkpoint, patternSvg };
}

/** The keys each query may see in the model's LSG attention, for the first `length` tokens. */
function connectivitySvg(config: LsgAlbertConfig, length: number, kind: string): string {
  const rng = createRng(0);
  const rows = config.lsg.numGlobalTokens + length;
  const [q, k, v] = [0, 1, 2].map(() => randn([1, 1, rows, 8], { rng }));
  const connectivity = lsgModelConnectivity(q!, k!, v!, ones([1, length]), config.lsg);
  const columns = connectivity.counts.shape[3]!;
  const counts = connectivity.counts.toTypedArray();
  const keys = connectivity.numKeys;
  const seen = new Float64Array(rows * keys);
  for (let row = 0; row < rows; row++) for (let key = 0; key < keys; key++) seen[row * keys + key] = counts[row * columns + key]! > 0 ? 1 : 0;
  return heatmapSvg(seen, rows, keys, {
    title: `${kind}: the keys each query may attend to`,
    subtitles: [`first ${length} tokens, block ${config.lsg.blockSize}, sparse block ${config.lsg.sparseBlockSize}, factor ${config.lsg.sparsityFactor}; row and column 0: the global token`],
    cellSize: 4,
  });
}
