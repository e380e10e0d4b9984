// `lsgrad train`: parses flags, prepares data and the baseline, builds or resumes the model,
// trains, then scores the test split and writes metrics.json and the pictures into --out.
import { existsSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { flagName, formatHelp, parseArgs, UsageError } from './args.js';
import { runNaiveBayesBaseline, type BaselineResult } from './baseline.js';
import { encodeSet, type TrainingDocuments } from './data/batches.js';
import { initialWeights, optionsFromInit, readInitSource, type InitReport, type InitSource } from './init-weights.js';
import { tokenizerForTraining } from './data/tokenizers.js';
import { emptyBufferPool } from '../backends/cpu/buffer-pool.js';
import { BUILT_IN_DATASET, dataSpecOf, describePart, loadDataset, type Dataset, type Example } from './data/dataset.js';
import { scoreSet } from './evaluate.js';
import { Replicas } from './replicas.js';
import { formatMetrics } from './metrics.js';
import { createClassifier, loadClassifier, selectBackend, type TextClassifier } from './model.js';
import { writeRunArtifacts } from './run-artifacts.js';
import { readRunOptions, resolveCheckpoint, writeRunOptions } from './run-state.js';
import { EVAL_BATCH_SIZE, runTraining } from './trainer.js';
import { TRAIN_FLAGS, TRAIN_SECTIONS, crossCheckTrainOptions, implicitLongWarmup, warmUpSteps, type TrainOptions } from './train-flags.js';

const utf8 = new TextEncoder();

const DESCRIPTION = `Trains an ALBERT text classifier (LSG attention by default; bytes or a --tokenizer) on --data: by default the
built-in SpamAssassin corpus (spam against ham, train 4,816 / validation 598 / test 632), or your own
labelled documents (.jsonl, .csv/.tsv with a header row, or one folder per label), split 80/10/10 by a
hash of each text unless --validation / --test are given (see docs/training.md).
Writes checkpoints, metrics.json, curves.svg and attention.svg into --out.`;

export function trainHelp(): string {
  return formatHelp('lsgrad train [options]', DESCRIPTION, TRAIN_FLAGS, TRAIN_SECTIONS);
}

/** The flags that may go with --resume: where the run is, how far to go this time, how loudly. */
const RESUME_FLAGS: ReadonlySet<string> = new Set(['resume', 'stopAt', 'quiet']);

/** out/spam for the built-in corpus, out/<name of the file or folder> otherwise. */
export function defaultOut(data: string): string {
  return data === BUILT_IN_DATASET ? 'out/spam' : join('out', basename(resolve(data), extname(data)));
}

/** Flags given on the command line, resolved against a resumed run's saved options. */
function resolveOptions(argv: string[]): { options: TrainOptions; out: string; resumeFrom?: string; initSource?: InitSource } | undefined {
  const parsed = parseArgs('lsgrad train', TRAIN_FLAGS, argv);
  if (parsed.help) {
    process.stdout.write(trainHelp() + '\n');
    return undefined;
  }
  if (parsed.positionals.length > 0) {
    throw new UsageError(`lsgrad train: unexpected argument "${parsed.positionals[0]}"; train takes only --flags (see lsgrad train --help)`);
  }
  let options = parsed.flags;
  if (!parsed.given.has('longWarmup')) options = { ...options, longWarmup: implicitLongWarmup(options) };
  let resumeFrom: string | undefined;
  if (options.resume !== undefined) {
    const ignored = [...parsed.given].filter((key) => !RESUME_FLAGS.has(key));
    if (ignored.length > 0) {
      throw new UsageError(`lsgrad train: --resume continues a run with its saved options; ${ignored.map((key) => `--${flagName(key)}`).join(', ')} cannot change them (start a new run, or use --init DIR to start from its weights)`);
    }
    const runDirectory = options.resume;
    const saved = readRunOptions(runDirectory);
    // A resumed run keeps every saved option (they define the losses it must reproduce), except
    // how far to go this time and how loudly.
    options = { ...saved, out: runDirectory, resume: runDirectory, stopAt: options.stopAt, quiet: options.quiet };
    resumeFrom = existsSync(join(runDirectory, 'latest-checkpoint.json')) ? resolveCheckpoint(runDirectory) : undefined;
  }
  const problems = crossCheckTrainOptions(options);
  let initSource: InitSource | undefined;
  if (options.init !== undefined && options.resume === undefined) {
    try {
      initSource = readInitSource(resolveCheckpoint(options.init));
      const adopted = optionsFromInit(options, parsed.given, initSource);
      options = adopted.options;
      problems.push(...adopted.problems.map((problem) => `--init ${options.init}: ${problem}`), ...crossCheckTrainOptions(options));
    } catch (error) {
      problems.push(`--init ${options.init}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw new UsageError(`lsgrad train: ${[...new Set(problems)].join('; ')}`);
  return { options, out: options.out ?? defaultOut(options.data), resumeFrom, initSource };
}

function describeLengths(options: TrainOptions): string {
  const shortSteps = warmUpSteps(options);
  const crops = options.cropProb > 0 ? ` · ${Math.round(options.cropProb * 100)}% of training documents read from a random line` : '';
  if (shortSteps === 0) return `seq-len ${options.seqLen}${crops}`;
  const windows = options.shortWindows > 0 ? `, ${Math.round(options.shortWindows * 100)}% of them as windows at their full-length positions` : '';
  return `seq-len ${options.seqLen} (warm-up: steps 1–${shortSteps} read ${options.shortSeqLen} tokens${windows}, the last ${options.steps - shortSteps} all ${options.seqLen})${crops}`;
}

/** --init: the checkpoint's weights in the freshly built classifier, and what was loaded and what initialised. */
function initializeFrom(classifier: TextClassifier, source: InitSource, options: TrainOptions, log: (message: string) => void): void {
  let report: InitReport;
  try {
    report = initialWeights(classifier, source, options);
  } catch (error) {
    throw new UsageError(`lsgrad train: --init ${options.init}: ${(error as Error).message}`);
  }
  const converted = report.converted ? ' (a dense checkpoint, converted to LSG-ALBERT on the fly)' : '';
  const head = report.headKept ? 'its classification head too (same classes)' : 'a new classification head';
  log(`initialized from ${source.checkpoint}${converted}: loaded ${report.loaded.length} weights, ${head}; initialised ${report.initialised.length}${report.initialised.length > 0 ? ` (${report.initialised.join(', ')})` : ''}`);
}

export async function runTrain(argv: string[]): Promise<void> {
  const resolved = resolveOptions(argv);
  if (!resolved) return;
  const { options, out, resumeFrom, initSource } = resolved;
  const log = (message: string) => process.stderr.write(`${message}\n`);
  // The data is read and checked before anything is written to --out or a model is built.
  const data = dataSpecOf(options);
  const dataset: Dataset = loadDataset(data, { train: options.limit, validation: options.evalLimit, test: options.testLimit });
  const { train, validation, test, labels } = dataset;
  const tokenizer = resumeFrom ? undefined : initSource ? initSource.tokenizer : tokenizerForTraining(options.tokenizer, options.vocabSize, () => train.map((example) => example.text));
  await selectBackend(options.backend, options.gpujsMode);
  log(`data: ${data.data === BUILT_IN_DATASET ? BUILT_IN_DATASET : dataset.name}, ${labels.length} classes (${labels.join(', ')}); ${dataset.split}`);
  log(`data: ${describePart('train', train, labels)} · ${describePart('validation', validation, labels)} · ${describePart('test', test, labels)} · ${describeLengths(options)}`);

  const classifier = resumeFrom ? await loadClassifier(resumeFrom) : createClassifier(options, labels, data, tokenizer);
  let baseline: BaselineResult | undefined;
  if (options.baseline) {
    // The baseline always learns from the whole training split (it takes under a second), so its
    // number does not move with --limit; trainCount in metrics.json says so. It reads the text the
    // model's tokenizer covers.
    const wholeTrain = options.limit > 0 ? loadDataset(data, { train: 0, validation: 1, test: 1 }).train : train;
    baseline = runNaiveBayesBaseline(wholeTrain, validation, test, options.seqLen, labels, classifier.tokenizer);
    log(`baseline (${baseline.name}, ${baseline.trainCount} train documents): test ${formatMetrics(baseline.test)}`);
  }

  const encodeTexts = (texts: readonly (string | Uint8Array)[], examples: readonly Example[]) =>
    encodeSet(texts, examples.map((example) => example.label), options.seqLen, classifier.encode, classifier.tokenizer.special.sep);
  const encode = (examples: readonly Example[]) => encodeTexts(examples.map((example) => example.text), examples);
  if (resumeFrom && classifier.labels.join('\n') !== labels.join('\n')) {
    throw new Error(`--resume ${out}: the checkpoint's classes (${classifier.labels.join(', ')}) are not those of its data now (${labels.join(', ')}); expected the same data as when the run started`);
  }
  if (!resumeFrom && initSource) initializeFrom(classifier, initSource, options, log);
  if (!resumeFrom) writeRunOptions(out, options);
  const parameterCount = classifier.module.parameters().reduce((total, parameter) => total + parameter.size, 0);
  log(`model: ${classifier.description} · ${parameterCount.toLocaleString('en-US')} parameters · backend ${options.backend}`);

  const threads = options.backend === 'cpu' ? options.threads : 1;
  if (threads !== options.threads) log(`--threads ${options.threads}: replicas run on the cpu backend only; using one`);
  const tokenizerFiles = classifier.tokenizer.kind === 'bytes' ? undefined : classifier.tokenizer.files(options.seqLen);
  const replicas = Replicas.start(classifier, { options, labels, tokenizerFiles }, threads);
  try {
    // The training documents are kept as UTF-8 bytes; each step encodes its batch from them.
    const trainDocuments: TrainingDocuments = {
      bytes: train.map((example) => utf8.encode(example.text)),
      labels: Int32Array.from(train, (example) => example.label),
      seqLen: options.seqLen, encode: classifier.encode, sepId: classifier.tokenizer.special.sep,
    };
    const result = await runTraining({ options, out, replicas, train: trainDocuments, validation: encode(validation), testCount: test.length, resumeFrom, log });
    if (result.stopped) {
      log(`stopped after step ${result.state.step} (--stop-at); continue with: lsgrad train --resume ${out}`);
      return;
    }
    const scored = await scoreSet(replicas, encode(test), EVAL_BATCH_SIZE);
    log(`test: ${formatMetrics(scored.metrics)} [${scored.seconds.toFixed(1)}s wall, ${scored.cpuSeconds.toFixed(1)}s CPU]`);
    // The pictures run one more pass at full length on this thread alone: the worker replicas and the
    // free buffers of training's shapes would only add to the process's peak memory.
    await replicas.close();
    emptyBufferPool();
    await writeRunArtifacts({
      options, out, dataset, classifier, state: result.state, test: scored, baseline, peakRssBytes: result.peakRssBytes,
      dataSizes: { train: train.length, validation: validation.length, test: test.length },
      attentionExample: test.find((example) => example.label === 1) ?? test[0]!,
    });
    log(`wrote ${resolve(out)}/{metrics.json,curves.svg,attention.svg} and checkpoints/`);
  } finally {
    await replicas.close();
  }
}

