// `lsgrad train --init DIR`: fine-tuning from any HuggingFace-layout ALBERT or LSG-ALBERT
// checkpoint (a pretrain output, a convert output, a train checkpoint, or one PyTorch wrote). The
// model's shape and tokenizer come from the checkpoint; the encoder's weights are copied by name;
// the classification head is new unless the checkpoint is a classifier of the same classes (so
// --init also continues a fine-tuning run); a dense checkpoint is converted to LSG on the fly
// (lsg/convert.ts) when the run uses LSG attention. The run is told which weights were loaded and
// which were initialised.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AlbertConfig, loadSafetensors, type StateDict } from '../nn/index.js';
import { LsgAlbertConfig } from '../lsg/index.js';
import { convertAlbertState } from '../lsg/convert.js';
import { flagName } from './args.js';
import { checkpointTokenizer } from './masked-lm.js';
import { LSGRAD_MODEL_FILE, type ModelMeta, type TextClassifier } from './model.js';
import type { TextTokenizer } from './data/tokenizers.js';
import type { TrainOptions } from './train-flags.js';

export interface InitSource {
  checkpoint: string;
  json: Record<string, unknown>;
  config: AlbertConfig;
  lsg: boolean;
  tokenizer: TextTokenizer;
}

/** A checkpoint --init can start from: config.json and model.safetensors (the tokenizer files when not byte-level). */
export function readInitSource(checkpoint: string): InitSource {
  const missing = ['config.json', 'model.safetensors'].filter((name) => !existsSync(join(checkpoint, name)));
  if (missing.length > 0) throw new Error(`${checkpoint} has no ${missing.join(', ')}; expected a HuggingFace-layout ALBERT or LSG-ALBERT checkpoint (or a run directory of lsgrad train or pretrain)`);
  const json = JSON.parse(readFileSync(join(checkpoint, 'config.json'), 'utf8')) as Record<string, unknown>;
  const metaPath = join(checkpoint, LSGRAD_MODEL_FILE);
  const meta = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as ModelMeta) : undefined;
  const lsg = meta ? meta.attention === 'lsg' : 'block_size' in json || json.base_model_prefix === 'lsg';
  const config = lsg ? LsgAlbertConfig.fromHfJson(json) : AlbertConfig.fromHfJson(json);
  return { checkpoint, json, config, lsg, tokenizer: checkpointTokenizer(checkpoint, meta) };
}

/** Train flags that describe the model's shape, and where the checkpoint's config.json says them. */
const SHAPE: readonly [keyof TrainOptions, (config: AlbertConfig) => number][] = [
  ['hiddenSize', (c) => c.hiddenSize], ['embeddingSize', (c) => c.embeddingSize], ['intermediateSize', (c) => c.intermediateSize],
  ['numLayers', (c) => c.numHiddenLayers], ['numGroups', (c) => c.numHiddenGroups], ['heads', (c) => c.numAttentionHeads],
];

/**
 * The options of a run initialised from `source`: shape flags not given take the checkpoint's
 * values, and so do --seq-len (its positions), the LSG settings of an LSG checkpoint and the
 * tokenizer; a given flag that contradicts the checkpoint is a problem naming both.
 */
export function optionsFromInit(options: TrainOptions, given: ReadonlySet<string>, source: InitSource): { options: TrainOptions; problems: string[] } {
  const problems: string[] = [];
  const next: Record<string, unknown> = { ...options };
  for (const [key, read] of SHAPE) {
    const value = read(source.config);
    if (given.has(key) && options[key] !== value) problems.push(`--${flagName(key)} ${options[key]} differs from the checkpoint's ${value}`);
    next[key] = value;
  }
  if (source.config.vocabSize !== source.tokenizer.vocabSize) {
    problems.push(`the checkpoint's vocabulary has ${source.config.vocabSize} tokens but its tokenizer (${source.tokenizer.kind === 'bytes' ? 'byte-level: there is no tokenizer.json beside it' : source.tokenizer.description}) has ${source.tokenizer.vocabSize}; expected the tokenizer.json it was trained with in the checkpoint folder`);
  }
  const positions = source.config.maxPositionEmbeddings;
  if (!given.has('seqLen')) next.seqLen = positions;
  else if (options.seqLen > positions && !(options.attention === 'lsg' && !source.lsg)) {
    problems.push(`--seq-len ${options.seqLen} is longer than the checkpoint's ${positions} positions (a dense checkpoint grows its positions only when converted to LSG: --attention lsg)`);
  }
  if (!given.has('shortSeqLen') && options.shortSeqLen >= (next.seqLen as number)) next.shortSeqLen = 0;
  if (source.lsg && source.config instanceof LsgAlbertConfig) {
    if (!given.has('attention')) next.attention = 'lsg';
    const lsg = source.config.lsg;
    const settings: Record<string, unknown> = { blockSize: lsg.blockSize, sparseBlockSize: lsg.sparseBlockSize, sparsityFactor: lsg.sparsityFactor, sparsityType: lsg.sparsityType, numGlobalTokens: lsg.numGlobalTokens };
    for (const [key, value] of Object.entries(settings)) if (!given.has(key)) next[key] = value;
  }
  // The replicas' worker threads build their model from these options: they must read the checkpoint's tokenizer.
  next.tokenizer = source.tokenizer.kind === 'bytes' ? 'bytes' : join(source.checkpoint, 'tokenizer.json');
  if (given.has('tokenizer') && options.tokenizer !== 'bytes' !== (source.tokenizer.kind !== 'bytes')) {
    problems.push(`--tokenizer ${options.tokenizer} is not the checkpoint's (${source.tokenizer.description}); leave it out to use the checkpoint's`);
  }
  return { options: next as TrainOptions, problems };
}

