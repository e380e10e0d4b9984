import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LSGAlbertForMaskedLM, LSGAlbertForSequenceClassification } from '../../lsg/albert.js';
import { readCase, intTensor, maxAbsDiff, compareGrads } from '../nn/golden-helpers.js';

// Against PyTorch float32; the fixtures' README measures float64-vs-float32 at ~1e-5 on outputs
// and ~4e-6 of each gradient's largest magnitude (key-bias gradients are zero up to rounding).
const OUTPUT_TOL = 1e-4;
const GRAD_REL_TOL = 1e-4;
const GRAD_ABS_TOL = 1e-6;

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
    const { inputs } = golden;
    const out = model.forward({
      inputIds: intTensor(inputs.input_ids),
      attentionMask: intTensor(inputs.attention_mask),
      tokenTypeIds: intTensor(inputs.token_type_ids),
      labels: intTensor(inputs.labels),
    });
    const lossError = Math.abs(out.loss!.item() - golden.golden.loss);
    const logitsError = maxAbsDiff(out.logits.toTypedArray() as Float32Array, golden.golden.logits.data, 'logits');
    const hiddenError = maxAbsDiff(out.lastHiddenState!.toTypedArray() as Float32Array, golden.golden.last_hidden_state.data, 'lastHiddenState');
    const poolerError = golden.golden.pooler_output === null ? 0 : maxAbsDiff(out.pooledOutput!.toTypedArray() as Float32Array, golden.golden.pooler_output.data, 'pooledOutput');
    out.loss!.backward();
    const grads = compareGrads(model.namedParameters(), golden.golden.grads, GRAD_REL_TOL, GRAD_ABS_TOL);
    console.log(`  ${name}: loss ${lossError.toExponential(2)}, logits ${logitsError.toExponential(2)}, hidden ${hiddenError.toExponential(2)}, pooler ${poolerError.toExponential(2)}, worst grad rel ${grads.worst.relError.toExponential(2)} (${grads.worst.name})`);
    assert.ok(lossError < OUTPUT_TOL, `loss error ${lossError}`);
    assert.ok(logitsError < OUTPUT_TOL, `logits error ${logitsError}`);
    assert.ok(hiddenError < OUTPUT_TOL, `hidden error ${hiddenError}`);
    assert.ok(poolerError < OUTPUT_TOL, `pooler error ${poolerError}`);
    assert.equal(grads.failures, []);
  });
}

test.run();
