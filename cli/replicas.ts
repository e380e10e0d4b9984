// Data parallelism over worker threads: each step's batch is cut into shards, one per replica of
// the model; replica 0 is the caller's own classifier, the others live in worker threads
// (cli/replica-worker.ts). Every replica reads the caller's parameters from shared memory, so
// they are all the same model; the caller then combines the shards' gradients into the gradient
// of the whole batch. With one replica nothing leaves the calling thread.
import { Worker } from 'node:worker_threads';
import { sharePoolBudget } from '../backends/cpu/buffer-pool.js';
import { noGrad, tensor, type Tensor } from '../engine/index.js';
import { inDeviceScope, inPassScope } from './device-scope.js';
import { mixSeed, type Batch } from './data/batches.js';
import type { TextClassifier } from './model.js';
import type { TrainOptions } from './train-flags.js';
import type { TokenizerFiles } from './data/tokenizers.js';

/**
 * How a worker builds its replica: from train options (a fresh model; `tokenizerFiles`, the caller's
 * tokenizer when it is not byte-level, else options.tokenizer is loaded) or from a checkpoint.
 */
export type ReplicaSource = { options: TrainOptions; labels?: readonly string[]; tokenizerFiles?: TokenizerFiles } | { checkpoint: string };

/** Rows [start, end) of a batch, as views (no copy). */
export function batchRows(batch: Batch, start: number, end: number): Batch {
  const { width } = batch;
  return {
    inputIds: batch.inputIds.subarray(start * width, end * width),
    attentionMask: batch.attentionMask.subarray(start * width, end * width),
    labels: batch.labels.subarray(start, end),
    width,
    ...(batch.positionIds && { positionIds: batch.positionIds.subarray(start * width, end * width) }),
  };
}

/** Cuts `rows` into `parts` contiguous ranges whose sizes differ by at most one (empty ones dropped). */
export function shardRanges(rows: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let part = 0, start = 0; part < parts; part++) {
    const end = start + Math.floor(rows / parts) + (part < rows % parts ? 1 : 0);
    if (end > start) ranges.push([start, end]);
    start = end;
  }
  return ranges;
}

/** The dropout stream of shard `shard` at `step`: shard 0 keeps the single-replica stream. */
export function shardDropoutSeed(seed: number, shard: number): number {
  return shard === 0 ? seed : mixSeed(seed, 0x5eed + shard);
}

function batchTensors(batch: Batch): [Tensor, Tensor, Tensor, Tensor | undefined] {
  const shape = [batch.labels.length, batch.width];
  return [
    tensor(batch.inputIds, { shape, dtype: 'int32' }),
    tensor(batch.attentionMask, { shape, dtype: 'int32' }),
    tensor(batch.labels, { shape: [batch.labels.length], dtype: 'int32' }),
    batch.positionIds && tensor(batch.positionIds, { shape, dtype: 'int32' }),
  ];
}

/**
 * Tokens one training pass (forward and backward) holds at most. A shard wider than this runs as
 * several passes over consecutive rows whose gradients add up, so the autograd graph held at once,
 * and with it a replica's peak memory, is that of one 4,096-token row whatever the batch size.
 */
export const MAX_TOKENS_PER_PASS = 4096;

/**
 * Consecutive row ranges of a shard, each at most `maxTokens` tokens (at least one row).
 * @example passRanges(4, 4096)  // [[0, 1], [1, 2], [2, 3], [3, 4]]
 */
export function passRanges(rows: number, width: number, maxTokens = MAX_TOKENS_PER_PASS): [number, number][] {
  const rowsPerPass = Math.max(1, Math.floor(maxTokens / width));
  return shardRanges(rows, Math.max(1, Math.ceil(rows / rowsPerPass)));
}

