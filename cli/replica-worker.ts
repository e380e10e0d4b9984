// A replica of the classifier in a worker thread (see cli/replicas.ts). It answers one request at a
// time: `backward` (a shard's loss, its gradient written to shared memory) or `logits`. Before each,
// it copies the caller's current parameters from shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import { tensor } from '../engine/index.js';
import type { Batch } from './data/batches.js';
import { createClassifier, loadClassifier } from './model.js';
import { loadTokenizer, tokenizerFromFiles } from './data/tokenizers.js';
import { freezeAllBut } from './freeze.js';
import { flattenInto, shardBackward, shardLogits, type ReplicaSource, type WorkerReply } from './replicas.js';

const { source, parameterBuffer, gradientBuffer } = workerData as { source: ReplicaSource; parameterBuffer: SharedArrayBuffer; gradientBuffer: SharedArrayBuffer };
const sourceTokenizer = (fresh: Extract<ReplicaSource, { options: unknown }>) =>
  fresh.tokenizerFiles ? tokenizerFromFiles(fresh.tokenizerFiles) : loadTokenizer(fresh.options.tokenizer ?? 'bytes');
const classifier = 'options' in source ? createClassifier(source.options, source.labels, undefined, sourceTokenizer(source)) : await loadClassifier(source.checkpoint);
if ('options' in source) freezeAllBut(classifier.module, source.options.trainOnly ?? []);
const params = classifier.module.parameters();
const shared = new Float32Array(parameterBuffer);
const gradients = new Float32Array(gradientBuffer);

function loadParameters(): void {
  let at = 0;
  for (const param of params) {
    param.assign(tensor(shared.slice(at, at + param.size), { shape: param.shape, dtype: param.dtype }));
    at += param.size;
  }
}

type Request = { type: 'backward'; batch: Batch; dropoutSeed: number; step: number } | { type: 'logits'; batch: Batch };

parentPort!.on('message', (request: Request) => {
  let reply: WorkerReply;
  try {
    loadParameters();
    if (request.type === 'backward') {
      classifier.module.train();
      classifier.reseedDropout(request.dropoutSeed, request.step);
      const loss = shardBackward(classifier, request.batch);
      flattenInto(params, gradients, (p) => (p.grad ? p.grad.toTypedArray() : null));
      for (const param of params) param.grad = null;
      reply = { type: 'loss', loss };
    } else {
      classifier.module.eval();
      reply = { type: 'logits', logits: shardLogits(classifier, request.batch) };
    }
  } catch (error) {
    reply = { type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
