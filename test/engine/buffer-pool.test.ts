// Reuse of gradient storage (backends/cpu/buffer-pool.ts, engine/storage-release.ts): a reused
// buffer is never one something still refers to, so results are bit-identical with reuse off.
// Most tests reuse every buffer (minBytes 0), not only the large ones the default keeps, and poison
// reused buffers that a kernel is to overwrite, so an element it fails to write shows.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureBufferPool, bufferPoolStats, emptyBufferPool, markBuffers, newBuffer, releaseBuffer, sharePoolBudget, type BufferPoolSettings } from '../../backends/cpu/buffer-pool.js';
import { createRng, randn, tensor, tidy, type DType, type Tensor } from '../../engine/index.js';
import { parseArgs } from '../../cli/args.js';
import { createClassifier } from '../../cli/model.js';
import { TRAIN_FLAGS } from '../../cli/train-flags.js';
import { ones, randint, zeros } from '../../engine/index.js';
import { AdamW, clipGradNorm, weightDecayGroups } from '../../nn/index.js';
import { caseLabel, makeInputs, OP_CASES } from '../helpers/op-cases.js';
import { runScript } from '../helpers/node-script.js';

const REUSE_EVERY_BUFFER: BufferPoolSettings = { maxBytes: 64 * 2 ** 20, minBytes: 0, poison: true };
const NO_REUSE: Partial<BufferPoolSettings> = { maxBytes: 0 };

function withPool<T>(limits: Partial<BufferPoolSettings>, fn: () => T): T {
  const previous = configureBufferPool(limits);
  try {
    return fn();
  } finally {
    configureBufferPool(previous);
  }
}

const bits = (t: Tensor) => Array.from(new Uint8Array(t.toTypedArray().slice().buffer));

test('a released buffer comes back zeroed, once, and only if it was handed out after the mark', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const before = newBuffer('float32', 8);
    const mark = markBuffers();
    const buffer = newBuffer('float32', 8);
    buffer.fill(7);
    releaseBuffer(before, mark); // made before the mark: ignored
    releaseBuffer(buffer, mark);
    releaseBuffer(buffer, mark); // a second release: ignored
    const first = newBuffer('float32', 8);
    const second = newBuffer('float32', 8);
    assert.ok(first === buffer, 'the released buffer is reused');
    assert.equal(Array.from(first), new Array(8).fill(0));
    assert.ok(second !== buffer && second !== before, 'no buffer is handed out twice');
    releaseBuffer(new Float32Array(8), mark); // not the pool's own: ignored
    assert.ok(newBuffer('float32', 8) !== first);
  });
});

test('emptyBufferPool drops the free buffers and keeps the settings', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const mark = markBuffers();
    const buffer = newBuffer('float32', 64);
    releaseBuffer(buffer, mark);
    assert.is(bufferPoolStats().pooledBytes, 256);
    emptyBufferPool();
    assert.is(bufferPoolStats().pooledBytes, 0);
    assert.ok(newBuffer('float32', 64) !== buffer, 'a dropped buffer is not handed out again');
    const again = markBuffers();
    const next = newBuffer('float32', 64);
    releaseBuffer(next, again);
    assert.is(bufferPoolStats().pooledBytes, 256, 'the pool still takes buffers back (its settings stay)');
  });
});

test('a buffer of another dtype or size is never handed out', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const mark = markBuffers();
    const buffer = newBuffer('float32', 8);
    releaseBuffer(buffer, mark);
    assert.ok(newBuffer('float32', 9) !== buffer);
    assert.ok((newBuffer('int32', 8) as unknown) !== buffer);
    assert.ok(newBuffer('float32', 8) === buffer);
  });
});

test('the pool keeps no more than maxBytes, dropping its oldest buffers for newer ones', () => {
  withPool({ maxBytes: 64, minBytes: 0 }, () => {
    const mark = markBuffers();
    const [a, b] = [newBuffer('float32', 16), newBuffer('float32', 16)];
    releaseBuffer(a, mark);
    releaseBuffer(b, mark); // 128 bytes would exceed 64: a, the older, goes
    assert.is(bufferPoolStats().pooledBytes, 64);
    assert.is(newBuffer('float32', 16), b);
    // A buffer of a length no longer asked for does not hold its place: a newer one of another length takes it.
    const c = newBuffer('float32', 8);
    releaseBuffer(b, mark);
    releaseBuffer(c, mark);
    assert.is(bufferPoolStats().pooledBytes, 32);
    assert.is.not(newBuffer('float32', 16), b);
    assert.is(newBuffer('float32', 8), c);
    // One larger than the whole pool is not kept, and drops nothing.
    const d = newBuffer('float32', 4);
    releaseBuffer(d, mark);
    releaseBuffer(newBuffer('float32', 32), mark);
    assert.is(newBuffer('float32', 4), d);
  });
});

