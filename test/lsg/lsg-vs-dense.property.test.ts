// Properties over random configurations (every type, causal, quirks, padding, ragged lengths):
// LSG equals dense attention over its explicit key set (outputs and gradients), short inputs
// equal plain dense attention, and permuting batch rows permutes the outputs.
// fast-check prints the seed and path of a failing case; paste them into a regression test.
import { test } from 'uvu';
import fc from 'fast-check';
import '../helpers/property-seed.js';
import { createRng, denseAttention, MASK_VALUE, tensor, type Tensor } from '../../engine/index.js';
import {
  attendOverConnectivity, keepToAdditive, lsgAttention, lsgConnectivity, lsgModelConnectivity,
  lsgSelfAttention,
} from '../../lsg/index.js';
import { expectClose } from '../helpers/close.js';
import { layerCase, modelCase } from './helpers/arbitraries.js';

/** Float64 on both sides; the two computations differ only in summation order. */
const TOL = { atol: 1e-9, rtol: 1e-7 };
const RUNS = Number(process.env.LSG_PROPERTY_RUNS ?? 60);

/** Per-row weights (batch, heads, rows, 1): 1 for rows with at least one key, else 0 (docs/lsg-reference.md#empty-rows). */
function nonEmptyRows(counts: Tensor): Tensor {
  return counts.sum(-1, true).gt(0).cast(counts.dtype);
}

/** Random output weights for a scalar loss, restricted to non-empty rows. */
function lossWeights(shape: readonly number[], rows: Tensor, seed: number): Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(Float64Array.from({ length: size }, () => rng.normal()), { shape: [...shape], dtype: 'float64' }).mul(rows);
}

function gradsOf(loss: Tensor, leaves: Tensor[]): Tensor[] {
  leaves.forEach((leaf) => { leaf.grad = null; });
  loss.backward();
  return leaves.map((leaf) => leaf.grad!);
}

test('layer: LSG equals dense attention over its explicit key set (outputs and gradients)', () => {
  fc.assert(fc.property(layerCase(true), fc.nat(), (c, seed) => {
    const lsg = lsgSelfAttention(c.q, c.k, c.v, c.freshOptions());
    const connectivity = lsgConnectivity(c.q, c.k, c.v, c.freshOptions());
    const rows = nonEmptyRows(connectivity.counts);
    const dense = attendOverConnectivity(c.q, c.k, c.v, connectivity);
    expectClose(lsg.mul(rows), dense.mul(rows), TOL, `output ${c.describe}`);
    const weights = lossWeights(lsg.shape, rows, seed);
    const lsgGrads = gradsOf(lsg.mul(weights).sum(), [c.q, c.k, c.v]);
    const denseGrads = gradsOf(dense.mul(weights).sum(), [c.q, c.k, c.v]);
    lsgGrads.forEach((grad, i) => expectClose(grad, denseGrads[i]!, TOL, `grad ${'qkv'[i]} ${c.describe}`));
  }), { numRuns: RUNS });
});

test('model: LSG equals dense attention over its explicit key set (outputs and gradients)', () => {
  fc.assert(fc.property(modelCase(true), fc.nat(), (c, seed) => {
    const runtime = () => ({ lsh: { rng: createRng(c.lshSeed) } });
    const lsg = lsgAttention(c.q, c.k, c.v, c.tokenKeep, c.config, runtime());
    const connectivity = lsgModelConnectivity(c.q, c.k, c.v, c.tokenKeep, c.config, runtime());
    const dense = attendOverConnectivity(c.q, c.k, c.v, connectivity);
    expectClose(lsg, dense, TOL, `output ${c.describe}`);
    const weights = lossWeights(lsg.shape, nonEmptyRows(connectivity.counts), seed);
    const lsgGrads = gradsOf(lsg.mul(weights).sum(), [c.q, c.k, c.v]);
    const denseGrads = gradsOf(dense.mul(weights).sum(), [c.q, c.k, c.v]);
    lsgGrads.forEach((grad, i) => expectClose(grad, denseGrads[i]!, TOL, `grad ${'qkv'[i]} ${c.describe}`));
  }), { numRuns: RUNS });
});

test('short inputs (and a block covering the whole input) equal plain dense attention', () => {
  fc.assert(fc.property(layerCase(false, { maxBlocks: 2 }), (c) => {
    const options = c.freshOptions();
    const length = c.q.shape[2]!;
    if (length > 2 * options.blockSize!) return;
    const [batch] = c.q.shape as [number];
    const keep = options.attentionMask ?? tensor(Array.from({ length: batch }, () => Array(length).fill(1)), { dtype: 'float64' });
    let mask = keepToAdditive(keep, 'float64').unsqueeze(2);
    if (options.isCausal) {
      const triangle = tensor(Array.from({ length }, (_, i) => Array.from({ length }, (_, j) => (j <= i ? 0 : MASK_VALUE))), { dtype: 'float64' });
      mask = mask.add(triangle).clamp(MASK_VALUE);
    }
    expectClose(lsgSelfAttention(c.q, c.k, c.v, options), denseAttention(c.q, c.k, c.v, mask), TOL, c.describe);
    const covering = lsgSelfAttention(c.q, c.k, c.v, { ...c.freshOptions(), blockSize: length, sparsityFactor: 1 });
    expectClose(covering, denseAttention(c.q, c.k, c.v, mask), TOL, `block covers input ${c.describe}`);
  }), { numRuns: RUNS });
});

test('model: short inputs equal dense attention over globals and tokens', () => {
  fc.assert(fc.property(modelCase(false), (c) => {
    const g = c.config.numGlobalTokens;
    const tokens = c.q.shape[2]! - g;
    if (tokens > 2 * c.config.blockSize) return;
    const mask = keepToAdditive(c.tokenKeep, 'float64').pad([[0, 0], [0, 0], [g, 0]]).unsqueeze(2);
    expectClose(lsgAttention(c.q, c.k, c.v, c.tokenKeep, c.config), denseAttention(c.q, c.k, c.v, mask), TOL, c.describe);
  }), { numRuns: RUNS });
});

function permuteBatch(x: Tensor): Tensor {
  const batch = x.shape[0]!;
  return x.indexSelect(0, tensor(Array.from({ length: batch }, (_, i) => batch - 1 - i), { dtype: 'int32' }));
}

test('permuting batch rows permutes the outputs (layer and model)', () => {
  fc.assert(fc.property(layerCase(false), (c) => {
    const options = c.freshOptions();
    const out = lsgSelfAttention(c.q, c.k, c.v, options);
    const mask = options.attentionMask ? permuteBatch(options.attentionMask) : undefined;
    const permuted = lsgSelfAttention(permuteBatch(c.q), permuteBatch(c.k), permuteBatch(c.v), { ...c.freshOptions(), attentionMask: mask });
    expectClose(permuted, permuteBatch(out), TOL, c.describe);
  }), { numRuns: Math.ceil(RUNS / 2) });
  fc.assert(fc.property(modelCase(false), (c) => {
    const runtime = () => ({ lsh: { rng: createRng(c.lshSeed) } });
    const out = lsgAttention(c.q, c.k, c.v, c.tokenKeep, c.config, runtime());
    const permuted = lsgAttention(permuteBatch(c.q), permuteBatch(c.k), permuteBatch(c.v), permuteBatch(c.tokenKeep), c.config, runtime());
    expectClose(permuted, permuteBatch(out), TOL, c.describe);
  }), { numRuns: Math.ceil(RUNS / 2) });
});

test.run();
