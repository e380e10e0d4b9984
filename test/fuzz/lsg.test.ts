// Fuzzing LSG attention and the models over random configurations: every sparsity type, block sizes,
// factors, global tokens, causal, padding, and lengths that are not multiples of the block or are
// shorter than one. Each call returns the documented shape, finite, with finite gradients, or
// refuses the configuration with a typed error.
import { test } from 'uvu';
import fc from 'fast-check';
import { createRng, randn, tensor, type Tensor } from '../../engine/index.js';
import { AlbertConfig, AlbertForSequenceClassification } from '../../nn/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig, lsgSelfAttention } from '../../lsg/index.js';
import { SPARSITY_TYPES } from '../../lsg/config.js';
import { expectShapeAndFinite, fuzz, typedOrValue } from './helpers.js';

const RUNS = 25;

/** Keep flags (batch, seq): each row keeps a random prefix (at least `minimum` tokens), the rest is padding. */
const keepArb = (batch: number, seq: number, minimum: number) =>
  fc.array(fc.integer({ min: Math.min(minimum, seq), max: seq }), { minLength: batch, maxLength: batch })
    .map((lengths) => lengths.map((length) => Array.from({ length: seq }, (_, i) => (i < length ? 1 : 0))));

const layerCase = fc.record({
  batch: fc.integer({ min: 1, max: 2 }), heads: fc.integer({ min: 1, max: 2 }), seq: fc.integer({ min: 1, max: 40 }), headDim: fc.integer({ min: 1, max: 4 }),
  blockSize: fc.integer({ min: 1, max: 9 }), sparsityFactor: fc.constantFrom(1, 2, 3, 4), sparsityType: fc.constantFrom(...SPARSITY_TYPES),
  computeGlobalAttention: fc.boolean(), referenceQuirks: fc.boolean(), isCausal: fc.boolean(), masked: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }),
}).chain((c) => fc.tuple(fc.constant(c), keepArb(c.batch, c.seq, 0)));

fuzz('lsgSelfAttention over random configurations: q\'s shape, finite values and gradients, or a typed refusal', RUNS, fc.property(layerCase, ([c, keep]) => {
  const rng = createRng(c.seed);
  const q = randn([c.batch, c.heads, c.seq, c.headDim], { rng, dtype: 'float64', requiresGrad: true });
  const k = randn([c.batch, c.heads, c.seq, c.headDim], { rng, dtype: 'float64' });
  const v = randn([c.batch, c.heads, c.seq, c.headDim], { rng, dtype: 'float64' });
  const outcome = typedOrValue(() => lsgSelfAttention(q, k, v, {
    blockSize: c.blockSize, sparsityFactor: c.sparsityFactor, sparsityType: c.sparsityType, computeGlobalAttention: c.computeGlobalAttention,
    referenceQuirks: c.referenceQuirks, isCausal: c.isCausal && c.referenceQuirks, lsh: { rng: createRng(c.seed) },
    ...(c.masked ? { attentionMask: tensor(keep, { dtype: 'int32' }) } : {}),
  }));
  if (!outcome.ok) return;
  expectShapeAndFinite(`lsgSelfAttention ${JSON.stringify(c)}`, outcome.value, q.shape);
  outcome.value.sum().backward();
  expectShapeAndFinite('lsgSelfAttention grad q', q.grad!, q.shape);
}));

const TINY = { vocabSize: 30, embeddingSize: 8, hiddenSize: 8, numHiddenLayers: 1, numAttentionHeads: 2, intermediateSize: 16, numLabels: 2, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 };

const modelCase = fc.record({
  batch: fc.integer({ min: 1, max: 2 }), seq: fc.integer({ min: 1, max: 48 }),
  blockSize: fc.integer({ min: 1, max: 12 }), sparseBlockSize: fc.integer({ min: 0, max: 12 }), sparsityFactor: fc.constantFrom(1, 2, 3, 4, 8),
  sparsityType: fc.constantFrom(...SPARSITY_TYPES), numGlobalTokens: fc.integer({ min: 1, max: 5 }),
  maskFirstToken: fc.boolean(), adaptive: fc.boolean(), referenceQuirks: fc.boolean(), seed: fc.integer({ min: 0, max: 1000 }),
  aligned: fc.boolean(),
}).map((c) => (c.aligned ? { ...c, blockSize: c.sparsityFactor * Math.ceil(c.blockSize / 4), sparseBlockSize: c.sparsityFactor * Math.ceil(c.sparseBlockSize / 4) } : c)).chain((c) => fc.tuple(fc.constant(c), keepArb(c.batch, c.seq, 1)));

/** Word ids (batch, seq) with padding id 0 where keep is 0. */
function idsFor(keep: number[][], seed: number): Tensor {
  const rng = createRng(seed);
  return tensor(keep.map((row) => row.map((flag) => (flag ? 1 + rng.int(29) : 0))), { dtype: 'int32' });
}

fuzz('LSG-ALBERT forward and backward over random LSG configurations, lengths and padding', RUNS, fc.property(modelCase, ([c, keep]) => {
  const outcome = typedOrValue(() => {
    const config = new LsgAlbertConfig({
      ...TINY, maxPositionEmbeddings: 64, blockSize: c.blockSize, sparseBlockSize: c.sparseBlockSize, sparsityFactor: c.sparsityFactor,
      sparsityType: c.sparsityType, numGlobalTokens: c.numGlobalTokens, maskFirstToken: c.maskFirstToken, poolWithGlobal: true,
      adaptive: c.adaptive, referenceQuirks: c.referenceQuirks,
    } as never);
    const model = new LSGAlbertForSequenceClassification(config, { rng: createRng(c.seed), lsgRuntime: { lsh: { rng: createRng(c.seed) } } });
    const labels = tensor(keep.map((_, i) => i % 2), { dtype: 'int32' });
    const out = model.forward({ inputIds: idsFor(keep, c.seed), attentionMask: tensor(keep, { dtype: 'int32' }), labels });
    return { model, out };
  });
  if (!outcome.ok) return;
  const { model, out } = outcome.value;
  expectShapeAndFinite(`LSG-ALBERT logits ${JSON.stringify(c)}`, out.logits, [c.batch, 2]);
  expectShapeAndFinite('LSG-ALBERT loss', out.loss!, []);
  out.loss!.backward();
  for (const [name, parameter] of model.namedParameters()) if (parameter.grad) expectShapeAndFinite(`grad ${name}`, parameter.grad, parameter.shape);
}));

fuzz('dense ALBERT over random lengths, padding and (too long) inputs: logits or a typed error', RUNS, fc.property(
  fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1000 }),
  (batch, seq, seed) => {
    const keep = Array.from({ length: batch }, (_, row) => Array.from({ length: seq }, (_, i) => (i < Math.max(1, seq - row * 3) ? 1 : 0)));
    const model = new AlbertForSequenceClassification(new AlbertConfig({ ...TINY, maxPositionEmbeddings: 32 }), { rng: createRng(seed) });
    const outcome = typedOrValue(() => model.forward({ inputIds: idsFor(keep, seed), attentionMask: tensor(keep, { dtype: 'int32' }) }).logits);
    if (seq > 32 && outcome.ok) throw new Error(`a ${seq}-token input was accepted by a model of 32 positions`);
    if (outcome.ok) expectShapeAndFinite('ALBERT logits', outcome.value, [batch, 2]);
  },
));

test.run();