/** The row's output and its inputs' gradients for a seeded output gradient, run twice so the second run reuses the first's buffers. */
function rowResults(c: (typeof OP_CASES)[number], dtype: DType): number[][] {
  let result: number[][] = [];
  for (let run = 0; run < 2; run++) {
    const inputs = makeInputs(c, dtype).map((x) => {
      if (x.dtype !== dtype) return x;
      const leaf = x.detach();
      leaf.requiresGrad = true;
      return leaf;
    });
    const out = c.run(...inputs);
    out.backward(randn(out.shape, { rng: createRng(5), dtype: out.dtype }));
    result = [bits(out), ...inputs.filter((x) => x.requiresGrad).map((x) => bits(x.grad!))];
  }
  return result;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`every op row's output and gradients are bit-identical with every buffer reused (${dtype})`, () => {
    for (const c of OP_CASES.filter((row) => row.grad !== false)) {
      const expected = withPool(NO_REUSE, () => rowResults(c, dtype));
      const actual = withPool(REUSE_EVERY_BUFFER, () => rowResults(c, dtype));
      assert.equal(actual, expected, caseLabel(c));
    }
  });
}

test('kernels that rely on a zeroed output (pad with 0, zeros, a broadcast gradient) still get one', () => {
  const run = () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const padded = x.pad([[1, 1], [0, 2]]);
    padded.mul(padded).sum().backward();
    const b = tensor([1, 2], { requiresGrad: true });
    b.expand([3, 2]).mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    return [padded, x.grad!, b.grad!, zeros([5])].map(bits);
  };
  const expected = withPool(NO_REUSE, run);
  withPool(REUSE_EVERY_BUFFER, () => {
    run();
    assert.equal(run(), expected);
  });
});

test('a leaf gradient that is a view of backward storage survives later passes', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const w = tensor([1, 2, 3, 4, 5, 6]);
    // reshape's gradient is a view of mul's gradient storage: x.grad outlives its base tensor.
    x.reshape([6]).mul(w).sum().backward();
    const kept = x.grad!.toArray();
    for (let i = 0; i < 5; i++) {
      const y = tensor([[1, 1, 1], [1, 1, 1]], { requiresGrad: true });
      y.reshape([6]).mul(w.mul(10)).sum().backward();
      y.mul(y).exp().sum().backward();
    }
    assert.equal(x.grad!.toArray(), kept);
  });
});

test('a retained gradient that also flows on survives later passes', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const h = x.mul(2).retainGrad();
    // add's gradient hands the same dy to both inputs: h.grad, and the one that flows on to x.
    h.add(h.mul(h)).sum().backward();
    const [hGrad, xGrad] = [h.grad!.toArray(), x.grad!.toArray()];
    assert.equal(hGrad, [5, 9, 13]);
    for (let i = 0; i < 5; i++) {
      const y = tensor([1, 1, 1], { requiresGrad: true });
      y.mul(3).add(y).exp().sum().backward();
    }
    assert.equal(h.grad!.toArray(), hGrad);
    assert.equal(x.grad!.toArray(), xGrad);
  });
});

test('the caller\'s output gradient and arrays given to tensor() are never reused', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const upstream = tensor(data);
    const x = tensor([1, 1, 1, 1], { requiresGrad: true });
    x.mul(2).backward(upstream); // the gradient of mul by a number is upstream · 2; upstream itself is dropped
    for (let i = 0; i < 5; i++) {
      const y = tensor([0, 0, 0, 0], { requiresGrad: true });
      y.add(1).mul(y).backward(tensor([9, 9, 9, 9]));
    }
    assert.equal(Array.from(data), [1, 2, 3, 4]);
    assert.equal(upstream.toArray(), [1, 2, 3, 4]);
  });
});

test('arrays read out of tensors are not the pool\'s: a release of one is ignored', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const mark = markBuffers();
    const read = tensor([1, 2, 3]).mul(2).toTypedArray() as Float32Array;
    releaseBuffer(read, mark);
    assert.ok(newBuffer('float32', 3) !== read);
    assert.equal(Array.from(read), [2, 4, 6]);
  });
});

test('retainGraph: a second backward through the same graph gives the same gradients', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    const loss = x.mul(x).exp().add(x.tanh()).sum();
    loss.backward(undefined, { retainGraph: true });
    const first = x.grad!.toArray() as number[];
    x.grad = null;
    loss.backward();
    assert.equal(x.grad!.toArray(), first);
  });
});

test('tidy gives back the buffers its result and keep do not reach, and only those', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const kept = { last: null as Tensor | null };
    let temporary: unknown;
    const result = tidy(() => {
      const doubled = x.mul(2);
      temporary = doubled.storage;
      kept.last = doubled.add(10);
      x.mul(x).sum().backward();
      return { sum: doubled.add(1) };
    }, { keep: [kept, x] }); // a kept tensor keeps its .grad too
    const reusable = Array.from({ length: 20 }, () => newBuffer('float32', 3));
    assert.ok(reusable.includes(temporary as Float32Array), 'the temporary is free for reuse');
    assert.not.ok(reusable.includes(result.sum.storage as Float32Array) || reusable.includes(kept.last!.storage as Float32Array));
    for (let i = 0; i < 5; i++) x.add(i).mul(x.add(1)).exp();
    assert.equal(result.sum.toArray(), [3, 5, 7]);
    assert.equal(x.grad!.toArray(), [2, 4, 6]);
    assert.equal(kept.last!.toArray(), [12, 14, 16]);
  });
});

