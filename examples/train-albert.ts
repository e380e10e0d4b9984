/**
 * Trains a small ALBERT as a masked language model on generated "topic" sequences, printing the
 * loss as it falls.
 *
 *   npx tsx examples/train-albert.ts [--steps 300] [--batch 16] [--seq 16] [--seed 0] [--lr 1e-2]
 *
 * Each row draws a topic, and every token of the row is one of that topic's TOPIC_SIZE ids. A
 * masked token can be any id of the topic, so the best achievable loss is log(TOPIC_SIZE) ≈ 1.10,
 * against log(27) ≈ 3.30 for a model that only learned which ids occur: the gap is what attention
 * over the unmasked tokens of the row buys.
 */
import { tensor, createRng, type Rng } from 'lsgrad';
import { parseProgramArgs } from '../cli/args.js';
import { AlbertConfig, AlbertForMaskedLM, type AlbertConfigOptions, AdamW, LrScheduler, clipGradNorm, warmupSchedule, weightDecayGroups } from 'lsgrad/nn';

const FIRST_TOKEN = 5; // ids below this are reserved: 0 pad, 2 [CLS], 3 [SEP], 4 [MASK]
const MASK_ID = 4;
const TOPIC_SIZE = 3;


/** One batch of topic rows; ~15% of positions masked (label = the original id). */
function makeBatch(rng: Rng, batch: number, seqLength: number, vocabSize: number) {
  const numTopics = Math.floor((vocabSize - FIRST_TOKEN) / TOPIC_SIZE);
  const inputIds = new Int32Array(batch * seqLength);
  const labels = new Int32Array(batch * seqLength).fill(-100);
  for (let row = 0; row < batch; row++) {
    const topicStart = FIRST_TOKEN + TOPIC_SIZE * rng.int(numTopics);
    for (let position = 0; position < seqLength; position++) {
      const id = topicStart + rng.int(TOPIC_SIZE);
      const flat = row * seqLength + position;
      inputIds[flat] = id;
      if (rng.uniform() < 0.15) {
        labels[flat] = id;
        inputIds[flat] = MASK_ID;
      }
    }
  }
  return {
    inputIds: tensor(inputIds, { shape: [batch, seqLength], dtype: 'int32' }),
    labels: tensor(labels, { shape: [batch, seqLength], dtype: 'int32' }),
  };
}

export interface TrainAlbertOptions {
  steps?: number;
  batch?: number;
  seqLength?: number;
  seed?: number;
  lr?: number;
  /** Changes to the small default config (e.g. a longer maxPositionEmbeddings). */
  config?: AlbertConfigOptions;
  log?: (line: string) => void;
}

/**
 * Trains the small masked-LM ALBERT; returns the average loss of the first and last 50 steps and the model.
 * @example
 *   const { first, last } = trainAlbert({ steps: 100, log: () => {} }); // last < first
 */
export function trainAlbert({ steps = 300, batch = 16, seqLength = 16, seed = 0, lr = 1e-2, config: changes = {}, log = console.log }: TrainAlbertOptions = {}): { first: number; last: number; model: AlbertForMaskedLM } {
  const config = new AlbertConfig({
    vocabSize: 32, embeddingSize: 16, hiddenSize: 32, numHiddenLayers: 2, numHiddenGroups: 1,
    numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 64, hiddenDropoutProb: 0, ...changes,
  });
  const model = new AlbertForMaskedLM(config, { rng: createRng(seed) }).train();
  const optimizer = new AdamW(weightDecayGroups(model, 0.01), { lr });
  const scheduler = new LrScheduler(optimizer, warmupSchedule({ warmupSteps: Math.ceil(steps / 10), totalSteps: steps, decay: 'linear' }));
  const data = createRng(seed + 1);
  const window: number[] = [];
  let first = NaN;
  let last = NaN;
  const started = Date.now();
  for (let step = 1; step <= steps; step++) {
    const { inputIds, labels } = makeBatch(data, batch, seqLength, config.vocabSize);
    const { loss } = model.forward({ inputIds, labels });
    loss!.backward();
    clipGradNorm(model.parameters(), 1.0);
    optimizer.step();
    scheduler.step();
    optimizer.zeroGrad();
    window.push(loss!.item());
    if (step % 50 === 0 || step === steps) {
      const average = window.reduce((sum, value) => sum + value, 0) / window.length;
      if (Number.isNaN(first)) first = average;
      last = average;
      log(`step ${String(step).padStart(4)}  loss ${average.toFixed(3)}  lr ${scheduler.lastLr[0]!.toExponential(2)}  ${((Date.now() - started) / 1000).toFixed(1)} s`);
      window.length = 0;
    }
  }
  log(`loss ${first.toFixed(3)} → ${last.toFixed(3)} (ids only: ${Math.log(config.vocabSize - FIRST_TOKEN).toFixed(3)}, best possible: ${Math.log(TOPIC_SIZE).toFixed(3)})`);
  return { first, last, model: model.eval() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flags = parseProgramArgs('examples/train-albert.ts', 'A small ALBERT learns masked-token prediction on topic rows.', {
    steps: { kind: 'int', default: 300, min: 1, help: 'optimizer steps' },
    batch: { kind: 'int', default: 16, min: 1, help: 'rows per step' },
    seq: { kind: 'int', default: 16, min: 2, help: 'tokens per row' },
    seed: { kind: 'int', default: 0, min: 0, help: 'seed of the data and the initial weights' },
    lr: { kind: 'float', default: 1e-2, min: 0, help: 'peak learning rate' },
  });
  trainAlbert({ steps: flags.steps, batch: flags.batch, seqLength: flags.seq, seed: flags.seed, lr: flags.lr });
}
