// The classifier behind `lsgrad train/eval/predict`: an ALBERT for sequence classification with LSG, local-only or dense attention, built from flags or loaded from a
// HuggingFace-layout checkpoint, plus one head's attention pattern for attention.svg.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, Rng, cat, createRng, ones, registerBackend, tensor, useBackend, type Tensor } from '../engine/index.js';
import { AlbertConfig, AlbertForSequenceClassification, denseAttentionFunction, refusalMarker, type AlbertConfigOptions, type AttentionFunction, type Module } from '../nn/index.js';
import {
  LSGAlbertForSequenceClassification, LsgAlbertConfig, createLsgAttentionFunction, lsgModelConnectivity, lsgSelfAttention, lsgConnectivity,
  type LsgConfig,
} from '../lsg/index.js';
import { writeJsonAtomic } from './atomic.js';
import { useDeviceScopes } from './device-scope.js';
import { mixSeed } from './data/batches.js';
import { BYTE_TOKENIZER, encodeForModel, loadTokenizerJson, saveTokenizer, type TextTokenizer } from './data/tokenizers.js';
import type { RowEncoder } from './data/batches.js';
import { attentionProbabilityGrid, type AttentionGrid } from './attention-grid.js';
import { ATTENTION_KINDS, SPARSITY_TYPES, type AttentionKind, type TrainOptions } from './train-flags.js';
import { field, readJsonObject } from './json-file.js';
import { SPAM_LABELS, type DataSpec } from './data/dataset.js';
import type { GpuJsMode } from '../backends/gpujs/modes.js';

/** What train/eval/predict need from a model, whatever its attention. */
export interface TextClassifier {
  module: Module;
  description: string;
  /** Class names by class id (config.json's id2label). */
  labels: string[];
  /** How its inputs are tokenized (saved beside the weights as tokenizer.json and friends). */
  tokenizer: TextTokenizer;
  /** The tokenizer's row layout at a length: [CLS] tokens [SEP] [PAD]…. */
  encode: RowEncoder;
  /** The data the model was trained on (absent in checkpoints written before datasets existed: the spam corpus). */
  data?: DataSpec;
  /** Longest input the position embeddings allow. */
  maxLength: number;
  /** The --seq-len the model was trained with (bytes + CLS + SEP). */
  seqLen: number;
  /**
   * inputIds, attentionMask: (batch, seq) int32; labels: (batch) int32 → loss and (batch, classes) logits.
   * positionIds: (batch, seq) int32 for rows not read from their start (default 0, 1, 2, …).
   */
  forward(inputIds: Tensor, attentionMask: Tensor, labels?: Tensor, positionIds?: Tensor): { loss?: Tensor; logits: Tensor };
  /** Makes dropout masks a function of (seed, step), so a resumed run repeats them. */
  reseedDropout(seed: number, step: number): void;
  savePretrained(directory: string): void | Promise<void>;
  /**
   * Layer 0, head 0 attention probabilities on `text`: the whole input pooled to a grid
   * (attention.svg), and a close-up of its first `closeUpTokens` rows and columns (attention-start.svg).
   */
  attentionPatterns(text: string, seqLen: number, closeUpTokens: number): { whole: AttentionGrid; closeUp: AttentionGrid };
}

/** Saved beside config.json: what the HF config does not say (attention kind and its settings). */
export const LSGRAD_MODEL_FILE = 'lsgrad_model.json';

export interface AttentionSettings {
  attention: AttentionKind;
  sparsityType: TrainOptions['sparsityType'];
  blockSize: number;
  sparseBlockSize: number;
  sparsityFactor: number;
  numGlobalTokens: number;
}

export interface ModelMeta extends AttentionSettings {
  /** utf8-bytes: the byte tokenizer; tokenizer.json: the HuggingFace tokenizer saved beside the weights. */
  tokenizer: 'utf8-bytes' | 'tokenizer.json';
  seqLen: number;
  data?: DataSpec;
  /** masked-lm: a pretrain checkpoint (LSGAlbertForMaskedLM); absent: a classifier. */
  task?: 'masked-lm';
}