/** The checkpoint's weights, converted to LSG-ALBERT's when a dense checkpoint meets an LSG run. */
function sourceState(source: InitSource, options: TrainOptions): { state: StateDict; converted: boolean } {
  const state = loadSafetensors(join(source.checkpoint, 'model.safetensors'), 'float32');
  if (source.lsg || options.attention !== 'lsg') return { state, converted: false };
  const { state: lsgState } = convertAlbertState(state, source.config, {
    maxSequenceLength: options.seqLen, blockSize: options.blockSize, sparseBlockSize: options.sparseBlockSize, sparsityFactor: options.sparsityFactor,
    sparsityType: options.sparsityType, numGlobalTokens: options.numGlobalTokens, bosTokenId: source.tokenizer.special.cls, maskTokenId: source.tokenizer.special.mask,
    architecture: 'AlbertForSequenceClassification',
  });
  return { state: lsgState, converted: true };
}

const HEAD_PREFIX = 'classifier.';

/** Whether the checkpoint is a classifier of exactly these classes (its head then fits the task). */
function sameClasses(source: InitSource, labels: readonly string[]): boolean {
  const id2label = source.json.id2label as Record<string, string> | undefined;
  const isClassifier = ((source.json.architectures as string[] | undefined) ?? []).some((name) => name.endsWith('ForSequenceClassification'));
  return isClassifier && id2label !== undefined && labels.every((label, id) => id2label[String(id)] === label) && Object.keys(id2label).length === labels.length;
}

export interface InitReport { loaded: string[]; initialised: string[]; converted: boolean; headKept: boolean }

/**
 * Copies the checkpoint's weights into `classifier` by name. Position embeddings longer than the
 * run's --seq-len keep their first rows. A missing or misshapen encoder weight is an error listing
 * them all; the head and the pooler (which masked-LM checkpoints lack) may be new.
 * @example initialWeights(classifier, readInitSource('out/pretrain/checkpoints/step-000300'), options).initialised
 */
export function initialWeights(classifier: TextClassifier, source: InitSource, options: TrainOptions): InitReport {
  const { state, converted } = sourceState(source, options);
  const headKept = sameClasses(source, classifier.labels);
  const chosen: StateDict = {};
  const loaded: string[] = [];
  const initialised: string[] = [];
  const problems: string[] = [];
  for (const [name, parameter] of classifier.module.namedParameters()) {
    let value = state[name];
    const optional = name.startsWith(HEAD_PREFIX) || name.includes('.pooler.');
    if (value === undefined || (name.startsWith(HEAD_PREFIX) && !headKept)) {
      if (optional) { initialised.push(name); continue; }
      problems.push(`${name} is missing`);
      continue;
    }
    if (name.endsWith('position_embeddings.weight') && value.shape[0]! > parameter.shape[0]! && value.shape[1] === parameter.shape[1]) {
      value = value.narrow(0, 0, parameter.shape[0]!);
    }
    if (value.shape.join(',') !== parameter.shape.join(',')) {
      problems.push(`${name}: checkpoint [${value.shape.join(', ')}] vs model [${parameter.shape.join(', ')}]`);
      continue;
    }
    chosen[name] = value;
    loaded.push(name);
  }
  if (problems.length > 0) throw new Error(`the checkpoint does not fit the model these flags build: ${problems.join('; ')}`);
  classifier.module.loadStateDict(chosen, { strict: false });
  return { loaded, initialised, converted, headKept };
}
