// Every flag of `lsgrad train`, declared once: kind, default, help. The defaults are the
// `npm start` configuration (see docs/training.md for how they were chosen and measured).
import { flagName, type FlagSpecs, type FlagValues } from './args.js';
import { GPUJS_MODES } from '../backends/gpujs/modes.js';
import { MODEL_PARTS } from './freeze.js';
import { ConfigError } from '../engine/errors.js';
import { warmupSchedule } from '../nn/index.js';
import { createLsgConfig, createLsgLayerConfig } from '../lsg/config.js';
import { DEFAULT_WORDS_VOCAB_SIZE, WORDS_TOKENIZER } from './data/word-vocabulary.js';

export const ATTENTION_KINDS = ['lsg', 'dense', 'local'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];
export const SPARSITY_TYPES = ['none', 'norm', 'pooling', 'lsh', 'stride', 'block_stride', 'bos_pooling'] as const;
export const BACKENDS = ['cpu', 'gpujs'] as const;
/** --gpujs-mode, shared by train, eval and predict. */
export const GPUJS_MODE_FLAG = {
  kind: 'choice', choices: GPUJS_MODES, default: 'gpu',
  help: 'gpu.js mode for --backend gpujs: gpu = whichever gpu.js picks, webgpu = Dawn (Vulkan on a GPU machine), headlessgl, webasm, cpu',
} as const;

/** --data, --text-field and --label-field: shared by train and eval. */
export const DATA_FLAGS = {
  data: { kind: 'string', default: 'spam-assassin', placeholder: 'PATH', help: 'spam-assassin (the built-in corpus), a .jsonl file, a .csv/.tsv file with a header row, or a folder with one subfolder of text files per label' },
  textField: { kind: 'string', default: 'text', placeholder: 'NAME', help: 'the JSONL field or CSV column holding the text' },
  labelField: { kind: 'string', default: 'label', placeholder: 'NAME', help: 'the JSONL field or CSV column holding the label (a string or an integer)' },
} as const satisfies FlagSpecs;

