// Memory linear in sequence length: on the block path no kernel ever produces a (seq × seq)
// tensor. A backend wrapper records the size of every kernel output (forward and backward),
// so the check covers engine internals too, not only LSG's named intermediates.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, getBackend, ones, randn, registerBackend, withBackend, type Backend } from '../../engine/index.js';
import { createLsgConfig, largestTensorTracker, lsgAttention, lsgSelfAttention, SPARSITY_TYPES } from '../../lsg/index.js';

const LENGTH = 4096;
const SEQ_BY_SEQ = LENGTH * LENGTH;

/** The CPU backend, with every kernel's output size recorded. */
function trackingBackend(): { backend: Backend; largest: () => number; reset: () => void } {
  const cpu = getBackend('cpu') as unknown as Record<string | symbol, unknown>;
  let largest = 0;
  const backend = new Proxy(cpu, {
    get(target, property) {
      if (property === 'name') return 'cpu-size-tracking';
      const value = target[property];
      if (typeof value !== 'function' || property === 'read') return value;
      return (...args: unknown[]) => {
        const output = (value as (...a: unknown[]) => unknown).apply(target, args) as { length?: number };
        if (typeof output?.length === 'number') largest = Math.max(largest, output.length);
        return output;
      };
    },
  }) as unknown as Backend;
  return { backend, largest: () => largest, reset: () => { largest = 0; } };
}

const tracking = trackingBackend();
registerBackend(tracking.backend);

test(`layer, every sparsity type at seq ${LENGTH}: no kernel output reaches seq × seq / 8 (forward and backward)`, () => {
  withBackend(tracking.backend.name, () => {
    const rng = createRng(3);
    const [q, k, v] = [0, 1, 2].map(() => randn([1, 1, LENGTH, 4], { rng, requiresGrad: true }));
    for (const sparsityType of SPARSITY_TYPES) {
      tracking.reset();
      const names = largestTensorTracker();
      const output = lsgSelfAttention(q!, k!, v!, { blockSize: 64, sparsityFactor: 4, sparsityType, lsh: { rng: createRng(1) }, trace: names.trace });
      output.sum().backward();
      assert.ok(tracking.largest() < SEQ_BY_SEQ / 8, `${sparsityType}: a kernel produced ${tracking.largest()} elements (named largest: ${names.largest.name} [${names.largest.shape}])`);
    }
  });
});

test(`model attention at seq ${LENGTH}: no kernel output reaches seq × seq / 8`, () => {
  withBackend(tracking.backend.name, () => {
    const rng = createRng(4);
    const rows = 2 + LENGTH;
    const [q, k, v] = [0, 1, 2].map(() => randn([1, 1, rows, 4], { rng, requiresGrad: true }));
    for (const sparsityType of SPARSITY_TYPES) {
      tracking.reset();
      const config = createLsgConfig({ blockSize: 64, sparseBlockSize: 64, sparsityFactor: 4, sparsityType, numGlobalTokens: 2 });
      lsgAttention(q!, k!, v!, ones([1, LENGTH]), config, { lsh: { rng: createRng(2) } }).sum().backward();
      assert.ok(tracking.largest() < SEQ_BY_SEQ / 8, `${sparsityType}: a kernel produced ${tracking.largest()} elements`);
    }
  });
});

test('the tracker does see seq × seq tensors (the dense short path)', () => {
  withBackend(tracking.backend.name, () => {
    tracking.reset();
    const length = 512;
    const x = randn([1, 1, length, 4], { rng: createRng(5) });
    lsgSelfAttention(x, x, x, { blockSize: length / 2 });
    assert.ok(tracking.largest() >= length * length);
  });
});

test.run();
