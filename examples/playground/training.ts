/**
 * The training panel's computation, without the DOM: tasks whose answer lies far from [CLS]
 * (examples/long-range/task.ts), trained with local-only, LSG and dense attention side by side
 * (one step of each in turn, yielding to the page between steps), with loss and held-out accuracy
 * as series for live curves, an ETA, and each model's checkpoint in HuggingFace layout.
 */
import { AlbertForSequenceClassification, type PretrainedFiles } from 'lsgrad/nn';
import { LSGAlbertForSequenceClassification, SPARSITY_TYPES, type SparsityType } from 'lsgrad/lsg';
import { argumentError } from 'lsgrad';
import { heldOutAccuracy, startKind, STUDY_DEFAULTS, TASK_VOCAB_SIZE, type KindRun, type StudyOptions } from '../long-range/task.js';

export interface Task {
  readonly title: string;
  readonly description: string;
  /** The task's settings of examples/long-range/task.ts. */
  readonly keys: number;
  readonly copies: number;
}

/** Tasks where [CLS] must read a token more than seqLen / 2 positions away; chance is 50% in each. */
export const TASKS = {
  'key-recall': {
    title: 'key recall',
    description: 'Token 1 is a key; half the sequences repeat it somewhere in the second half. Answer: is the key repeated?',
    keys: 1, copies: 8,
  },
  'key-match': {
    title: 'key match',
    description: 'Token 1 is one of 4 keys; the second half holds copies of the same key or of another one. Answer: do they match? (The far token alone does not tell.)',
    keys: 4, copies: 8,
  },
  'single-copy': {
    title: 'single far copy',
    description: 'As key recall, but the key is repeated once only, at a random place in the second half: one far token carries the answer.',
    keys: 1, copies: 1,
  },
} as const satisfies Record<string, Task>;
export type TaskName = keyof typeof TASKS;

export interface TrainingSettings {
  task: TaskName;
  sparsityType: Exclude<SparsityType, 'none'>;
  seqLen: number;
  steps: number;
  batchSize: number;
  /** Held-out sequences scored at each evaluation (and at the end). */
  evalSize: number;
  /** Held-out accuracy is measured every this many steps. */
  evalEvery: number;
  blockSize: number;
  seed: number;
}

/** 256 tokens, 100 steps: LSG and dense learn key recall, local-only stays at chance (about 80 s on one core). */
export const TRAINING_DEFAULTS: TrainingSettings = {
  task: 'key-recall', sparsityType: 'norm', seqLen: 256, steps: 100, batchSize: 8, evalSize: 64, evalEvery: 20, blockSize: 32, seed: 0,
};

export interface KindCurves {
  readonly kind: string;
  /** (step, training loss) */
  readonly loss: [number, number][];
  /** (step, held-out accuracy) */
  readonly accuracy: [number, number][];
  msPerStep: number;
}

export interface TrainingProgress {
  readonly step: number;
  readonly steps: number;
  /** 0..1 over all kinds' steps and evaluations. */
  readonly fraction: number;
  readonly elapsedMs: number;
  /** Estimated from the work done so far; NaN before the first step. */
  readonly etaMs: number;
  readonly curves: readonly KindCurves[];
}

export interface TrainedKind {
  readonly kind: string;
  readonly accuracy: number;
  readonly finalLoss: number;
  readonly msPerStep: number;
  /** config.json and model.safetensors; null for local-only (its attention is not expressible in config.json). */
  readonly checkpoint: PretrainedFiles | null;
}

/** The study's options for these settings (the model sizes of the study). */
export function studyOptions(settings: TrainingSettings): StudyOptions {
  const task = TASKS[settings.task];
  if (!task) throw argumentError('trainSideBySide', 'task', settings.task, `one of ${Object.keys(TASKS).join(', ')}`);
  if (!(SPARSITY_TYPES as readonly string[]).includes(settings.sparsityType) || settings.sparsityType === ('none' as string)) {
    throw argumentError('trainSideBySide', 'sparsityType', settings.sparsityType, `one of ${SPARSITY_TYPES.filter((type) => type !== 'none').join(', ')}`);
  }
  for (const [name, min] of [['seqLen', 8], ['steps', 1], ['batchSize', 1], ['evalSize', 1], ['evalEvery', 1], ['blockSize', 1]] as const) {
    const value = settings[name];
    if (!Number.isInteger(value) || value < min) throw argumentError('trainSideBySide', name, value, `an integer of at least ${min}`);
  }
  return {
    ...STUDY_DEFAULTS, seqLen: settings.seqLen, steps: settings.steps, batchSize: settings.batchSize, evalSize: settings.evalSize,
    blockSize: settings.blockSize, keys: task.keys, copies: task.copies, seed: settings.seed,
    kinds: ['local', `lsg:${settings.sparsityType}`, 'dense'],
  };
}