export const TRAIN_FLAGS = {
  // data
  ...DATA_FLAGS,
  tokenizer: { kind: 'string', default: WORDS_TOKENIZER, placeholder: 'words|bytes|PATH', help: 'words (a WordPiece vocabulary of --vocab-size tokens built from the training documents: their commonest lower-cased words, and every character they hold), bytes (every UTF-8 byte a token), or a HuggingFace tokenizer.json (WordPiece, BPE or Unigram) or a folder holding one' },
  vocabSize: { kind: 'int', default: DEFAULT_WORDS_VOCAB_SIZE, min: 8, help: 'with --tokenizer words: the vocabulary\'s size (special tokens, characters and "##" characters, then words)' },
  validation: { kind: 'string', placeholder: 'PATH', help: 'validation documents (same format as --data); default: 10% of --data by the hash split' },
  test: { kind: 'string', placeholder: 'PATH', help: 'test documents (same format as --data); default: 10% of --data by the hash split' },
  seqLen: { kind: 'int', default: 4096, min: 8, help: 'tokens per document: [CLS], its first seq-len − 2 tokens, [SEP], padding' },
  shortSeqLen: { kind: 'int', default: 256, min: 0, help: 'sequence-length warm-up: all steps but the last --long-steps read only this many tokens per document (0 = off)' },
  longSteps: { kind: 'int', default: 280, min: 0, help: 'the last steps, which read the full --seq-len after the warm-up' },
  longWarmup: { kind: 'int', default: 10, min: 0, help: 'restart the learning rate at the length switch: the warm-up\'s steps decay to 0 there, and the last --long-steps get their own warmup of this many steps and linear decay (0 = one schedule over all steps; when not given, 10 if the run has a warm-up that --warmup and 10 steps fit, else 0)' },
  shortWindows: { kind: 'float', default: 0, min: 0, max: 1, help: 'during the --short-seq-len warm-up, the chance that a document is read as a window from a random place in its first --seq-len tokens, at the positions it has there (so every position the full length uses is trained before the switch) rather than from its start' },
  cropProb: { kind: 'float', default: 0, min: 0, max: 1, help: 'augmentation: the chance that a training document is read from a random line on (for emails: often past the headers) rather than from its start' },
  limit: { kind: 'int', default: 0, min: 0, help: 'training documents used, spread evenly over the split (0 = all; 4,816 in spam-assassin)' },
  evalLimit: { kind: 'int', default: 200, min: 0, help: 'validation documents scored every --eval-every steps (0 = all; 598 in spam-assassin)' },
  testLimit: { kind: 'int', default: 0, min: 0, help: 'test documents scored at the end (0 = all; 632 in spam-assassin)' },
  // model
  hiddenSize: { kind: 'int', default: 64, min: 1, help: 'transformer width' },
  embeddingSize: { kind: 'int', default: 32, min: 1, help: 'factorized embedding width' },
  intermediateSize: { kind: 'int', default: 128, min: 1, help: 'feed-forward width' },
  numLayers: { kind: 'int', default: 2, min: 1, help: 'transformer layers' },
  numGroups: { kind: 'int', default: 1, min: 1, help: 'shared layer groups (ALBERT shares weights within a group)' },
  heads: { kind: 'int', default: 2, min: 1, help: 'attention heads (must divide --hidden-size)' },
  dropout: { kind: 'float', default: 0, min: 0, max: 0.9, help: 'hidden and attention dropout' },
  // attention
  attention: { kind: 'choice', choices: ATTENTION_KINDS, default: 'lsg', help: 'lsg = local+sparse+global, local = local blocks only, dense = full attention' },
  sparsityType: { kind: 'choice', choices: SPARSITY_TYPES, default: 'norm', help: 'how LSG picks sparse keys' },
  blockSize: { kind: 'int', default: 32, min: 1, help: 'LSG local block size' },
  sparseBlockSize: { kind: 'int', default: 32, min: 0, help: 'LSG sparse block size' },
  sparsityFactor: { kind: 'int', default: 4, min: 1, help: 'LSG sparsity factor' },
  numGlobalTokens: { kind: 'int', default: 1, min: 1, help: 'LSG learned global tokens' },
  // optimisation
  steps: { kind: 'int', default: 900, min: 1, help: 'optimizer steps' },
  batchSize: { kind: 'int', default: 8, min: 1, help: 'documents per step' },
  lr: { kind: 'float', default: 1e-3, min: 0, help: 'peak learning rate (AdamW)' },
  warmup: { kind: 'int', default: 50, min: 0, help: 'linear warmup steps, then linear decay to 0' },
  weightDecay: { kind: 'float', default: 0.01, min: 0, help: 'AdamW decoupled weight decay' },
  clipNorm: { kind: 'float', default: 1, min: 0, help: 'clip gradients to this global norm (0 = off)' },
  seed: { kind: 'int', default: 0, min: 0, help: 'seed of initialisation, data order and dropout' },
  // run
  evalEvery: { kind: 'int', default: 300, min: 0, help: 'validate every N steps (0 = only at the end)' },
  checkpointEvery: { kind: 'int', default: 300, min: 0, help: 'checkpoint every N steps (0 = only at the end)' },
  backend: { kind: 'choice', choices: BACKENDS, default: 'cpu', help: 'engine backend' },
  gpujsMode: GPUJS_MODE_FLAG,
  threads: { kind: 'int', default: 2, min: 1, max: 64, help: 'model replicas (worker threads), each computing a share of every batch; losses depend on this number' },
  out: { kind: 'string', placeholder: 'DIR', help: 'output directory (default: out/spam for spam-assassin, out/<name of --data> otherwise)' },
  resume: { kind: 'string', placeholder: 'DIR', help: 'continue the run in DIR from its latest checkpoint, with its saved options' },
  trainOnly: { kind: 'list', default: [], choices: MODEL_PARTS, placeholder: 'PARTS', help: 'train only these parts, freezing the rest (no gradient, no optimizer state, no weight decay); all parts when not given' },
  init: { kind: 'string', placeholder: 'DIR', help: 'start from the weights of a checkpoint (or a run\'s latest) of the same model shape, with a fresh optimizer and schedule (fine-tuning)' },
  stopAt: { kind: 'int', default: 0, min: 0, help: 'checkpoint and stop after this step, as if interrupted (0 = run to --steps)' },
  baseline: { kind: 'bool', default: true, help: 'also fit the naive-Bayes baseline (--no-baseline to skip)' },
  quiet: { kind: 'bool', default: false, help: 'no progress bar' },
} as const satisfies FlagSpecs;

