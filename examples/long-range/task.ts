/**
 * The long-range task and its training, without Node: the study (examples/long-range-study.ts)
 * runs it in child processes, the playground (examples/playground/) in a page.
 *
 * The task: token 1 is a key drawn from `keys` key symbols; the rest is filler drawn from
 * other symbols. Half of the sequences (label 1) repeat the key somewhere in the second half
 * (`copies` times). With one key symbol (the default, the quickest to learn) a negative has no
 * repeat; with several, a negative carries a different key symbol there instead, so the model must
 * compare the two. Only a model whose [CLS] output can reach a position more than seqLen / 2
 * tokens away beats chance (50%).
 */
import { createRng, noGrad, tensor, type Rng } from 'lsgrad';
import { AdamW, AlbertConfig, AlbertForSequenceClassification, clipGradNorm, warmupSchedule, weightDecayGroups, type AttentionFunction } from 'lsgrad/nn';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig, lsgSelfAttention, SPARSITY_TYPES, type SparsityType } from 'lsgrad/lsg';

const PAD = 0;
const CLS = 1;
const FIRST_KEY = 2;
const MAX_KEYS = 4;
const FIRST_FILLER = FIRST_KEY + MAX_KEYS;
const FILLER_COUNT = 16;
/** Tokens of the task's vocabulary: pad, [CLS], the key symbols and the filler. */
export const TASK_VOCAB_SIZE = FIRST_FILLER + FILLER_COUNT;

export interface StudyOptions {
  seqLen: number;
  steps: number;
  batchSize: number;
  evalSize: number;
  lr: number;
  hiddenSize: number;
  numLayers: number;
  blockSize: number;
  sparsityFactor: number;
  /** Key symbols (1 to MAX_KEYS): 1 = detect the repeat; more = compare the repeat with the key. */
  keys: number;
  /** How many times the repeat (or the other key) is written into the second half. */
  copies: number;
  seed: number;
  kinds: string[];
}

export const STUDY_DEFAULTS: StudyOptions = {
  seqLen: 256, steps: 100, batchSize: 8, evalSize: 128, lr: 1e-2, hiddenSize: 32, numLayers: 2, blockSize: 32, sparsityFactor: 4, keys: 1, copies: 8, seed: 0,
  kinds: ['local', 'lsg:norm', 'lsg:stride', 'dense'],
};

export interface StudyResult {
  kind: string;
  accuracy: number;
  msPerStep: number;
  finalLoss: number;
  peakRssMiB: number;
}

/**
 * One example of the key-recall task with `keys` key symbols; `rng` decides everything.
 * @example generateExample(createRng(0), 64, 1).inputIds.length  // 64
 */
export function generateExample(rng: Rng, seqLen: number, keys: number, copies = 1): { inputIds: Int32Array; label: 0 | 1 } {
  if (!Number.isInteger(seqLen) || seqLen < 8) throw new Error(`generateExample: seqLen ${seqLen} is invalid; expected an integer >= 8`);
  if (!Number.isInteger(keys) || keys < 1 || keys > MAX_KEYS) throw new Error(`generateExample: keys ${keys} is invalid; expected 1 to ${MAX_KEYS}`);
  const inputIds = new Int32Array(seqLen);
  inputIds[0] = CLS;
  const key = rng.int(keys);
  inputIds[1] = FIRST_KEY + key;
  for (let position = 2; position < seqLen; position++) inputIds[position] = FIRST_FILLER + rng.int(FILLER_COUNT);
  const label: 0 | 1 = rng.uniform() < 0.5 ? 1 : 0;
  const half = Math.floor(seqLen / 2);
  const written = label === 1 ? key : keys > 1 ? (key + 1 + rng.int(keys - 1)) % keys : -1;
  // NOTE: a few copies make the far signal strong enough to learn in a hundred steps; they all
  // sit in the second half, so they stay out of local attention's reach just the same.
  for (let copy = 0; copy < copies && written >= 0; copy++) inputIds[half + rng.int(seqLen - half)] = FIRST_KEY + written;
  return { inputIds, label };
}

/** A batch whose contents depend only on (seed, index), like the spam trainer's batches. */
function makeBatch(seed: number, index: number, batchSize: number, seqLen: number, keys: number, copies: number) {
  const rng = createRng(seed * 1_000_003 + index);
  const inputIds = new Int32Array(batchSize * seqLen);
  const labels = new Int32Array(batchSize);
  for (let row = 0; row < batchSize; row++) {
    const example = generateExample(rng, seqLen, keys, copies);
    inputIds.set(example.inputIds, row * seqLen);
    labels[row] = example.label;
  }
  return {
    inputIds: tensor(inputIds, { shape: [batchSize, seqLen], dtype: 'int32' }),
    attentionMask: tensor(new Int32Array(batchSize * seqLen).fill(1), { shape: [batchSize, seqLen], dtype: 'int32' }),
    labels: tensor(labels, { shape: [batchSize], dtype: 'int32' }),
  };
}