export async function selectBackend(name: 'cpu' | 'gpujs', gpujsMode: GpuJsMode = 'gpu'): Promise<void> {
  if (name === 'cpu') return;
  // Imported only when asked for, so the CPU path never loads gpu.js.
  const { createGpuJsBackend } = await import('../backends/gpujs/index.js');
  const backend = createGpuJsBackend({ mode: gpujsMode });
  registerBackend(backend);
  useBackend('gpujs');
  useDeviceScopes(backend);
  process.stderr.write(`gpujs backend: mode ${backend.mode} on ${backend.adapter}\n`);
}

/**
 * A generator whose stream can be restarted from a new seed; handed to the model as its dropout
 * generator, so every dropout layer draws from the stream of the current step.
 */
export class ReseedableRng extends Rng {
  // NOTE: optional because Rng's constructor already draws (warm-up) before this field is set.
  private current?: Rng;
  constructor(seed: number) { super(seed); this.current = createRng(seed); }
  reseed(seed: number): void { this.current = createRng(seed); }
  override nextUint32(): number { return this.current ? this.current.nextUint32() : super.nextUint32(); }
  override uniform(): number { return this.current ? this.current.uniform() : super.uniform(); }
  override normal(): number { return this.current ? this.current.normal() : super.normal(); }
  override int(n: number): number { return this.current ? this.current.int(n) : super.int(n); }
  override fork(): Rng { return this.current ? this.current.fork() : super.fork(); }
}

/** Keep flags (batch, seq) from nn's additive mask (batch, 1, 1, seq): 0 keeps, a large negative masks. */
function keepFromAdditive(mask: Tensor | null, q: Tensor): Tensor | undefined {
  if (mask === null) return undefined;
  return mask.reshape([q.shape[0]!, q.shape[2]!]).eq(0).cast('int32');
}

/** Local-only attention: LSG's block layer with no sparse part and no global token. */
const LOCAL_LAYER = { sparsityType: 'none', computeGlobalAttention: false } as const;

interface Captured { q: Tensor; k: Tensor; mask: Tensor | null }

/**
 * The attention kernel for a kind, wrapped so that it can capture layer 0's q and k for the picture.
 * `lsg` is the LSG-ALBERT kernel (global rows first in q, k, v).
 */
export function attentionFor(settings: AttentionSettings, lsgConfig: LsgConfig | undefined): { kernel: AttentionFunction; capture: { next: boolean; value?: Captured } } {
  const capture: { next: boolean; value?: Captured } = { next: false };
  const lsgKernel = lsgConfig ? createLsgAttentionFunction(lsgConfig) : undefined;
  const kernel: AttentionFunction = (q, k, v, mask, context) => {
    if (capture.next) { capture.value = { q, k, mask }; capture.next = false; }
    switch (settings.attention) {
      case 'dense': return denseAttentionFunction(q, k, v, mask, context);
      case 'local': return lsgSelfAttention(q, k, v, { ...LOCAL_LAYER, blockSize: settings.blockSize, attentionMask: keepFromAdditive(mask, q) });
      case 'lsg': return lsgKernel!(q, k, v, mask, context);
    }
  };
  return { kernel, capture };
}

