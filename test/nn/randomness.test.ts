// Randomness is reproducible, never fixed: every random layer and op draws from the global generator
// (manualSeed) unless given its own, so fresh layers differ and the same seed repeats.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, dropout, manualSeed, ones, rand, randint, randn, tensor, type Tensor } from '../../engine/index.js';
import { AlbertConfig, AlbertForSequenceClassification, BertConfig, BertForSequenceClassification, Dropout, Embedding, Linear, type Module } from '../../nn/index.js';
import { LSGAlbertForSequenceClassification, LsgAlbertConfig, lsgSelfAttention } from '../../lsg/index.js';

const values = (t: Tensor) => Array.from(t.toTypedArray() as ArrayLike<number>);
const maskBits = (t: Tensor) => values(t).map((v) => (v > 0 ? 1 : 0)).join('');

test('two fresh Dropout layers draw different masks; manualSeed picks and repeats them', () => {
  const run = (seed: number) => {
    manualSeed(seed);
    const [first, second] = [new Dropout(0.5), new Dropout(0.5)];
    return [maskBits(first.forward(ones([64]))), maskBits(second.forward(ones([64])))];
  };
  const [a1, b1] = run(1);
  assert.is.not(a1, b1, 'two layers, one seed: different masks');
  assert.equal(run(1), [a1, b1], 'the same seed repeats');
  assert.not.equal(run(2), [a1, b1], 'another seed gives other masks');
  // The global generator is read at each call, so manualSeed after construction counts.
  const layer = new Dropout(0.5);
  manualSeed(5);
  const late = maskBits(layer.forward(ones([64])));
  manualSeed(5);
  assert.is(maskBits(layer.forward(ones([64]))), late);
});

test('Dropout with its own seed or generator ignores the global one, and refuses both at once', () => {
  manualSeed(1);
  const a = maskBits(new Dropout(0.5, { seed: 7 }).forward(ones([64])));
  manualSeed(2);
  assert.is(maskBits(new Dropout(0.5, { seed: 7 }).forward(ones([64]))), a);
  assert.is(maskBits(new Dropout(0.5, { rng: createRng(7) }).forward(ones([64]))), a);
  assert.throws(() => new Dropout(0.5, { seed: 1, rng: createRng(1) }), /Dropout: options .* expected one of rng or seed/);
});

test('random ops and initialisers follow manualSeed', () => {
  const draw = (seed: number) => {
    manualSeed(seed);
    return [values(randn([4])), values(rand([4])), values(randint(0, 100, [4])), values(dropout(ones([16]), 0.5)),
      values(new Linear(3, 2).weight), values(new Embedding(5, 2).weight)];
  };
  assert.equal(draw(3), draw(3));
  const [x, y] = [draw(3), draw(4)];
  for (let i = 0; i < x.length; i++) assert.not.equal(x[i], y[i], `draw ${i} ignores the seed`);
});

const TINY = { vocabSize: 20, embeddingSize: 8, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16, maxPositionEmbeddings: 32, numLabels: 2, hiddenDropoutProb: 0.3, attentionProbsDropoutProb: 0.3 };
const ids = tensor([[2, 5, 6, 7, 8, 9, 10, 3]], { dtype: 'int32' });

type Classifier = Module & { forward(inputs: { inputIds: Tensor }): { logits: Tensor } };
const MODELS: Record<string, () => Classifier> = {
  ALBERT: () => new AlbertForSequenceClassification(new AlbertConfig(TINY), { rng: createRng(1) }),
  BERT: () => new BertForSequenceClassification(new BertConfig({ ...TINY, hiddenSize: 8 }), { rng: createRng(1) }),
};

for (const [family, build] of Object.entries(MODELS)) {
  test(`${family}: the model's dropout follows manualSeed, and two models built alike draw different masks`, () => {
    const model = build();
    const logits = () => values(model.forward({ inputIds: ids }).logits);
    manualSeed(11);
    const first = logits();
    manualSeed(11);
    assert.equal(logits(), first, 'the same seed repeats the masks');
    manualSeed(12);
    assert.not.equal(logits(), first, 'another seed, other masks');
    const twin = build();
    manualSeed(11);
    const a = logits();
    const b = values(twin.forward({ inputIds: ids }).logits);
    assert.not.equal(a, b, 'the same weights, one after the other: the global stream moves on');
  });
}

test('LSH hyperplanes follow manualSeed unless a generator is given', () => {
  const config = new LsgAlbertConfig({ ...TINY, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0, blockSize: 4, sparseBlockSize: 4, sparsityFactor: 2, sparsityType: 'lsh' });
  const model = new LSGAlbertForSequenceClassification(config, { rng: createRng(1) }).eval();
  const longIds = tensor([Array.from({ length: 24 }, (_, i) => 4 + (i * 7) % 15)], { dtype: 'int32' });
  const logits = () => values(model.forward({ inputIds: longIds }).logits);
  manualSeed(1);
  const first = logits();
  manualSeed(1);
  assert.equal(logits(), first);
  const seeds = [2, 3, 4, 5, 6].map((seed) => { manualSeed(seed); return logits(); });
  assert.ok(seeds.some((other) => other.join() !== first.join()), 'the hyperplanes depend on the seed');
  // The standalone layer too.
  const q = randn([1, 1, 16, 4], { rng: createRng(2) });
  const attend = () => values(lsgSelfAttention(q, q, q, { blockSize: 8, sparsityFactor: 2, sparsityType: 'lsh' }));
  manualSeed(9);
  const standalone = attend();
  manualSeed(9);
  assert.equal(attend(), standalone);
});

test.after(() => manualSeed(0));
test.run();
