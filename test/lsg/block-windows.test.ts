// The strided-window block layout (keyWindows / valueWindows) against the explicit index table
// (blockTable + gatherBlocks): the same rows in the same columns, pad slots included.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cat, createRng, randn, tensor, zeros, type Tensor } from '../../engine/index.js';
import { blockTable, gatherBlocks, keyBank, keyWindows, valueWindows, type BlockTableSpec } from '../../lsg/blocks.js';
import { MASK_VALUE } from '../../lsg/masks.js';
import { normalSlots, referenceSlots, type SparseSlots } from '../../lsg/slots.js';

const FEATURES = 3;

interface Case { name: string; blockSize: number; numBlocks: number; numGlobal: number; sparsityFactor: number; slots?: SparseSlots; isCausal: boolean }

const CASES: Case[] = [
  { name: 'local only', blockSize: 4, numBlocks: 5, numGlobal: 0, sparsityFactor: 2, isCausal: false },
  { name: 'local only, causal', blockSize: 4, numBlocks: 5, numGlobal: 0, sparsityFactor: 2, isCausal: true },
  { name: 'global + normal slots', blockSize: 8, numBlocks: 6, numGlobal: 2, sparsityFactor: 4, slots: normalSlots({ blockSize: 8, sparsityFactor: 4, slotsPerSide: 4, isCausal: false }), isCausal: false },
  { name: 'normal slots, more than a step per side', blockSize: 8, numBlocks: 6, numGlobal: 1, sparsityFactor: 2, slots: normalSlots({ blockSize: 8, sparsityFactor: 2, slotsPerSide: 6, isCausal: false }), isCausal: false },
  { name: 'step 1, many slots', blockSize: 4, numBlocks: 6, numGlobal: 1, sparsityFactor: 4, slots: normalSlots({ blockSize: 4, sparsityFactor: 4, slotsPerSide: 12, isCausal: false }), isCausal: false },
  { name: 'causal normal slots', blockSize: 8, numBlocks: 5, numGlobal: 1, sparsityFactor: 4, slots: normalSlots({ blockSize: 8, sparsityFactor: 4, slotsPerSide: 8, isCausal: true }), isCausal: true },
  { name: 'reference model slots, step 1 (shifted right side)', blockSize: 8, numBlocks: 5, numGlobal: 1, sparsityFactor: 8, slots: referenceSlots('model', { blockSize: 8, sparsityFactor: 8, slotsPerSide: 8, isCausal: false }), isCausal: false },
  { name: 'reference standalone slots', blockSize: 8, numBlocks: 6, numGlobal: 1, sparsityFactor: 4, slots: referenceSlots('standalone', { blockSize: 8, sparsityFactor: 4, slotsPerSide: 8, isCausal: false }), isCausal: false },
  { name: 'unordered offsets with a gap', blockSize: 4, numBlocks: 6, numGlobal: 0, sparsityFactor: 2, slots: { left: [-5, -4, -1], right: [3, 4, 9] }, isCausal: false },
];

function specOf(c: Case): BlockTableSpec {
  const tokenLength = c.blockSize * c.numBlocks;
  return {
    blockSize: c.blockSize, tokenLength, numGlobal: c.numGlobal,
    sparseLength: c.slots ? tokenLength / c.sparsityFactor : 0,
    sparseStep: c.blockSize / c.sparsityFactor,
    slots: c.slots ?? { left: [], right: [] },
    isCausal: c.isCausal,
  };
}

for (const c of CASES) {
  test(`windows equal the table's gather: ${c.name}`, () => {
    const spec = specOf(c);
    const rng = createRng(c.blockSize * 100 + c.numBlocks);
    const part = (rows: number) => randn([2, 2, rows, FEATURES], { rng, dtype: 'float64', requiresGrad: true });
    const global = c.numGlobal > 0 ? part(c.numGlobal) : undefined;
    const sparse = spec.sparseLength > 0 ? part(spec.sparseLength) : undefined;
    const tokens = part(spec.tokenLength);
    const table = blockTable(spec);
    const banks = { global, sparse, tokens };
    const bankParts = [global, sparse, tokens].filter((x): x is Tensor => x !== undefined);
    const expected = gatherBlocks(keyBank(bankParts), table);                       // (B, H, nb, width, F), pad rows 0
    const values = valueWindows(banks, zeros([1, 1, 1, FEATURES], { dtype: 'float64' }), spec);
    assert.equal(values.shape, expected.shape);
    assert.equal(Array.from(values.toTypedArray()), Array.from(expected.toTypedArray()));
    const keys = keyWindows(banks, zeros([1, 1, 1, FEATURES], { dtype: 'float64' }), spec);
    assert.equal(Array.from(keys.transpose(-1, -2).toTypedArray()), Array.from(expected.toTypedArray()));
    // Gradients: every bank row receives the sum over the slots that read it.
    const upstream = randn(expected.shape, { rng, dtype: 'float64' });
    const gradients = (blocks: Tensor) => {
      bankParts.forEach((x) => { x.grad = null; });
      blocks.mul(upstream).sum().backward();
      return cat(bankParts.map((x) => x.grad!), 2).toTypedArray();
    };
    const reference = Array.from(gradients(gatherBlocks(keyBank(bankParts), table)));
    for (const got of [gradients(valueWindows(banks, zeros([1, 1, 1, FEATURES], { dtype: 'float64' }), spec)), gradients(keyWindows(banks, zeros([1, 1, 1, FEATURES], { dtype: 'float64' }), spec).transpose(-1, -2))]) {
      Array.from(got).forEach((g, i) => assert.ok(Math.abs(g - reference[i]! ) < 1e-12, `gradient ${i}: ${g} vs ${reference[i]}`));
    }
  });
}

test('pad slots carry the pad row (MASK_VALUE in the mask feature)', () => {
  const spec = specOf(CASES[1]!);
  const tokens = zeros([1, 1, spec.tokenLength, 2], { dtype: 'float64' });
  const padRow = tensor([0, MASK_VALUE], { shape: [1, 1, 1, 2], dtype: 'float64' });
  const keys = keyWindows({ tokens }, padRow, spec);                                   // (1, 1, nb, 2, 2·bs)
  const maskOfBlock0 = Array.from(keys.narrow(2, 0, 1).narrow(3, 1, 1).toTypedArray());
  assert.equal(maskOfBlock0, [...new Array(4).fill(MASK_VALUE), 0, 0, 0, 0]);
});

test.run();