/** Local-only attention: LSG's block layer with no sparse tokens and no global token. */
function localAttention(blockSize: number): AttentionFunction {
  return (q, k, v, mask) => {
    const keep = mask === null ? undefined : mask.reshape([q.shape[0]!, q.shape[2]!]).eq(0).cast('int32');
    return lsgSelfAttention(q, k, v, { blockSize, sparsityType: 'none', computeGlobalAttention: false, attentionMask: keep });
  };
}

function buildModel(kind: string, options: StudyOptions): AlbertForSequenceClassification {
  const albert = {
    vocabSize: TASK_VOCAB_SIZE, embeddingSize: 16, hiddenSize: options.hiddenSize, numHiddenLayers: options.numLayers,
    numAttentionHeads: 2, intermediateSize: 2 * options.hiddenSize, maxPositionEmbeddings: options.seqLen,
    classifierDropoutProb: 0, padTokenId: PAD,
  };
  const build = { rng: createRng(options.seed) };
  if (kind === 'dense') return new AlbertForSequenceClassification(new AlbertConfig(albert), build);
  if (kind === 'local') return new AlbertForSequenceClassification(new AlbertConfig(albert), { ...build, attention: localAttention(options.blockSize) });
  const sparsityType = kind.slice('lsg:'.length);
  if (!kind.startsWith('lsg:') || !(SPARSITY_TYPES as readonly string[]).includes(sparsityType)) {
    throw new Error(`long-range-study: kind "${kind}" is unknown; expected local, dense or lsg:<${SPARSITY_TYPES.join('|')}>`);
  }
  const config = new LsgAlbertConfig({
    ...albert, blockSize: options.blockSize, sparseBlockSize: options.blockSize, sparsityFactor: options.sparsityFactor,
    sparsityType: sparsityType as SparsityType, numGlobalTokens: 1,
  });
  return new LSGAlbertForSequenceClassification(config, build);
}

/** One kind's model and optimizer, trained a step at a time (a browser page yields between steps). */
export interface KindRun {
  readonly kind: string;
  readonly model: AlbertForSequenceClassification;
  /** Trains step `step` (1-based; its batch depends only on the seed and step) and returns its loss. */
  trainStep(step: number): number;
  /** Accuracy on the fixed held-out set, in eval mode (then back to training mode). */
  evaluate(): number;
}

/** Builds one kind's model and AdamW with a linear warm-up and decay over `options.steps`. */
export function startKind(kind: string, options: StudyOptions): KindRun {
  const model = buildModel(kind, options).train();
  const optimizer = new AdamW(weightDecayGroups(model, 0.01), { lr: options.lr });
  const factor = warmupSchedule({ warmupSteps: Math.ceil(options.steps / 10), totalSteps: options.steps, decay: 'linear' });
  return {
    kind,
    model,
    trainStep(step) {
      for (const group of optimizer.paramGroups) group.lr = group.initialLr * factor(step);
      const batch = makeBatch(options.seed, step, options.batchSize, options.seqLen, options.keys, options.copies);
      const output = model.forward(batch);
      output.loss!.backward();
      clipGradNorm(model.parameters(), 1);
      optimizer.step();
      optimizer.zeroGrad();
      return output.loss!.item();
    },
    evaluate: () => heldOutAccuracy(model, options),
  };
}

/**
 * A model's accuracy on the task's fixed held-out set (evalSize sequences), in eval mode, then
 * back to training mode. Any model of the task's vocabulary: one trained here or reloaded.
 * @example heldOutAccuracy(startKind('dense', options).model, options) // about 0.5 untrained
 */
export function heldOutAccuracy(model: AlbertForSequenceClassification, options: StudyOptions): number {
  model.eval();
  let correct = 0;
  noGrad(() => {
    // NOTE: index -1 - i never collides with a training step, so the held-out set is unseen.
    for (let first = 0; first < options.evalSize; first += options.batchSize) {
      const size = Math.min(options.batchSize, options.evalSize - first);
      const batch = makeBatch(options.seed, -1 - first, size, options.seqLen, options.keys, options.copies);
      const logits = model.forward({ inputIds: batch.inputIds, attentionMask: batch.attentionMask }).logits.toTypedArray();
      const labels = batch.labels.toTypedArray();
      for (let row = 0; row < size; row++) correct += Number((logits[2 * row + 1]! > logits[2 * row]! ? 1 : 0) === labels[row]);
    }
  });
  model.train();
  return correct / options.evalSize;
}

/** Trains one kind for `options.steps` in this process and scores it on the held-out set. */
export function trainKind(kind: string, options: StudyOptions): Omit<StudyResult, 'peakRssMiB'> {
  const run = startKind(kind, options);
  let loss = NaN;
  const started = performance.now();
  for (let step = 1; step <= options.steps; step++) loss = run.trainStep(step);
  const msPerStep = (performance.now() - started) / options.steps;
  return { kind, accuracy: run.evaluate(), msPerStep, finalLoss: loss };
}
