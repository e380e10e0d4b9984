import { test } from 'uvu';
import { LSGAlbertForMaskedLM, LSGAlbertForSequenceClassification } from '../../lsg/albert.js';
import { expectGoldenMatch, readCase } from '../nn/golden-helpers.js';

export const LSG_CASES = [
  'lsg_mlm_none_f2_g1_t48',
  'lsg_mlm_norm_f2_g1_t100',
  'lsg_mlm_pooling_f4_g4_t256',
  'lsg_cls_stride_f2_g4_t100',
  'lsg_cls_block_stride_f4_g1_t48',
];

for (const name of LSG_CASES) {
  test(`${name}: loss, logits, last hidden state and every gradient match the reference`, () => {
    const golden = readCase(name);
    const model = golden.golden.model_class === 'LSGAlbertForMaskedLM'
      ? LSGAlbertForMaskedLM.fromPretrained(golden.dir)
      : LSGAlbertForSequenceClassification.fromPretrained(golden.dir);
    expectGoldenMatch(name, model, golden);
  });
}

test.run();