/** Lets the page paint between steps (a browser's event loop; setTimeout 0 elsewhere). */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains local-only, LSG and dense attention on the task in turn, one step each, reporting after
 * every round; `signal` stops after the current round (the results so far are returned).
 * @example await trainSideBySide({ ...TRAINING_DEFAULTS, steps: 5 }, (p) => console.log(p.fraction))
 */
export async function trainSideBySide(
  settings: TrainingSettings, onProgress: (progress: TrainingProgress) => void = () => {}, signal?: AbortSignal,
): Promise<TrainedKind[]> {
  const options = studyOptions(settings);
  const runs: KindRun[] = options.kinds.map((kind) => startKind(kind, options));
  const curves: KindCurves[] = runs.map((run) => ({ kind: run.kind, loss: [], accuracy: [], msPerStep: 0 }));
  const trainingMs = runs.map(() => 0);
  const evaluations = Math.floor(options.steps / settings.evalEvery) + (options.steps % settings.evalEvery === 0 ? 0 : 1);
  // NOTE: one evaluation costs about evalSize / batchSize forward passes, a third of a step each.
  const evalUnits = Math.ceil(options.evalSize / options.batchSize) / 3;
  const totalUnits = runs.length * (options.steps + evaluations * evalUnits);
  let doneUnits = 0;
  const started = performance.now();
  let step = 0;
  for (step = 1; step <= options.steps && !signal?.aborted; step++) {
    const evaluateNow = step % settings.evalEvery === 0 || step === options.steps;
    runs.forEach((run, index) => {
      const stepStarted = performance.now();
      curves[index]!.loss.push([step, run.trainStep(step)]);
      trainingMs[index]! += performance.now() - stepStarted;
      curves[index]!.msPerStep = trainingMs[index]! / step;
      doneUnits += 1;
      if (evaluateNow) {
        curves[index]!.accuracy.push([step, run.evaluate()]);
        doneUnits += evalUnits;
      }
    });
    const elapsedMs = performance.now() - started;
    onProgress({ step, steps: options.steps, fraction: doneUnits / totalUnits, elapsedMs, etaMs: (elapsedMs / doneUnits) * (totalUnits - doneUnits), curves });
    await nextTask();
  }
  return runs.map((run, index) => {
    const curve = curves[index]!;
    const lastAccuracy = curve.accuracy.at(-1);
    return {
      kind: run.kind,
      // A stopped run is scored once more, so its accuracy is of its last step.
      accuracy: lastAccuracy && lastAccuracy[0] === step - 1 ? lastAccuracy[1] : run.evaluate(),
      finalLoss: curve.loss.at(-1)?.[1] ?? NaN,
      msPerStep: curve.msPerStep,
      checkpoint: run.kind === 'local' ? null : run.model.toPretrainedFiles(),
    };
  });
}

/**
 * A checkpoint saved by the training panel, loaded back and scored on the task's held-out set at
 * the length it was trained for. A checkpoint of another vocabulary (an email model) is refused.
 * @example reloadAndScore(trained[1].checkpoint, TRAINING_DEFAULTS).accuracy
 */
export function reloadAndScore(files: PretrainedFiles, settings: TrainingSettings): { architecture: string; seqLen: number; accuracy: number } {
  const config = JSON.parse(files['config.json']) as { architectures?: string[]; vocab_size?: number; max_position_embeddings?: number };
  const architecture = config.architectures?.[0] ?? '';
  if (config.vocab_size !== TASK_VOCAB_SIZE) {
    throw argumentError('reloadAndScore', "files['config.json'].vocab_size", config.vocab_size,
      `${TASK_VOCAB_SIZE}, the long-range tasks' vocabulary (this checkpoint is not a model of the training panel; an email model goes to the email classifier)`);
  }
  let model: AlbertForSequenceClassification;
  if (architecture === 'LSGAlbertForSequenceClassification') model = LSGAlbertForSequenceClassification.fromPretrained(files);
  else if (architecture === 'AlbertForSequenceClassification') model = AlbertForSequenceClassification.fromPretrained(files);
  else throw argumentError('reloadAndScore', "files['config.json'].architectures[0]", architecture, 'LSGAlbertForSequenceClassification or AlbertForSequenceClassification');
  const seqLen = model.config.maxPositionEmbeddings;
  return { architecture, seqLen, accuracy: heldOutAccuracy(model, { ...studyOptions({ ...settings, seqLen }) }) };
}