export type TrainOptions = FlagValues<typeof TRAIN_FLAGS>;

type LengthOptions = Pick<TrainOptions, 'seqLen' | 'shortSeqLen' | 'longSteps' | 'steps'>;

/** Steps of the sequence-length warm-up: all but the last --long-steps, none when it is off or not shorter. */
export function warmUpSteps(options: LengthOptions): number {
  const shorter = options.shortSeqLen > 0 && options.shortSeqLen < options.seqLen;
  return shorter ? Math.max(0, options.steps - options.longSteps) : 0;
}

/**
 * Tokens per email read at 1-based `step`: the warm-up's short length for the warm-up steps,
 * then --seq-len.
 * @example stepSeqLen({ seqLen: 4096, shortSeqLen: 256, longSteps: 60, steps: 900 }, 841)  // 4096
 */
export function stepSeqLen(options: LengthOptions, step: number): number {
  return step <= warmUpSteps(options) ? options.shortSeqLen : options.seqLen;
}

/**
 * The learning-rate factor of each 1-based step: --warmup linear warmup steps, then linear decay to 0
 * at the last step. With --long-warmup N and a sequence-length warm-up, each length has its own
 * schedule: the short steps decay to 0 at the switch, and the long ones warm up over N steps and
 * decay to 0 at the end. NOTE: with one schedule, npm start's 60 full-length steps ran at under 7%
 * of --lr (the tail of the decay), too little to train the 3,840 positions the warm-up never reads.
 * @example lrFactorOf({ warmup: 50, steps: 900, longWarmup: 6, seqLen: 4096, shortSeqLen: 256, longSteps: 60 })(843)  // 0.5
 */
/**
 * --long-warmup when the flag is not given: its default where the run's two phases fit it (a
 * warm-up at all, --warmup within the short steps, the default within the long ones), else 0,
 * the single schedule, so that a short run (`--steps 6`) needs no flag to undo the default.
 * @example implicitLongWarmup({ warmup: 50, steps: 900, longSteps: 280, seqLen: 4096, shortSeqLen: 256 })  // 10
 */
export function implicitLongWarmup(options: LengthOptions & Pick<TrainOptions, 'warmup'>): number {
  const longWarmup = TRAIN_FLAGS.longWarmup.default;
  const shortSteps = warmUpSteps(options);
  const fits = shortSteps > 0 && options.warmup <= shortSteps && longWarmup <= options.steps - shortSteps;
  return fits ? longWarmup : 0;
}

export function lrFactorOf(options: LengthOptions & Pick<TrainOptions, 'warmup' | 'longWarmup'>): (step: number) => number {
  const shortSteps = warmUpSteps(options);
  if (options.longWarmup === 0 || shortSteps === 0) return warmupSchedule({ warmupSteps: options.warmup, totalSteps: options.steps, decay: 'linear' });
  const short = warmupSchedule({ warmupSteps: options.warmup, totalSteps: shortSteps, decay: 'linear' });
  const long = warmupSchedule({ warmupSteps: options.longWarmup, totalSteps: options.steps - shortSteps, decay: 'linear' });
  return (step) => (step <= shortSteps ? short(step) : long(step - shortSteps));
}

export const TRAIN_SECTIONS: Record<string, readonly (keyof typeof TRAIN_FLAGS)[]> = {
  Data: ['data', 'textField', 'labelField', 'tokenizer', 'vocabSize', 'validation', 'test', 'seqLen', 'shortSeqLen', 'longSteps', 'shortWindows', 'cropProb', 'limit', 'evalLimit', 'testLimit'],
  Model: ['hiddenSize', 'embeddingSize', 'intermediateSize', 'numLayers', 'numGroups', 'heads', 'dropout'],
  Attention: ['attention', 'sparsityType', 'blockSize', 'sparseBlockSize', 'sparsityFactor', 'numGlobalTokens'],
  Optimisation: ['steps', 'batchSize', 'lr', 'warmup', 'longWarmup', 'weightDecay', 'clipNorm', 'seed'],
  Run: ['evalEvery', 'checkpointEvery', 'backend', 'gpujsMode', 'threads', 'out', 'resume', 'init', 'trainOnly', 'stopAt', 'baseline', 'quiet'],
};

