// attention.svg's grid: each row's shades are p / (largest p of the row) over the keys it may see;
// a close-up draws the first tokens unpooled with the same shades.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, randn, tensor } from '../../engine/index.js';
import { ALLOWED_FLOOR, attentionProbabilityGrid } from '../../cli/attention-grid.js';

const rng = createRng(5);
const q = randn([1, 1, 10, 4], { rng });
const k = randn([1, 1, 10, 4], { rng });

test('a dense grid shades p / max p of the row, floored for visible keys', () => {
  const grid = attentionProbabilityGrid(q, k, undefined, undefined, 'dense');
  assert.is(grid.rows, 10);
  for (let row = 0; row < 10; row++) {
    const shades = Array.from(grid.values.subarray(row * 10, row * 10 + 10));
    assert.ok(Math.abs(Math.max(...shades) - 1) < 1e-12, `row ${row} peaks at 1`);
    assert.ok(shades.every((shade) => shade >= ALLOWED_FLOOR && shade <= 1));
  }
});

test('a close-up draws the first tokens with the shades of the whole grid', () => {
  const whole = attentionProbabilityGrid(q, k, undefined, undefined, 'dense');
  const closeUp = attentionProbabilityGrid(q, k, undefined, undefined, 'dense', { firstTokens: 4 });
  assert.equal([closeUp.rows, closeUp.columns, closeUp.length], [4, 4, 4]);
  for (let row = 0; row < 4; row++) {
    assert.equal(Array.from(closeUp.values.subarray(row * 4, row * 4 + 4)), Array.from(whole.values.subarray(row * 10, row * 10 + 4)));
  }
});

test('keys a query may not see stay white; padding is not drawn', () => {
  // A band: query i may see keys i−1..i+1; the last 3 tokens are padding.
  const allowed = tensor(Array.from({ length: 100 }, (_, i) => (Math.abs(Math.floor(i / 10) - (i % 10)) <= 1 ? 1 : 0)), { shape: [1, 1, 10, 10] });
  const keep = tensor([1, 1, 1, 1, 1, 1, 1, 0, 0, 0], { shape: [1, 10], dtype: 'int32' });
  const grid = attentionProbabilityGrid(q, k, keep, allowed, 'band');
  assert.is(grid.rows, 7);
  assert.is(grid.values[0 * 7 + 5], 0);
  assert.ok(grid.values[3 * 7 + 2]! >= ALLOWED_FLOOR);
});

test.run();