/** Forward and backward of one shard on one replica: leaves the shard-mean gradient in `.grad`. */
export function shardBackward(classifier: TextClassifier, batch: Batch, maxTokensPerPass = MAX_TOKENS_PER_PASS): number {
  const rows = batch.labels.length;
  let shardLoss = 0;
  for (const [start, end] of passRanges(rows, batch.width, maxTokensPerPass)) {
    // Each pass in a scope: with more than one replica no step-wide scope encloses it (see trainer.ts).
    shardLoss += inPassScope(() => {
      const [inputIds, attentionMask, labels, positionIds] = batchTensors(batchRows(batch, start, end));
      const { loss } = classifier.forward(inputIds, attentionMask, labels, positionIds);
      if (!loss) throw new Error('shardBackward: the classifier returned no loss although labels were given');
      // Shard mean = Σ (pass rows / shard rows) · pass mean; one pass keeps the plain mean.
      const share = (end - start) / rows;
      (share === 1 ? loss : loss.mul(share)).backward();
      return loss.item() * share;
    }, [classifier.module]);
  }
  return shardLoss;
}

/** Logits (rows × classes) of a batch, without gradients, in passes of at most MAX_TOKENS_PER_PASS tokens. */
export function shardLogits(classifier: TextClassifier, batch: Batch, maxTokensPerPass = MAX_TOKENS_PER_PASS): Float32Array {
  const parts = passRanges(batch.labels.length, batch.width, maxTokensPerPass).map(([start, end]) => inDeviceScope(() => {
    const [inputIds, attentionMask, , positionIds] = batchTensors(batchRows(batch, start, end));
    return Float32Array.from(noGrad(() => classifier.forward(inputIds, attentionMask, undefined, positionIds).logits.toTypedArray()));
  }, [classifier.module]));
  if (parts.length === 1) return parts[0]!;
  const logits = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    logits.set(part, at);
    at += part.length;
  }
  return logits;
}

/** Copies the values of `params` into `flat`, one after the other. */
export function flattenInto(params: readonly Tensor[], flat: Float32Array, values: (p: Tensor) => ArrayLike<number> | null): void {
  let at = 0;
  for (const param of params) {
    const source = values(param);
    if (source) flat.set(source, at); else flat.fill(0, at, at + param.size);
    at += param.size;
  }
}

interface Pending { resolve: (value: WorkerReply) => void; reject: (error: Error) => void }
export type WorkerReply = { type: 'loss'; loss: number } | { type: 'logits'; logits: Float32Array } | { type: 'error'; message: string };

/** One worker thread and the shared buffer its gradients come back in. */
class RemoteReplica {
  readonly gradients: Float32Array;
  private pending: Pending | undefined;
  private failure: Error | undefined;
  constructor(private readonly worker: Worker, parameterCount: number, gradientBuffer: SharedArrayBuffer) {
    this.gradients = new Float32Array(gradientBuffer, 0, parameterCount);
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.type === 'error') pending?.reject(new Error(`replica worker: ${reply.message}`));
      else pending?.resolve(reply);
    });
    worker.on('error', (error) => { this.failure = error; this.pending?.reject(error); this.pending = undefined; });
  }
  request(message: object): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => { this.pending = { resolve, reject }; this.worker.postMessage(message); });
  }
  close(): Promise<number> { return this.worker.terminate(); }
}

/** Under tsx the worker must register tsx's loader before importing a .ts file; built JS needs nothing. */
function workerBootstrap(): string {
  const file = new URL('./replica-worker' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url).href;
  const hook = file.endsWith('.ts') ? `(await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register();` : '';
  return `(async () => { ${hook} await import(${JSON.stringify(file)}); })();`;
}

/**
 * `count` replicas of `classifier` (count − 1 worker threads).
 * @example const replicas = Replicas.start(classifier, { options }, 2); await replicas.backward(batch, seed, step)
 */
export class Replicas {
  private constructor(
    readonly classifier: TextClassifier,
    private readonly params: Tensor[],
    private readonly shared: Float32Array,
    private readonly remotes: RemoteReplica[],
  ) {}

  static start(classifier: TextClassifier, source: ReplicaSource, count: number): Replicas {
    if (!Number.isInteger(count) || count < 1) throw new Error(`Replicas.start: count ${count} is invalid; expected an integer >= 1`);
    // The replicas take the cores; the matmul helper thread (backends/cpu/matmul-pool.ts) would
    // only compete with them. Set before the first matmul starts it, and inherited by the workers,
    // as is their share of the buffer pool's budget.
    if (count > 1) {
      process.env.LSGRAD_THREADS = '1';
      sharePoolBudget(count);
    }
    const params = classifier.module.parameters();
    const size = params.reduce((total, p) => total + p.size, 0);
    const parameterBuffer = new SharedArrayBuffer(4 * size);
    const remotes = Array.from({ length: count - 1 }, () => {
      const gradientBuffer = new SharedArrayBuffer(4 * size);
      const worker = new Worker(workerBootstrap(), { eval: true, workerData: { source, parameterBuffer, gradientBuffer } });
      worker.unref();
      return new RemoteReplica(worker, size, gradientBuffer);
    });
    return new Replicas(classifier, params, new Float32Array(parameterBuffer), remotes);
  }

