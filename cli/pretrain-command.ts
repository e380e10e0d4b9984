// `lsgrad pretrain`: masked-language-model pretraining of an LSG-ALBERT on raw text (a .txt file of
// blank-line-separated documents, a folder of text files, or JSONL), from scratch or from --init.
// Deterministic batches and masking, validation (masked-LM loss and accuracy on held-out windows),
// atomic checkpoints in HuggingFace layout, exact --resume, metrics.json and curves.svg.
import { existsSync, readFileSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { noGrad, tensor } from '../engine/index.js';
import { AdamW, clipGradNorm, warmupSchedule, weightDecayGroups } from '../nn/index.js';
import { lineChartSvg, stackedChartsSvg } from '../viz/line-chart.js';
import { flagName, formatHelp, parseArgs, UsageError, type FlagSpecs, type FlagValues } from './args.js';
import { writeDirectoryAtomic, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import { batchIndices, gatherRows, type EncodedSet } from './data/batches.js';
import { splitOfText, spreadEvenly } from './data/dataset.js';
import { maskBatch, windows, MASK_PROBABILITY, NOT_SCORED, type MaskedBatch } from './data/masking.js';
import { dataError, readDocuments } from './data/readers.js';
import { layout, tokenizerForTraining, type TextTokenizer } from './data/tokenizers.js';
import { inDeviceScope } from './device-scope.js';
import { createMaskedLm, loadMaskedLm, type MaskedLanguageModel } from './masked-lm.js';
import { selectBackend } from './model.js';
import { restoreOptimizerState, serializeOptimizerState } from './optimizer-state.js';
import { ProgressBar } from './progress.js';
import { movingAverage } from './run-artifacts.js';
import { LATEST_FILE, OPTIMIZER_FILE, RUN_FILE, TRAINER_STATE_FILE, checkpointName, resolveCheckpoint, writeLatest } from './run-state.js';
import { TRAIN_FLAGS, crossCheckTrainOptions } from './train-flags.js';

const pick = <K extends keyof typeof TRAIN_FLAGS>(...keys: K[]) => Object.fromEntries(keys.map((key) => [key, TRAIN_FLAGS[key]])) as Pick<typeof TRAIN_FLAGS, K>;

export const PRETRAIN_FLAGS = {
  data: { kind: 'string', placeholder: 'PATH', help: 'raw text: a .txt file (documents separated by blank lines), a folder of text files, or a .jsonl file (--text-field)' },
  ...pick('textField', 'vocabSize'),
  // Bytes by default: a masked LM's output layer has a row per token, and pretraining runs are short.
  tokenizer: { ...TRAIN_FLAGS.tokenizer, default: 'bytes', placeholder: 'bytes|words|PATH' },
  seqLen: { kind: 'int', default: 256, min: 8, help: 'tokens per window: each document is cut into windows of seq-len − 2 tokens, framed [CLS] … [SEP]' },
  evalLimit: { kind: 'int', default: 64, min: 0, help: 'held-out windows scored at each validation (0 = all)' },
  ...pick('hiddenSize', 'embeddingSize', 'intermediateSize', 'numLayers', 'numGroups', 'heads', 'dropout'),
  ...pick('attention', 'sparsityType', 'blockSize', 'sparseBlockSize', 'sparsityFactor', 'numGlobalTokens'),
  steps: { kind: 'int', default: 300, min: 1, help: 'optimizer steps' },
  batchSize: { kind: 'int', default: 8, min: 1, help: 'windows per step' },
  lr: { kind: 'float', default: 1e-3, min: 0, help: 'peak learning rate (AdamW)' },
  warmup: { kind: 'int', default: 30, min: 0, help: 'linear warmup steps, then linear decay to 0' },
  ...pick('weightDecay', 'clipNorm', 'seed'),
  evalEvery: { kind: 'int', default: 100, min: 0, help: 'validate every N steps (0 = only at the end)' },
  checkpointEvery: { kind: 'int', default: 100, min: 0, help: 'checkpoint every N steps (0 = only at the end)' },
  ...pick('backend', 'gpujsMode'),
  out: { kind: 'string', placeholder: 'DIR', help: 'output directory (default: out/pretrain-<name of --data>)' },
  resume: { kind: 'string', placeholder: 'DIR', help: 'continue the run in DIR from its latest checkpoint, with its saved options' },
  init: { kind: 'string', placeholder: 'DIR', help: 'start from the weights of a masked-LM checkpoint of the same shape (a pretrain output), with a fresh optimizer and schedule' },
  ...pick('stopAt', 'quiet'),
} as const satisfies FlagSpecs;

export type PretrainOptions = FlagValues<typeof PRETRAIN_FLAGS>;

const SECTIONS: Record<string, readonly (keyof typeof PRETRAIN_FLAGS)[]> = {
  Data: ['data', 'textField', 'tokenizer', 'vocabSize', 'seqLen', 'evalLimit'],
  Model: ['hiddenSize', 'embeddingSize', 'intermediateSize', 'numLayers', 'numGroups', 'heads', 'dropout'],
  Attention: ['attention', 'sparsityType', 'blockSize', 'sparseBlockSize', 'sparsityFactor', 'numGlobalTokens'],
  Optimisation: ['steps', 'batchSize', 'lr', 'warmup', 'weightDecay', 'clipNorm', 'seed'],
  Run: ['evalEvery', 'checkpointEvery', 'backend', 'gpujsMode', 'out', 'resume', 'init', 'stopAt', 'quiet'],
};

const DESCRIPTION = `Pretrains an ALBERT (LSG attention by default) as a masked language model on raw text, as BERT
does: 15% of the tokens are chosen (special tokens never), of those 80% become [MASK], 10% a random
token and 10% stay; the model learns to predict them. Documents are cut into --seq-len windows; the
documents the fixed 80/10/10 hash split puts in validation are held out for the validation loss and
accuracy, those it puts in test are not used (so a classifier fine-tuned on the same corpus is
tested on text pretraining never saw). Writes LSGAlbertForMaskedLM checkpoints in HuggingFace layout
with the tokenizer files, metrics.json and curves.svg into --out; lsgrad fill-mask reads them.`;

/** Masking seeds of the validation windows: fixed, so every validation scores the same masks. */
const VALIDATION_SEED = 0x76616c;

interface PretrainValidation { step: number; loss: number; accuracy: number; masked: number; seconds: number }
interface PretrainState { step: number; losses: number[]; validations: PretrainValidation[]; trainSeconds: number; trainTokens: number }

/** Windows framed [CLS] … [SEP] and padded, in one encoded set (labels unused). */
function windowSet(windowIds: readonly Int32Array[], tokenizer: TextTokenizer, seqLen: number): EncodedSet {
  const inputIds = new Int32Array(windowIds.length * seqLen);
  const attentionMask = new Int32Array(windowIds.length * seqLen);
  const lengths = new Int32Array(windowIds.length);
  windowIds.forEach((ids, row) => {
    const encoded = layout(tokenizer.special, ids, seqLen);
    inputIds.set(encoded.inputIds, row * seqLen);
    attentionMask.set(encoded.attentionMask, row * seqLen);
    lengths[row] = encoded.length;
  });
  return { count: windowIds.length, seqLen, sepId: tokenizer.special.sep, inputIds, attentionMask, labels: new Int32Array(windowIds.length), lengths };
}

function maskedTensors(batch: MaskedBatch) {
  const shape = [batch.inputIds.length / batch.width, batch.width];
  return {
    inputIds: tensor(batch.inputIds, { shape, dtype: 'int32' }),
    attentionMask: tensor(batch.attentionMask, { shape, dtype: 'int32' }),
    labels: tensor(batch.labels, { shape, dtype: 'int32' }),
  };
}

/** Masked-LM loss (mean over the chosen tokens) and accuracy of the held-out windows, in batches of 8. */
function validate(model: MaskedLanguageModel, set: EncodedSet): Omit<PretrainValidation, 'step'> {
  const started = performance.now();
  const module = model.module;
  const wasTraining = module.training;
  module.eval();
  let lossSum = 0, correct = 0, masked = 0;
  try {
    for (let first = 0; first < set.count; first += 8) {
      const rows = Array.from({ length: Math.min(8, set.count - first) }, (_, i) => first + i);
      const batch = maskBatch(gatherRows(set, rows), model.tokenizer.special, model.module.config.vocabSize, VALIDATION_SEED, first + 1);
      const { loss, logits } = noGrad(() => module.forward(maskedTensors(batch)));
      const values = logits.toTypedArray();
      const vocab = model.module.config.vocabSize;
      batch.labels.forEach((label, position) => {
        if (label === NOT_SCORED) return;
        let best = 0;
        for (let id = 1; id < vocab; id++) if (values[position * vocab + id]! > values[position * vocab + best]!) best = id;
        if (best === label) correct++;
      });
      lossSum += loss!.item() * batch.chosen;
      masked += batch.chosen;
    }
  } finally {
    module.train(wasTraining);
  }
  return { loss: lossSum / masked, accuracy: correct / masked, masked, seconds: (performance.now() - started) / 1000 };
}

function curves(state: PretrainState): string {
  const losses = state.losses.map((loss, index) => [index + 1, loss] as const);
  const smoothed = movingAverage(state.losses, 10).map((loss, index) => [index + 1, loss] as const);
  const lossChart = lineChartSvg([
    { name: 'train loss (masked tokens)', points: losses, color: '#9ecae1' },
    { name: 'moving avg (10)', points: smoothed, color: '#08519c' },
    { name: 'validation loss', points: state.validations.map((point) => [point.step, point.loss] as const) },
  ], { title: 'Masked-LM loss', xLabel: 'step', yLabel: 'cross-entropy' });
  const accuracyChart = lineChartSvg([
    { name: 'validation masked-token accuracy', points: state.validations.map((point) => [point.step, point.accuracy] as const) },
  ], { title: 'Masked-token accuracy', xLabel: 'step', yLabel: 'fraction', yRange: [0, 1] });
  return stackedChartsSvg([lossChart, accuracyChart]);
}

export function pretrainHelp(): string {
  return formatHelp('lsgrad pretrain --data PATH [options]', DESCRIPTION, PRETRAIN_FLAGS, SECTIONS);
}

/** The flags that may go with --resume: where the run is, how far to go this time, how loudly. */
const RESUME_FLAGS: ReadonlySet<string> = new Set(['resume', 'stopAt', 'quiet']);

function resolveOptions(argv: string[]): { options: PretrainOptions; out: string; resumeFrom?: string } | undefined {
  const parsed = parseArgs('lsgrad pretrain', PRETRAIN_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(pretrainHelp() + '\n');
    return undefined;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`lsgrad pretrain: unexpected argument "${parsed.positionals[0]}"; pretrain takes only --flags (see lsgrad pretrain --help)`);
  let options = parsed.flags;
  let resumeFrom: string | undefined;
  if (options.resume !== undefined) {
    const ignored = [...parsed.given].filter((key) => !RESUME_FLAGS.has(key));
    if (ignored.length > 0) throw new UsageError(`lsgrad pretrain: --resume continues a run with its saved options; ${ignored.map((key) => `--${flagName(key)}`).join(', ')} cannot change them`);
    const runFile = join(options.resume, RUN_FILE);
    if (!existsSync(runFile)) throw new UsageError(`lsgrad pretrain: --resume ${options.resume}: no ${RUN_FILE} there; expected the --out directory of an earlier lsgrad pretrain`);
    options = { ...(JSON.parse(readFileSync(runFile, 'utf8')) as PretrainOptions), out: options.resume, resume: options.resume, stopAt: options.stopAt, quiet: options.quiet };
    resumeFrom = existsSync(join(options.resume!, LATEST_FILE)) ? resolveCheckpoint(options.resume!) : undefined;
  }
  if (options.data === undefined) throw new UsageError('lsgrad pretrain: --data PATH is required (a .txt file, a folder of text files or a .jsonl file)');
  const problems = crossCheckTrainOptions({ ...options, shortSeqLen: 0, longSteps: 0 } as Parameters<typeof crossCheckTrainOptions>[0]);
  if (problems.length > 0) throw new UsageError(`lsgrad pretrain: ${problems.join('; ')}`);
  const out = options.out ?? join('out', `pretrain-${basename(resolve(options.data), extname(options.data))}`);
  return { options, out, resumeFrom };
}

export async function runPretrain(argv: string[]): Promise<void> {
  const resolved = resolveOptions(argv);
  if (!resolved) return;
  const { options, out, resumeFrom } = resolved;
  const log = (message: string) => process.stderr.write(`${message}\n`);

  // Data and tokenizer are read and checked before anything is written to --out.
  const documents = readDocuments(options.data!, { textField: options.textField });
  const trainTexts = documents.filter((document) => splitOfText(document.text) === 'train');
  const heldOut = documents.filter((document) => splitOfText(document.text) === 'validation');
  if (trainTexts.length === 0 || heldOut.length === 0) {
    throw dataError(options.data!, `${documents.length} documents give ${trainTexts.length} to train on and ${heldOut.length} held out; expected enough documents for the 80/10/10 split (validation part non-empty)`);
  }
  const tokenizer = resumeFrom ? undefined : options.init !== undefined
    ? loadMaskedLm(resolveCheckpoint(options.init)).tokenizer
    : tokenizerForTraining(options.tokenizer, options.vocabSize, () => trainTexts.map((document) => document.text));
  await selectBackend(options.backend, options.gpujsMode);
  const model = resumeFrom ? loadMaskedLm(resumeFrom) : createMaskedLm(options, tokenizer!);
  if (!resumeFrom && options.init !== undefined) {
    const source = loadMaskedLm(resolveCheckpoint(options.init));
    try {
      model.module.loadStateDict(source.module.stateDict());
    } catch (error) {
      throw new UsageError(`lsgrad pretrain: --init ${options.init}: its weights (${source.description}) do not fit the model these flags build (${model.description}): ${(error as Error).message}`);
    }
    log(`initialized from ${resolveCheckpoint(options.init)}`);
  }
  const windowTokens = options.seqLen - 2;
  const encodeAll = (texts: readonly { text: string }[]) => windows(texts.map((document) => model.tokenizer.encode(document.text)), windowTokens);
  const train = windowSet(encodeAll(trainTexts), model.tokenizer, options.seqLen);
  const validation = windowSet(spreadEvenly(encodeAll(heldOut), options.evalLimit), model.tokenizer, options.seqLen);
  log(`data: ${resolve(options.data!)}: ${trainTexts.length} training documents → ${train.count} windows of up to ${windowTokens} tokens; ${heldOut.length} held-out documents → ${validation.count} validation windows (the 80/10/10 hash split's validation part; its test part is not used)`);
  log(`masking: ${MASK_PROBABILITY * 100}% of real tokens chosen; of those 80% [MASK], 10% random, 10% unchanged; special tokens never`);
  if (!resumeFrom) writeJsonAtomic(join(out, RUN_FILE), options);
  const module = model.module;
  const parameterCount = module.parameters().reduce((total, parameter) => total + parameter.size, 0);
  log(`model: ${model.description} · ${parameterCount.toLocaleString('en-US')} parameters · backend ${options.backend}`);

  const namedParameters = module.namedParameters();
  const optimizer = new AdamW(weightDecayGroups(module, options.weightDecay), { lr: options.lr, weightDecay: options.weightDecay });
  const lrFactor = warmupSchedule({ warmupSteps: Math.min(options.warmup, options.steps), totalSteps: options.steps, decay: 'linear' });
  let state: PretrainState = { step: 0, losses: [], validations: [], trainSeconds: 0, trainTokens: 0 };
  if (resumeFrom) {
    state = JSON.parse(readFileSync(join(resumeFrom, TRAINER_STATE_FILE), 'utf8')) as PretrainState;
    restoreOptimizerState(optimizer, namedParameters, readFileSync(join(resumeFrom, OPTIMIZER_FILE)));
    log(`resumed from ${resumeFrom} at step ${state.step}`);
  }
  const lastStep = options.stopAt > 0 ? Math.min(options.stopAt, options.steps) : options.steps;
  const progress = options.quiet ? undefined : new ProgressBar({ totalSteps: options.steps, startStep: state.step });
  const say = (message: string) => (progress ? progress.log(message) : log(message));
  const saveCheckpoint = async (step: number) => {
    const directory = join(out, checkpointName(step));
    await writeDirectoryAtomic(directory, async (temporary) => {
      model.savePretrained(temporary);
      writeFileAtomic(join(temporary, OPTIMIZER_FILE), serializeOptimizerState(optimizer, namedParameters));
      writeJsonAtomic(join(temporary, TRAINER_STATE_FILE), state);
    });
    writeLatest(out, step);
    say(`checkpoint ${directory}`);
  };
  module.train();
  for (let step = state.step + 1; step <= lastStep; step++) {
    const started = performance.now();
    for (const group of optimizer.paramGroups) group.lr = group.initialLr * lrFactor(step);
    const batch = maskBatch(gatherRows(train, batchIndices(train.count, options.batchSize, step, options.seed)), model.tokenizer.special, module.config.vocabSize, options.seed, step);
    const loss = inDeviceScope(() => {
      model.reseedDropout(options.seed, step);
      const value = module.forward(maskedTensors(batch)).loss!;
      value.backward();
      if (options.clipNorm > 0) clipGradNorm(module.parameters(), options.clipNorm);
      optimizer.step();
      optimizer.zeroGrad();
      return value.item();
    }, [module, optimizer]);
    if (!Number.isFinite(loss)) throw new Error(`lsgrad pretrain: loss is ${loss} at step ${step}; try a lower --lr (now ${options.lr})`);
    const tokens = batch.inputIds.length;
    state = { ...state, step, losses: [...state.losses, loss], trainSeconds: state.trainSeconds + (performance.now() - started) / 1000, trainTokens: state.trainTokens + tokens };
    progress?.update({ step, loss, tokens });
    if ((options.evalEvery > 0 && step % options.evalEvery === 0) || step === options.steps) {
      const scored = validate(model, validation);
      state = { ...state, validations: [...state.validations, { step, ...scored }] };
      say(`validation @ step ${step}: masked-LM loss ${scored.loss.toFixed(4)} · masked-token accuracy ${(100 * scored.accuracy).toFixed(2)}% (${scored.masked} masked tokens) [${scored.seconds.toFixed(1)}s]`);
    }
    if ((options.checkpointEvery > 0 && step % options.checkpointEvery === 0) || step === lastStep) await saveCheckpoint(step);
  }
  progress?.finish();
  if (lastStep < options.steps) {
    log(`stopped after step ${lastStep} (--stop-at); continue with: lsgrad pretrain --resume ${out}`);
    return;
  }
  writeJsonAtomic(join(out, 'metrics.json'), {
    options, data: { path: resolve(options.data!), trainDocuments: trainTexts.length, heldOutDocuments: heldOut.length, trainWindows: train.count, validationWindows: validation.count },
    model: { description: model.description, parameters: parameterCount },
    validations: state.validations, losses: state.losses,
    timing: { trainSeconds: state.trainSeconds, tokensPerSecond: state.trainSeconds > 0 ? state.trainTokens / state.trainSeconds : null },
  });
  writeFileAtomic(join(out, 'curves.svg'), curves(state));
  log(`wrote ${resolve(out)}/{metrics.json,curves.svg} and checkpoints/; try: lsgrad fill-mask ${out} "some text with [MASK] in it"`);
}