/** Cross-flag checks that a single flag's range cannot express. Returns problems, empty if none. */
export function crossCheckTrainOptions(options: TrainOptions): string[] {
  const problems: string[] = [];
  if (options.hiddenSize % options.heads !== 0) {
    problems.push(`--heads ${options.heads} does not divide --hidden-size ${options.hiddenSize}`);
  }
  if (options.numLayers % options.numGroups !== 0) {
    problems.push(`--num-groups ${options.numGroups} does not divide --num-layers ${options.numLayers}`);
  }
  if (options.vocabSize !== DEFAULT_WORDS_VOCAB_SIZE && options.tokenizer !== WORDS_TOKENIZER) {
    problems.push(`--vocab-size ${options.vocabSize} sizes the vocabulary of --tokenizer ${WORDS_TOKENIZER}; --tokenizer is ${options.tokenizer}, whose vocabulary is fixed`);
  }
  if (options.shortSeqLen > 0 && options.shortSeqLen < 8) {
    problems.push(`--short-seq-len ${options.shortSeqLen} is too short; expected 0 (no warm-up) or at least 8`);
  }
  if (options.shortWindows > 0 && warmUpSteps(options) === 0) {
    problems.push(`--short-windows ${options.shortWindows} needs a sequence-length warm-up; --short-seq-len is ${options.shortSeqLen} and --seq-len ${options.seqLen}`);
  }
  if ((options.trainOnly ?? []).includes('global') && options.attention !== 'lsg') {
    problems.push(`--train-only global needs LSG attention (global tokens); --attention is ${options.attention}`);
  }
  if (options.warmup > options.steps) {
    problems.push(`--warmup ${options.warmup} is larger than --steps ${options.steps}`);
  }
  const shortSteps = warmUpSteps(options);
  if (options.longWarmup > 0 && shortSteps > 0 && options.warmup > shortSteps) {
    problems.push(`--warmup ${options.warmup} is larger than the ${shortSteps} steps at --short-seq-len ${options.shortSeqLen}, which --long-warmup gives their own schedule`);
  }
  if (options.longWarmup > 0 && shortSteps > 0 && options.longWarmup > options.steps - shortSteps) {
    problems.push(`--long-warmup ${options.longWarmup} is larger than the ${options.steps - shortSteps} steps at full length (--long-steps ${options.longSteps})`);
  }
  const attentionProblem = checkAttentionFlags(options);
  if (attentionProblem) problems.push(attentionProblem);
  return problems;
}

/** The attention flags that build the model's LSG config; their names in a ConfigError become flag names. */
const ATTENTION_FLAGS = ['sparseBlockSize', 'sparsityFactor', 'sparsityType', 'numGlobalTokens', 'blockSize'] as const;

/**
 * Builds the LSG (or local) attention config from the flags, as the model will, so that a setting it
 * refuses is reported before any data is read, in the flags' own names.
 */
function checkAttentionFlags(options: TrainOptions): string | undefined {
  try {
    if (options.attention === 'lsg') {
      createLsgConfig({
        blockSize: options.blockSize, sparseBlockSize: options.sparseBlockSize, sparsityFactor: options.sparsityFactor,
        sparsityType: options.sparsityType, numGlobalTokens: options.numGlobalTokens,
      });
    } else if (options.attention === 'local') {
      createLsgLayerConfig({ blockSize: options.blockSize, sparsityType: 'none' });
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError) || error.argument === undefined) throw error;
    const asFlags = (text: string) => ATTENTION_FLAGS.reduce((out, key) => out.replace(new RegExp(`\\b${key}\\b`, 'g'), `--${flagName(key)}`), text);
    const value = error.argument in options ? options[error.argument as keyof TrainOptions] : error.value;
    return `${asFlags(error.argument)} ${value} is invalid with --attention ${options.attention}; expected ${asFlags(error.expected ?? '')}`;
  }
}