  get count(): number { return this.remotes.length + 1; }

  /** Publishes the caller's current parameters to the workers. */
  private publish(): void {
    if (this.remotes.length > 0) flattenInto(this.params, this.shared, (p) => p.toTypedArray());
  }

  /**
   * Loss of the whole batch; leaves the batch-mean gradient in the parameters' `.grad`, as one
   * forward and backward over the whole batch would (up to float rounding).
   */
  async backward(batch: Batch, seed: number, step: number): Promise<number> {
    if (this.count === 1) return this.backwardHere(batch, seed, step);
    const ranges = shardRanges(batch.labels.length, this.count);
    this.publish();
    const replies = ranges.slice(1).map(([start, end], index) =>
      this.remotes[index]!.request({ type: 'backward', batch: batchRows(batch, start, end), dropoutSeed: shardDropoutSeed(seed, index + 1), step }));
    this.classifier.reseedDropout(shardDropoutSeed(seed, 0), step);
    const [firstStart, firstEnd] = ranges[0]!;
    let loss = shardBackward(this.classifier, batchRows(batch, firstStart, firstEnd)) * (firstEnd - firstStart);
    const losses = await Promise.all(replies);
    if (ranges.length === 1) return loss / batch.labels.length;
    // Mean over the batch = Σ (shard rows / batch rows) · shard mean, for the loss and its gradient.
    const total = new Float32Array(this.shared.length);
    flattenInto(this.params, total, (p) => (p.grad ? p.grad.toTypedArray() : null));
    for (let i = 0; i < total.length; i++) total[i]! *= (firstEnd - firstStart);
    losses.forEach((reply, index) => {
      const [start, end] = ranges[index + 1]!;
      const rows = end - start;
      loss += (reply as { loss: number }).loss * rows;
      const gradients = this.remotes[index]!.gradients;
      for (let i = 0; i < total.length; i++) total[i]! += rows * gradients[i]!;
    });
    const rows = batch.labels.length;
    let at = 0;
    for (const param of this.params) {
      const values = total.subarray(at, at + param.size).map((value) => value / rows);
      param.grad = tensor(values, { shape: param.shape, dtype: param.dtype });
      at += param.size;
    }
    return loss / rows;
  }

  /**
   * backward() of a single replica, on this thread: synchronous, so that a device scope can hold a whole step.
   * @example const loss = inDeviceScope(() => replicas.backwardHere(batch, seed, step), [module])
   */
  backwardHere(batch: Batch, seed: number, step: number): number {
    if (this.count !== 1) throw new Error(`Replicas.backwardHere: there are ${this.count} replicas; use backward()`);
    this.classifier.reseedDropout(shardDropoutSeed(seed, 0), step);
    return shardBackward(this.classifier, batch);
  }

  /** Logits of each batch (rows × classes), the batches spread round-robin over the replicas. */
  async logits(batches: readonly Batch[]): Promise<Float32Array[]> {
    this.publish();
    const results: Float32Array[] = new Array(batches.length);
    const lane = async (replica: number) => {
      for (let index = replica; index < batches.length; index += this.count) {
        if (replica > 0) {
          results[index] = ((await this.remotes[replica - 1]!.request({ type: 'logits', batch: batches[index] })) as { logits: Float32Array }).logits;
        } else {
          results[index] = shardLogits(this.classifier, batches[index]!);
          // Replica 0 computes synchronously; yielding lets the workers' replies and next requests through.
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    };
    // The workers' lanes start first, so that they are busy while replica 0 computes.
    await Promise.all([...this.remotes.map((_, index) => lane(index + 1)), lane(0)]);
    return results;
  }

  async close(): Promise<void> {
    await Promise.all(this.remotes.map((remote) => remote.close()));
  }
}
