// What a run remembers between processes: the options it was started with, the loss and
// validation history, and where its latest checkpoint is. Everything is JSON, written atomically.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeJsonAtomic } from './atomic.js';
import { field, readJsonObject } from './json-file.js';
import type { ClassificationMetrics } from './metrics.js';
import type { TrainOptions } from './train-flags.js';

export interface ValidationPoint {
  step: number;
  metrics: ClassificationMetrics;
  seconds: number;
  cpuSeconds: number;
}

export interface TrainerState {
  /** Optimizer steps completed. */
  step: number;
  /** Training loss of each completed step, index i = step i + 1 (null in JSON for a skipped, non-finite step). */
  losses: number[];
  /** Steps skipped because their loss or gradients were not finite (absent when none were). */
  skippedSteps?: number[];
  validations: ValidationPoint[];
  /** Wall-clock seconds spent in training steps across all processes of this run. */
  trainSeconds: number;
  /**
   * CPU seconds (user + system) of those steps. On a shared machine wall time depends on the
   * load; CPU time is close to what the same steps take on an idle one (the engine uses one thread).
   */
  trainCpuSeconds: number;
  /** Token positions computed by those steps (batch × width; padding no row needed is not computed). */
  trainTokens: number;
}

export const RUN_FILE = 'run.json';
export const LATEST_FILE = 'latest-checkpoint.json';
export const TRAINER_STATE_FILE = 'trainer_state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** `checkpoints/step-000050`: zero-padded so directory listings sort by step. */
export function checkpointName(step: number): string {
  return join('checkpoints', `step-${String(step).padStart(6, '0')}`);
}

export function writeRunOptions(outDir: string, options: TrainOptions): void {
  writeJsonAtomic(join(outDir, RUN_FILE), options);
}

export function readRunOptions(outDir: string): TrainOptions {
  const path = join(outDir, RUN_FILE);
  if (!existsSync(path)) throw new Error(`--resume ${outDir}: no ${RUN_FILE} there; expected the --out directory of an earlier lsgrad train`);
  // Runs saved before an option existed ran as its neutral value (no length warm-up, no crops, one replica, the spam corpus).
  return { shortSeqLen: 0, longSteps: 0, longWarmup: 0, shortWindows: 0, cropProb: 0, threads: 1, gpujsMode: 'gpu', data: 'spam-assassin', textField: 'text', labelField: 'label', tokenizer: 'bytes', trainOnly: [], ...readJsonObject(path, `--resume ${outDir}`, 'the options of an earlier lsgrad train') } as unknown as TrainOptions;
}

/** Points the run at its newest checkpoint; written last, so it never names a partial one. */
export function writeLatest(outDir: string, step: number): void {
  writeJsonAtomic(join(outDir, LATEST_FILE), { step, path: checkpointName(step) });
}

/**
 * The checkpoint directory for `dir`: `dir` itself when it holds a config.json, otherwise the
 * latest checkpoint of the run in `dir`.
 */
export function resolveCheckpoint(dir: string): string {
  if (existsSync(join(dir, 'config.json'))) return resolve(dir);
  const latest = join(dir, LATEST_FILE);
  if (!existsSync(latest)) {
    throw new Error(`${dir} holds neither a checkpoint (config.json) nor a run (${LATEST_FILE}); expected a --out directory of lsgrad train or one of its checkpoints`);
  }
  const path = field(readJsonObject(latest, 'resolveCheckpoint', 'the path of the run\'s latest checkpoint'), 'path', (value): value is string => typeof value === 'string' && value.length > 0, latest, 'resolveCheckpoint', 'a checkpoint path such as checkpoints/step-000050');
  return resolve(dir, path);
}