test('with poison on, a temporary used after its scope ended reads NaN instead of stale values', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    let leaked: Tensor | undefined;
    tidy(() => {
      leaked = tensor([1, 2, 3]).mul(2);
    });
    assert.ok(Array.from(leaked!.toTypedArray()).every(Number.isNaN));
  });
});

test('tidy: storage assign() adopted inside the scope survives it', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const weight = tensor([1, 2, 3]);
    tidy(() => {
      weight.assign(weight.mul(2).add(1));
    });
    for (let i = 0; i < 5; i++) tensor([5, 5, 5]).mul(i).add(1);
    assert.equal(weight.toArray(), [3, 5, 7]);
  });
});

test('tidy: an inner scope\'s result lives until the outer scope ends; on a throw only keep survives', () => {
  withPool(REUSE_EVERY_BUFFER, () => {
    const x = tensor([1, 2]);
    let inner: Tensor | undefined;
    const outer = tidy(() => {
      inner = tidy(() => x.mul(3).add(1));
      x.add(7).mul(2); // a temporary of the outer scope
      assert.equal(inner.toArray(), [4, 7]);
      return inner.mul(2);
    });
    assert.equal(outer.toArray(), [8, 14]);
    const keep = { y: null as Tensor | null };
    assert.throws(() => tidy(() => {
      keep.y = x.add(100);
      throw new Error('inside');
    }, { keep: [keep] }), /inside/);
    for (let i = 0; i < 5; i++) x.mul(i);
    assert.equal(keep.y!.toArray(), [101, 102]);
  });
});

/** Parameters after three training steps of a small LSG classifier (cli/model.ts), as bytes; each step in a tidy scope if asked. */
function trainedParameters(inScopes = false): number[][] {
  const options = parseArgs('train', TRAIN_FLAGS, ['--seq-len', '128', '--seed', '3']).flags;
  const classifier = createClassifier(options);
  classifier.module.train();
  const optimizer = new AdamW(weightDecayGroups(classifier.module, 0.01), { lr: 1e-2 });
  const inputIds = randint(5, 200, [2, 128], { rng: createRng(4), dtype: 'int32' });
  const attentionMask = ones([2, 128], { dtype: 'int32' });
  const labels = tensor([0, 1], { dtype: 'int32' });
  const step = () => {
    const { loss } = classifier.forward(inputIds, attentionMask, labels);
    loss!.backward();
    clipGradNorm(classifier.module.parameters(), 1);
    optimizer.step();
    optimizer.zeroGrad();
    return loss!.item();
  };
  for (let i = 0; i < 3; i++) {
    if (inScopes) tidy(step, { keep: [classifier.module, optimizer] });
    else step();
  }
  return classifier.module.parameters().map(bits);
}

test('training steps are bit-identical with reuse off, with the default pool and with every buffer reused', () => {
  const expected = withPool(NO_REUSE, trainedParameters);
  assert.equal(withPool({}, trainedParameters), expected);
  assert.equal(withPool(REUSE_EVERY_BUFFER, trainedParameters), expected);
});

test('training steps in tidy scopes (as the training loop runs them on gpu.js) are bit-identical too', () => {
  const expected = withPool(NO_REUSE, () => trainedParameters(false));
  assert.equal(withPool({}, () => trainedParameters(true)), expected);
  assert.equal(withPool(REUSE_EVERY_BUFFER, () => trainedParameters(true)), expected);
});

test('sharePoolBudget splits the default budget between threads that compute side by side; an explicit LSGRAD_BUFFER_POOL_MIB stays', () => {
  const script = `const { sharePoolBudget, configureBufferPool } = await import('./backends/cpu/buffer-pool.js');
    const before = configureBufferPool({}).maxBytes;
    sharePoolBudget(2);
    console.log(JSON.stringify({ before, env: process.env.LSGRAD_BUFFER_POOL_MIB, after: configureBufferPool({}).maxBytes }));`;
  const MiB = 2 ** 20;
  assert.equal(JSON.parse(runScript(script, { env: { LSGRAD_BUFFER_POOL_MIB: '' } }).at(-1)!), { before: 256 * MiB, env: '128', after: 128 * MiB });
  assert.equal(JSON.parse(runScript(script, { env: { LSGRAD_BUFFER_POOL_MIB: '64' } }).at(-1)!), { before: 64 * MiB, env: '64', after: 64 * MiB });
  assert.throws(() => sharePoolBudget(0), /sharePoolBudget: threads 0 .*positive integer/);
});

test.run();