/** Which keys layer 0 head 0 may see (counts), and the keep flags over its rows, for the picture. */
function connectivityFor(settings: AttentionSettings, lsgConfig: LsgConfig | undefined, captured: Captured): { allowed?: Tensor; keep?: Tensor } {
  const q0 = captured.q.narrow(0, 0, 1).narrow(1, 0, 1);  // (1, 1, rows, headDim): batch 0, head 0
  const k0 = captured.k.narrow(0, 0, 1).narrow(1, 0, 1);
  switch (settings.attention) {
    case 'dense': return { keep: keepFromAdditive(captured.mask, captured.q) };
    case 'local': {
      const keep = keepFromAdditive(captured.mask, captured.q);
      return { keep, allowed: lsgConnectivity(q0, k0, k0, { ...LOCAL_LAYER, blockSize: settings.blockSize, attentionMask: keep }).counts };
    }
    case 'lsg': {
      const globals = lsgConfig!.numGlobalTokens;
      const tokens = q0.shape[2]! - globals;
      const keep = captured.mask === null ? ones([1, tokens], { dtype: 'int32' }) : captured.mask.reshape([1, -1]).narrow(1, captured.mask.size - tokens, tokens).eq(0).cast('int32');
      const allowed = lsgModelConnectivity(q0, k0, k0, keep.cast(q0.dtype), lsgConfig!).counts;
      return { allowed, keep: cat([ones([1, globals], { dtype: 'int32' }), keep], 1) };
    }
  }
}

export function describeAttention(settings: AttentionSettings): string {
  switch (settings.attention) {
    case 'dense': return 'dense attention';
    case 'local': return `local attention (blocks of ${settings.blockSize}, no sparse or global keys)`;
    case 'lsg': return `LSG attention (blocks of ${settings.blockSize}, ${settings.sparsityType} sparsity ×${settings.sparsityFactor} in blocks of ${settings.sparseBlockSize}, ${settings.numGlobalTokens} global token${settings.numGlobalTokens > 1 ? 's' : ''})`;
  }
}

function wrap(model: AlbertForSequenceClassification, meta: ModelMeta, lsgConfig: LsgConfig | undefined, attention: ReturnType<typeof attentionFor>, dropoutRng: ReseedableRng, tokenizer: TextTokenizer): TextClassifier {
  const config = model.config;
  return {
    tokenizer,
    encode: (text, seqLen) => encodeForModel(tokenizer, text, seqLen),
    module: model,
    maxLength: config.maxPositionEmbeddings,
    seqLen: meta.seqLen,
    labels: Array.from({ length: config.numLabels }, (_, id) => config.id2label[id] ?? `LABEL_${id}`),
    ...(meta.data ? { data: meta.data } : {}),
    description: `${tokenizer.description} ALBERT ${config.numHiddenLayers}×${config.hiddenSize} (${config.numHiddenGroups} group${config.numHiddenGroups > 1 ? 's' : ''}, ${config.numAttentionHeads} heads), ${describeAttention(meta)}`,
    forward: (inputIds, attentionMask, labels, positionIds) => {
      const out = model.forward({ inputIds, attentionMask, labels, positionIds });
      return { loss: out.loss, logits: out.logits };
    },
    reseedDropout: (seed, step) => dropoutRng.reseed(mixSeed(seed, step)),
    savePretrained: (directory) => {
      model.savePretrained(directory);
      saveTokenizer(tokenizer, directory, config.maxPositionEmbeddings);
      writeJsonAtomic(join(directory, LSGRAD_MODEL_FILE), meta);
    },
    attentionPatterns: (text, seqLen, closeUpTokens) => {
      const length = Math.min(seqLen, config.maxPositionEmbeddings);
      const encoded = encodeForModel(tokenizer, text, length);
      const shape = [1, length];
      const wasTraining = model.training;
      model.eval();
      attention.capture.next = true;
      try {
        model.forward({ inputIds: tensor(encoded.inputIds, { shape, dtype: 'int32' }), attentionMask: tensor(encoded.attentionMask, { shape, dtype: 'int32' }) });
      } finally {
        model.train(wasTraining);
        attention.capture.next = false;
      }
      const captured = attention.capture.value!;
      const { allowed, keep } = connectivityFor(meta, lsgConfig, captured);
      const q0 = captured.q.narrow(0, 0, 1).narrow(1, 0, 1);
      const k0 = captured.k.narrow(0, 0, 1).narrow(1, 0, 1);
      const globals = meta.attention === 'lsg' ? `; first ${meta.numGlobalTokens} row/column = global token${meta.numGlobalTokens > 1 ? 's' : ''}` : '';
      const title = `${describeAttention(meta)}${globals}`;
      return {
        whole: attentionProbabilityGrid(q0, k0, keep, allowed, title),
        closeUp: attentionProbabilityGrid(q0, k0, keep, allowed, title, { firstTokens: closeUpTokens }),
      };
    },
  };
}

