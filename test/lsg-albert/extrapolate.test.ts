import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extrapolate } from '../../examples/extrapolate.js';

test('examples/extrapolate runs with tiny settings: LSG and dense give finite losses at the new length', () => {
  const results = extrapolate({ length: 256, blockSize: 32, trainSteps: 5, log: () => {} });
  assert.equal(results.map((r) => r.attention), ['lsg', 'dense']);
  for (const r of results) {
    assert.ok(Number.isFinite(r.loss) && r.seconds > 0 && r.peakMiB > 0, JSON.stringify(r));
  }
});

test.run();
