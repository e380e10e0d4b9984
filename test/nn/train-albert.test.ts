import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { trainAlbert } from '../../examples/train-albert.js';

test('examples/train-albert: the loss falls in a short run', () => {
  const { first, last } = trainAlbert({ steps: 100, log: () => {} });
  assert.ok(last < first - 0.3, `loss ${first} → ${last}`);
});

test.run();