/**
 * A fresh classifier from train flags; its initial weights depend only on `--seed`.
 * @example createClassifier(parseArgs('train', TRAIN_FLAGS, ['--seq-len', '128']).flags)
 */
/** The model and attention flags shared by train and pretrain. */
export type ModelOptions = Pick<TrainOptions, 'embeddingSize' | 'hiddenSize' | 'numLayers' | 'numGroups' | 'heads' | 'intermediateSize' | 'dropout' | 'seqLen'
  | 'attention' | 'sparsityType' | 'blockSize' | 'sparseBlockSize' | 'sparsityFactor' | 'numGlobalTokens' | 'seed'>;

/** The config of the model these flags describe, as an LsgAlbertConfig for LSG attention, else an AlbertConfig. */
export function modelConfig(options: ModelOptions, tokenizer: TextTokenizer, labels: readonly string[] = SPAM_LABELS): AlbertConfig {
  const albertOptions: AlbertConfigOptions = {
    vocabSize: tokenizer.vocabSize,
    embeddingSize: options.embeddingSize,
    hiddenSize: options.hiddenSize,
    numHiddenLayers: options.numLayers,
    numHiddenGroups: options.numGroups,
    numAttentionHeads: options.heads,
    intermediateSize: options.intermediateSize,
    hiddenDropoutProb: options.dropout,
    // NOTE: LSG attention has no dropout on its probabilities (lsg/attention-function.ts refuses it).
    attentionProbsDropoutProb: options.attention === 'lsg' ? 0 : options.dropout,
    classifierDropoutProb: options.dropout,
    maxPositionEmbeddings: options.seqLen,
    padTokenId: tokenizer.special.pad,
    bosTokenId: tokenizer.special.cls,
    eosTokenId: tokenizer.special.sep,
    numLabels: labels.length,
    id2label: Object.fromEntries(labels.map((name, id) => [id, name])),
  };
  // PyTorch's ALBERT computes dense attention only: a local-only checkpoint carries a refusal
  // transformers stops at, instead of loading there and computing another model.
  if (options.attention === 'local') {
    return new AlbertConfig({ ...albertOptions, pytorchRefusal: refusalMarker(`local-only block attention, blocks of ${options.blockSize}, no global or sparse keys`) });
  }
  if (options.attention !== 'lsg') return new AlbertConfig(albertOptions);
  return new LsgAlbertConfig({
    ...albertOptions, blockSize: options.blockSize, sparseBlockSize: options.sparseBlockSize, sparsityFactor: options.sparsityFactor,
    sparsityType: options.sparsityType, numGlobalTokens: options.numGlobalTokens,
  });
}

/** What lsgrad_model.json records for a model built from these flags. */
export function modelMeta(options: ModelOptions, tokenizer: TextTokenizer, data?: DataSpec): ModelMeta {
  return {
    attention: options.attention, sparsityType: options.sparsityType, blockSize: options.blockSize,
    sparseBlockSize: options.sparseBlockSize, sparsityFactor: options.sparsityFactor, numGlobalTokens: options.numGlobalTokens,
    tokenizer: tokenizer.kind === 'bytes' ? 'utf8-bytes' : 'tokenizer.json', seqLen: options.seqLen, ...(data ? { data } : {}),
  };
}

/**
 * A fresh classifier from train flags; its initial weights depend only on `--seed`.
 * @example createClassifier(parseArgs('train', TRAIN_FLAGS, ['--seq-len', '128']).flags)
 */
