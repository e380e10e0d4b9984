// One model cell: training steps (forward, backward, AdamW) of a small ALBERT classifier at one
// sequence length: LSG-ALBERT (lsg/albert.ts) or the same model with dense attention (nn's
// ALBERT). Runs in its own process (bench/cell.ts).
import { createRng, randint, tensor, useBackend } from '../engine/index.js';
import { AdamW, AlbertConfig, AlbertForSequenceClassification, weightDecayGroups } from '../nn/index.js';
import { LsgAlbertConfig, LSGAlbertForSequenceClassification } from '../lsg/index.js';
import { LSG_SHAPES } from './attention-cases.js';
import { baselineRss, peakRss, timingFields, type ModeResult } from './measure.js';
import { timeRuns, type RepPolicy } from './timing.js';
import { TRACKED_BACKEND, useTrackedCpuBackend } from './tracked-backend.js';

export interface ModelCellSpec {
  readonly task: 'model';
  readonly attention: 'dense' | 'lsg';
  /** Input tokens. */
  readonly length: number;
  readonly reps: RepPolicy;
  readonly seed: number;
}

/** A small ALBERT: 1 layer, hidden 256, 4 heads × 64, feed-forward 512, embeddings 64, vocabulary 512, 2 labels. */
export const MODEL_SETTINGS = {
  vocabSize: 512, embeddingSize: 64, hiddenSize: 256, numHiddenLayers: 1, numAttentionHeads: 4, intermediateSize: 512,
  numLabels: 2, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, classifierDropoutProb: 0,
} as const;
/** LSG-ALBERT's defaults: block 128, sparse block 128, factor 2, norm, one global token. */
export const MODEL_LSG = { ...LSG_SHAPES.b128, sparsityType: 'norm', numGlobalTokens: 1 } as const;

function buildModel(spec: ModelCellSpec): AlbertForSequenceClassification {
  const rng = createRng(spec.seed);
  const settings = { ...MODEL_SETTINGS, maxPositionEmbeddings: spec.length };
  return spec.attention === 'lsg'
    ? new LSGAlbertForSequenceClassification(new LsgAlbertConfig({ ...settings, ...MODEL_LSG }), { rng })
    : new AlbertForSequenceClassification(new AlbertConfig(settings), { rng });
}

/**
 * One training step (forward, backward, AdamW) of the LSG model above on a random sequence of `length` tokens,
 * as bench:backends and bench:gpujs-profile time it; `keep` (model and optimizer) must outlive gpujs tidy scopes.
 */
export function lsgTrainingStep(length: number): { run: () => void; keep: unknown[] } {
  const config = new LsgAlbertConfig({ ...MODEL_SETTINGS, ...MODEL_LSG, maxPositionEmbeddings: length });
  const model = new LSGAlbertForSequenceClassification(config, { rng: createRng(1) }).train();
  const optimizer = new AdamW(weightDecayGroups(model, 0.01), { lr: 1e-4 });
  const inputIds = randint(0, MODEL_SETTINGS.vocabSize, [1, length], { rng: createRng(2) });
  const labels = tensor([1], { dtype: 'int32' });
  return {
    run: () => {
      const { loss } = model.forward({ inputIds, labels });
      loss!.backward();
      optimizer.step();
      optimizer.zeroGrad();
      loss!.item();
    },
    keep: [model, optimizer],
  };
}

export async function runModelCell(spec: ModelCellSpec, report: (r: ModeResult) => void): Promise<void> {
  const counter = useTrackedCpuBackend();
  useBackend(TRACKED_BACKEND);
  const model = buildModel(spec);
  model.train();
  const optimizer = new AdamW(weightDecayGroups(model, 0.01), { lr: 1e-4 });
  const inputIds = randint(0, MODEL_SETTINGS.vocabSize, [1, spec.length], { rng: createRng(spec.seed + 1) });
  const labels = tensor([1], { dtype: 'int32' });
  const baseline = baselineRss();
  let allocation = { bytes: 0, buffers: 0, largest: 0 };
  let first = true;
  const times = await timeRuns(() => {
    counter.reset();
    const { loss } = model.forward({ inputIds, labels });
    loss!.backward();
    optimizer.step();
    optimizer.zeroGrad();
    if (first) allocation = { bytes: counter.bytes, buffers: counter.buffers, largest: counter.largest };
    first = false;
  }, spec.reps);
  const timing = timingFields(times);
  report({
    mode: 'trainStep', ...timing,
    allocatedBytes: allocation.bytes, buffers: allocation.buffers, largestBufferBytes: allocation.largest,
    peakRssDeltaBytes: Math.max(0, peakRss() - baseline),
    extra: { tokensPerSecond: spec.length / (timing.medianMs / 1000), parameters: model.parameters().reduce((s, p) => s + p.size, 0) },
  });
}
