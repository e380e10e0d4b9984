import { test } from 'uvu';
import { AlbertForMaskedLM } from '../../nn/index.js';
import { expectGoldenMatch, readCase } from './golden-helpers.js';

const golden = readCase('dense_mlm_t48');

for (const dtype of ['float32', 'float64'] as const) {
  test(`dense_mlm_t48 (${dtype}): loss, logits, last hidden state and every gradient match`, () => {
    const model = AlbertForMaskedLM.fromPretrained(golden.dir, { dtype });
    expectGoldenMatch(`dense_mlm_t48 ${dtype}`, model, golden);
  });
}

test.run();
