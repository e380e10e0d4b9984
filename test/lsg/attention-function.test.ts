// The ALBERT-shaped kernel: every accepted mask form gives the same result as lsgAttention;
// the sequence helpers pad, mask the first token, pool with the global token and cut back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, ones, randn, tensor } from '../../engine/index.js';
import {
  createLsgAttentionFunction, createLsgConfig, finishLsgOutputs, keepToAdditive, lsgAttention, prepareLsgInputs,
} from '../../lsg/index.js';
import { expectClose } from '../helpers/close.js';

const TOL = { atol: 1e-12, rtol: 0 };
const config = createLsgConfig({ blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, sparsityType: 'pooling', numGlobalTokens: 2 });
const rng = createRng(11);
const [q, k, v] = [0, 1, 2].map(() => randn([2, 2, 2 + 24, 3], { rng, dtype: 'float64' })) as [ReturnType<typeof randn>, ReturnType<typeof randn>, ReturnType<typeof randn>];
const keep = tensor([Array(24).fill(1), [...Array(17).fill(1), ...Array(7).fill(0)]], { dtype: 'float64' });
const expected = lsgAttention(q, k, v, keep, config);
const attend = createLsgAttentionFunction(config);

test('token-row additive mask (the reference form) equals lsgAttention', () => {
  expectClose(attend(q, k, v, keepToAdditive(keep, 'float64').unsqueeze(1), { training: false }), expected, TOL);
});

test('all-row additive mask: the global entries are ignored', () => {
  const allRows = keepToAdditive(keep, 'float64').pad([[0, 0], [0, 0], [2, 0]], -3.4e38).unsqueeze(1);
  expectClose(attend(q, k, v, allRows), expected, TOL);
});

test('null mask means no padding; dropout in training is refused', () => {
  expectClose(attend(q, k, v, null), lsgAttention(q, k, v, ones([2, 24], { dtype: 'float64' }), config), TOL);
  assert.throws(() => attend(q, k, v, null, { training: true, dropoutProb: 0.1 }), /dropout/);
  assert.throws(() => attend(q, k, v, ones([2, 1, 1, 5])), /mask\.shape/);
});

test('prepareLsgInputs pads ragged inputs, masks the first token; finishLsgOutputs pools and cuts', () => {
  const mft = createLsgConfig({ blockSize: 4, numGlobalTokens: 1, maskFirstToken: true, sparsityType: 'none' });
  const hidden = randn([1, 1 + 10, 5], { rng, dtype: 'float64' });
  const prepared = prepareLsgInputs(hidden, undefined, mft);
  assert.equal(prepared.hidden.shape, [1, 1 + 12, 5]);
  assert.equal(Array.from(prepared.tokenKeep.toTypedArray()), [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  const finished = finishLsgOutputs(prepared.hidden, prepared.length, mft);
  assert.equal(finished.shape, [1, 10, 5]);
  expectClose(finished.narrow(1, 0, 1), hidden.narrow(1, 0, 1), TOL);         // row of global token 0
  expectClose(finished.narrow(1, 1, 9), hidden.narrow(1, 2, 9), TOL);
  const fixed = createLsgConfig({ blockSize: 4, numGlobalTokens: 1, adaptive: false });
  assert.throws(() => prepareLsgInputs(hidden, undefined, fixed), /multiple of blockSize 4 when adaptive is false/);
  assert.is(prepareLsgInputs(randn([1, 1 + 7, 5], { rng }), undefined, fixed).hidden.shape[1], 8); // short: no padding
});

test.run();
