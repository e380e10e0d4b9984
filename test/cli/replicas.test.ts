// Data parallelism: replicas in worker threads must give the loss, gradient and logits of one
// replica computing the whole batch (up to float rounding), whatever the shard sizes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseArgs } from '../../cli/args.js';
import { encodeSet, gatherRows } from '../../cli/data/batches.js';
import { createClassifier } from '../../cli/model.js';
import { MAX_TOKENS_PER_PASS, Replicas, passRanges, shardBackward, shardLogits, shardRanges } from '../../cli/replicas.js';
import { TRAIN_FLAGS } from '../../cli/train-flags.js';
import { expectClose } from '../helpers/close.js';

const options = parseArgs('train', TRAIN_FLAGS, [
  '--tokenizer', 'bytes', '--seq-len', '64', '--hidden-size', '16', '--embedding-size', '8', '--intermediate-size', '32', '--heads', '2',
  '--block-size', '16', '--sparse-block-size', '16', '--sparsity-factor', '2',
]).flags;
const texts = ['hello there', 'FREE MONEY click now!!!', 'meeting at noon, agenda attached', 'a', 'win a prize, winner winner'];
const batch = gatherRows(encodeSet(texts, [0, 1, 0, 0, 1], 64), [0, 1, 2, 3, 4]);

test('shardRanges cuts rows into near-equal contiguous parts', () => {
  assert.equal(shardRanges(5, 3), [[0, 2], [2, 4], [4, 5]]);
  assert.equal(shardRanges(2, 3), [[0, 1], [1, 2]]);
  assert.equal(shardRanges(8, 1), [[0, 8]]);
});

test('passRanges keeps every pass within the token budget, one row at least', () => {
  assert.equal(passRanges(4, 4096, 4096), [[0, 1], [1, 2], [2, 3], [3, 4]]);
  assert.equal(passRanges(8, 256, 4096), [[0, 8]]);
  assert.equal(passRanges(3, 2048, 4096), [[0, 2], [2, 3]]);
  assert.equal(passRanges(2, 8192, 4096), [[0, 1], [1, 2]]);
  // npm start's full-length steps: 4 rows of 4,096 tokens per replica, one row per pass.
  for (const [start, end] of passRanges(4, 4096)) assert.ok((end - start) * 4096 <= MAX_TOKENS_PER_PASS);
});

test('a shard run in passes of one row gives the loss, gradient and logits of one pass', () => {
  const classifier = createClassifier(options);
  const params = classifier.module.parameters();
  // A parameter the loss does not reach (the pooled sparse part at this length) has no gradient either way.
  const gradients = () => params.map((p) => (p.grad ? Float32Array.from(p.grad.toTypedArray() as Float32Array) : new Float32Array(0)));
  const onePass = shardBackward(classifier, batch, Infinity);
  const expected = gradients();
  for (const p of params) p.grad = null;
  const rowByRow = shardBackward(classifier, batch, batch.width);
  assert.ok(Math.abs(rowByRow - onePass) < 1e-5 * Math.max(1, Math.abs(onePass)), `loss ${rowByRow} vs ${onePass}`);
  gradients().forEach((gradient, index) => expectClose(gradient, expected[index]!, { rtol: 1e-4, atol: 1e-6 }));
  for (const p of params) p.grad = null;
  expectClose(shardLogits(classifier, batch, batch.width), shardLogits(classifier, batch, Infinity), { rtol: 1e-5, atol: 1e-6 });
});

test('three replicas (shards of 2, 2, 1) give the loss and gradient of one', async () => {
  const classifier = createClassifier(options);
  const single = Replicas.start(classifier, { options }, 1);
  const singleLoss = await single.backward(batch, 0, 1);
  const params = classifier.module.parameters();
  const expected = params.map((p) => Float32Array.from(p.grad!.toTypedArray() as Float32Array));
  for (const p of params) p.grad = null;

  const replicas = Replicas.start(classifier, { options }, 3);
  try {
    const loss = await replicas.backward(batch, 0, 1);
    assert.ok(Math.abs(loss - singleLoss) < 1e-5 * Math.max(1, Math.abs(singleLoss)), `loss ${loss} vs ${singleLoss}`);
    params.forEach((p, index) => expectClose(p.grad!.toTypedArray() as Float32Array, expected[index]!, { rtol: 1e-4, atol: 1e-6 }));
    // Logits, batches spread round-robin: equal to one replica's.
    const batches = [batch, gatherRows(encodeSet(texts, [0, 1, 0, 0, 1], 64), [4, 2])];
    const [many, one] = [await replicas.logits(batches), await single.logits(batches)];
    many.forEach((logits, index) => expectClose(logits, one[index]!, { rtol: 1e-5, atol: 1e-6 }));
  } finally {
    await replicas.close();
  }
});

test('a failing worker rejects with its error instead of hanging', async () => {
  const classifier = createClassifier(options);
  const replicas = Replicas.start(classifier, { options }, 2);
  try {
    // Row 4 goes to the worker (shards: rows 0–2 here, 3–4 there); a token id past the vocabulary fails there.
    const inputIds = batch.inputIds.slice();
    inputIds[4 * batch.width + 1] = 100_000;
    const failure = await replicas.backward({ ...batch, inputIds }, 0, 1).then(() => undefined, (error: Error) => error);
    assert.ok(failure instanceof Error, 'expected the worker error to reject');
    assert.match(failure.message, /replica worker/);
  } finally {
    await replicas.close();
  }
});

test.run();
