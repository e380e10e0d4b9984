// The training loop of `lsgrad train`: deterministic batches, AdamW with warmup and linear
// decay, validation every N steps, atomic checkpoints every N steps, exact resume.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdamW, clipGradNorm, gradNorm, weightDecayGroups } from '../nn/index.js';
import { inDeviceScope } from './device-scope.js';
import { freezeAllBut } from './freeze.js';
import { writeDirectoryAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { readJsonObject } from './json-file.js';
import { batchIndices, encodeRows, type EncodedSet, type TrainingDocuments } from './data/batches.js';
import { cropBatch } from './data/crops.js';
import { windowBatch } from './data/windows.js';
import { scoreSet } from './evaluate.js';
import { formatMetrics } from './metrics.js';
import { Replicas } from './replicas.js';
import { serializeOptimizerState, restoreOptimizerState } from './optimizer-state.js';
import { ProgressBar } from './progress.js';
import {
  OPTIMIZER_FILE, TRAINER_STATE_FILE, checkpointName, writeLatest, type TrainerState,
} from './run-state.js';
import { lrFactorOf, stepSeqLen, warmUpSteps, type TrainOptions } from './train-flags.js';

export interface TrainerInputs {
  options: TrainOptions;
  /** The run's directory (--out, or its default). */
  out: string;
  /** The classifier and its replicas in worker threads (`--threads`). */
  replicas: Replicas;
  /** Encoded a batch at a time; --crop-prob crops their bytes. */
  train: TrainingDocuments;
  validation: EncodedSet;
  /** Documents the test split will score after the last step: the progress ETA counts their time. */
  testCount: number;
  /** Set when resuming: the checkpoint directory whose optimizer state and history to restore. */
  resumeFrom?: string;
  log: (message: string) => void;
}

export interface TrainerResult {
  state: TrainerState;
  /** True when `--stop-at` ended the run before `--steps`. */
  stopped: boolean;
  peakRssBytes: number;
}

/**
 * Steps in a row whose loss or gradients may be non-finite (each skipped, the weights untouched)
 * before training stops: one bad batch is skipped, a diverged run is not left spinning.
 */
export const MAX_SKIPPED_STEPS_IN_A_ROW = 5;

/** Batch size used for forward-only scoring; larger than training batches since no graph is kept. */
export const EVAL_BATCH_SIZE = 8;

/**
 * The rows a training step reads: their starts at the step's length, or during the warm-up with
 * --short-windows, position-faithful windows cut from the full-length rows.
 */
function readRows(train: TrainingDocuments, rows: readonly number[], options: TrainOptions, step: number) {
  const width = stepSeqLen(options, step);
  if (options.shortWindows === 0 || width === options.seqLen) return encodeRows(train, rows, width);
  return windowBatch(encodeRows(train, rows), width, options.shortWindows, train.sepId, options.seed, step);
}

/** User + system CPU seconds since `start` (a process.cpuUsage() reading). */
export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function rssBytes(): number {
  return process.memoryUsage().rss;
}

/** Whether step `step` ends with a validation: every --eval-every steps, and at the last step. */
export function validatesAt(options: Pick<TrainOptions, 'evalEvery' | 'steps'>, step: number): boolean {
  return (options.evalEvery > 0 && step % options.evalEvery === 0) || step === options.steps;
}

/** How many of steps `step` … `options.steps` end with a validation. */
export function validationsFrom(options: Pick<TrainOptions, 'evalEvery' | 'steps'>, step: number): number {
  if (step > options.steps) return 0;
  const periodic = options.evalEvery > 0 ? Math.floor(options.steps / options.evalEvery) - Math.floor((step - 1) / options.evalEvery) : 0;
  const lastIsPeriodic = options.evalEvery > 0 && options.steps % options.evalEvery === 0;
  return periodic + (lastIsPeriodic ? 0 : 1);
}

/**
 * Runs steps `state.step + 1 … options.steps` (or up to `--stop-at`).
 * A step's batch and dropout masks depend only on (seed, step), and the checkpoint holds the
 * weights, the AdamW moments and the step, so a resumed run repeats the uninterrupted losses.
 */
export async function runTraining(inputs: TrainerInputs): Promise<TrainerResult> {
  const { options, out, replicas, train, validation, log } = inputs;
  const classifier = replicas.classifier;
  const module = classifier.module;
  const namedParameters = module.namedParameters();
  // Frozen parameters (--train-only) get no gradient, no optimizer state and no weight decay.
  const trainable = freezeAllBut(module, options.trainOnly ?? []);
  const groups = weightDecayGroups(module, options.weightDecay).map((group) => ({ ...group, params: group.params.filter((p) => p.requiresGrad) })).filter((group) => group.params.length > 0);
  const optimizer = new AdamW(groups, { lr: options.lr, weightDecay: options.weightDecay });
  if (trainable.length < namedParameters.length) {
    const count = (params: readonly { size: number }[]) => params.reduce((total, p) => total + p.size, 0).toLocaleString('en-US');
    log(`--train-only ${options.trainOnly.join(',')}: training ${count(trainable)} of ${count(module.parameters())} parameters (${trainable.length} of ${namedParameters.length} tensors)`);
  }
  const lrFactor = lrFactorOf(options);
  let state: TrainerState = { step: 0, losses: [], validations: [], trainSeconds: 0, trainCpuSeconds: 0, trainTokens: 0 };
  if (inputs.resumeFrom) {
    state = readJsonObject(join(inputs.resumeFrom, TRAINER_STATE_FILE), 'runTraining', 'the trainer state of a checkpoint') as unknown as TrainerState;
    restoreOptimizerState(optimizer, namedParameters, readFileSync(join(inputs.resumeFrom, OPTIMIZER_FILE)));
    log(`resumed from ${inputs.resumeFrom} at step ${state.step}`);
  }
  const lastStep = options.stopAt > 0 ? Math.min(options.stopAt, options.steps) : options.steps;
  // A step's cost grows with the tokens it reads: the warm-up's short steps are cheap.
  const shortSteps = warmUpSteps(options);
  const cumulativeWork = (step: number) => Math.min(step, shortSteps) * options.shortSeqLen + Math.max(0, step - shortSteps) * options.seqLen;
  const validationTokens = validation.count * validation.seqLen;
  const evaluationTokensFrom = (step: number) => validationsFrom(options, step) * validationTokens + inputs.testCount * options.seqLen;
  const progress = options.quiet ? undefined : new ProgressBar({ totalSteps: options.steps, startStep: state.step, cumulativeWork, evaluationTokensFrom });
  const say = (message: string) => (progress ? progress.log(message) : log(message));
  let peakRssBytes = rssBytes();
  let skippedInARow = 0;
  let lastCheckpoint: string | undefined;
  module.train();

  const saveCheckpoint = async (step: number) => {
    const directory = join(out, checkpointName(step));
    await writeDirectoryAtomic(directory, async (temporary) => {
      await classifier.savePretrained(temporary);
      writeFileAtomic(join(temporary, OPTIMIZER_FILE), serializeOptimizerState(optimizer, namedParameters));
      writeJsonAtomic(join(temporary, TRAINER_STATE_FILE), state);
    });
    writeLatest(out, step);
    lastCheckpoint = directory;
    say(`checkpoint ${directory}`);
  };

  for (let step = state.step + 1; step <= lastStep; step++) {
    const started = performance.now();
    const startedCpu = process.cpuUsage();
    for (const group of optimizer.paramGroups) group.lr = group.initialLr * lrFactor(step);
    const rows = batchIndices(train.bytes.length, options.batchSize, step, options.seed);
    const batch = cropBatch(readRows(train, rows, options, step), train.bytes, rows, options.cropProb, options.seed, step, classifier.encode);
    // A step whose loss or gradient norm is not finite changes nothing: no update, gradients dropped.
    const update = (loss: number) => {
      const norm = options.clipNorm > 0 ? clipGradNorm(trainable, options.clipNorm) : gradNorm(trainable);
      const finite = Number.isFinite(loss) && Number.isFinite(norm);
      if (finite) optimizer.step();
      optimizer.zeroGrad();
      return { loss, norm, finite };
    };
    // One replica computes on this thread, so its whole step fits in one device scope (see device-scope.ts).
    const { loss: lossValue, norm, finite } = replicas.count === 1
      ? inDeviceScope(() => update(replicas.backwardHere(batch, options.seed, step)), [module, optimizer])
      : update(await replicas.backward(batch, options.seed, step));
    if (finite) {
      skippedInARow = 0;
    } else {
      skippedInARow++;
      say(`step ${step} skipped: loss ${lossValue}, gradient norm ${norm}; the weights were not updated (${skippedInARow} in a row)`);
      if (skippedInARow >= MAX_SKIPPED_STEPS_IN_A_ROW) {
        progress?.finish();
        const latest = lastCheckpoint === undefined ? 'no checkpoint was written yet' : `the last good checkpoint is ${lastCheckpoint}`;
        throw new Error(
          `stopped at step ${step}: ${skippedInARow} steps in a row (${step - skippedInARow + 1}–${step}) had a non-finite loss or gradient, ` +
          `so training has diverged; ${latest}. Try a lower --lr (now ${options.lr}) or --clip-norm (now ${options.clipNorm}), ` +
          `starting from a checkpoint with --init`,
        );
      }
    }
    state = { ...state, step, losses: [...state.losses, lossValue], skippedSteps: finite ? state.skippedSteps : [...(state.skippedSteps ?? []), step], trainSeconds: state.trainSeconds + (performance.now() - started) / 1000, trainCpuSeconds: state.trainCpuSeconds + cpuSecondsSince(startedCpu), trainTokens: state.trainTokens + batch.labels.length * batch.width };
    peakRssBytes = Math.max(peakRssBytes, rssBytes());
    progress?.update({ step, loss: lossValue, tokens: batch.labels.length * batch.width });

    if (validatesAt(options, step)) {
      const scored = await scoreSet(replicas, validation, EVAL_BATCH_SIZE);
      progress?.recordEvaluation(scored.seconds, validationTokens);
      state = { ...state, validations: [...state.validations, { step, metrics: scored.metrics, seconds: scored.seconds, cpuSeconds: scored.cpuSeconds }] };
      say(`validation @ step ${step}: ${formatMetrics(scored.metrics)} [${scored.seconds.toFixed(1)}s wall, ${scored.cpuSeconds.toFixed(1)}s CPU]`);
      peakRssBytes = Math.max(peakRssBytes, rssBytes());
    }
    // NOTE: no checkpoint right after a skipped step (unless it is the last): a run that is diverging
    // keeps pointing at its last good one.
    if ((options.checkpointEvery > 0 && step % options.checkpointEvery === 0 && skippedInARow === 0) || step === lastStep) {
      await saveCheckpoint(step);
    }
  }
  progress?.finish();
  return { state, stopped: lastStep < options.steps, peakRssBytes };
}