export function createClassifier(options: TrainOptions, labels: readonly string[] = SPAM_LABELS, data?: DataSpec, tokenizer: TextTokenizer = BYTE_TOKENIZER): TextClassifier {
  const config = modelConfig(options, tokenizer, labels);
  const meta = modelMeta(options, tokenizer, data);
  const dropoutRng = new ReseedableRng(mixSeed(options.seed, 0));
  const build = { rng: createRng(options.seed), dropoutRng };
  if (config instanceof LsgAlbertConfig) {
    const attention = attentionFor(meta, config.lsg);
    return wrap(new LSGAlbertForSequenceClassification(config, { ...build, attention: attention.kernel }), meta, config.lsg, attention, dropoutRng, tokenizer);
  }
  const attention = attentionFor(meta, undefined);
  return wrap(new AlbertForSequenceClassification(config, { ...build, attention: attention.kernel }), meta, undefined, attention, dropoutRng, tokenizer);
}

const isPositiveInteger = (value: unknown): value is number => Number.isInteger(value) && (value as number) > 0;

/** lsgrad_model.json, checked: the attention kind and its settings, the tokenizer and the input length. */
function readModelMeta(path: string): ModelMeta {
  const fn = 'loadClassifier';
  const meta = readJsonObject(path, fn, 'the model settings lsgrad train writes');
  field(meta, 'attention', (value): value is AttentionKind => (ATTENTION_KINDS as readonly unknown[]).includes(value), path, fn, `one of ${ATTENTION_KINDS.join(', ')}`);
  field(meta, 'tokenizer', (value): value is string => value === 'utf8-bytes' || value === 'tokenizer.json', path, fn, '"utf8-bytes" or "tokenizer.json"');
  field(meta, 'seqLen', (value): value is number => Number.isInteger(value) && (value as number) >= 3, path, fn, 'an integer of at least 3 ([CLS], one token, [SEP])');
  if (meta.attention !== 'dense') field(meta, 'blockSize', isPositiveInteger, path, fn, 'a positive integer');
  if (meta.attention === 'lsg') {
    for (const key of ['sparsityFactor', 'numGlobalTokens']) field(meta, key, isPositiveInteger, path, fn, 'a positive integer');
    field(meta, 'sparseBlockSize', (value): value is number => Number.isInteger(value) && (value as number) >= 0, path, fn, 'a non-negative integer');
    field(meta, 'sparsityType', (value): value is string => (SPARSITY_TYPES as readonly unknown[]).includes(value), path, fn, `one of ${SPARSITY_TYPES.join(', ')}`);
  }
  return meta as unknown as ModelMeta;
}

/**
 * Loads a checkpoint written by `lsgrad train` (config.json, model.safetensors, lsgrad_model.json).
 * @example loadClassifier('runs/spam/checkpoints/step-000150')
 */
export async function loadClassifier(directory: string): Promise<TextClassifier> {
  const metaPath = join(directory, LSGRAD_MODEL_FILE);
  if (!existsSync(metaPath)) {
    throw new CheckpointError('loadClassifier', `no ${LSGRAD_MODEL_FILE} in ${directory}; expected a checkpoint written by lsgrad train`);
  }
  const meta = readModelMeta(metaPath);
  const dropoutRng = new ReseedableRng(0);
  const tokenizer = meta.tokenizer === 'tokenizer.json' ? loadTokenizerJson(join(directory, 'tokenizer.json')) : BYTE_TOKENIZER;
  if (meta.attention === 'lsg') {
    const config = LsgAlbertConfig.fromHfJson(readJsonObject(join(directory, 'config.json'), 'loadClassifier', 'a HuggingFace config.json'));
    const attention = attentionFor(meta, config.lsg);
    const model = LSGAlbertForSequenceClassification.fromPretrained(directory, { dropoutRng, attention: attention.kernel });
    return wrap(model, meta, config.lsg, attention, dropoutRng, tokenizer);
  }
  const attention = attentionFor(meta, undefined);
  const model = AlbertForSequenceClassification.fromPretrained(directory, { dropoutRng, attention: attention.kernel });
  return wrap(model, meta, undefined, attention, dropoutRng, tokenizer);
}
