import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AlbertForMaskedLM } from '../../nn/index.js';
import { readCase, intTensor, maxAbsDiff, compareGrads } from './golden-helpers.js';

// Tolerances against PyTorch float32 (the README measures float64-vs-float32 at ~1e-5 on outputs
// and ~4e-6 of each gradient's largest magnitude; our float32 rounding adds a little to that).
const OUTPUT_TOL = 1e-4;
const GRAD_REL_TOL = 1e-4;
const GRAD_ABS_TOL = 1e-6;

const golden = readCase('dense_mlm_t48');

for (const dtype of ['float32', 'float64'] as const) {
  test(`dense_mlm_t48 (${dtype}): loss, logits, last hidden state and every gradient match`, () => {
    const model = AlbertForMaskedLM.fromPretrained(golden.dir, { dtype });
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
    out.loss!.backward();
    const grads = compareGrads(model.namedParameters(), golden.golden.grads, GRAD_REL_TOL, GRAD_ABS_TOL);
    console.log(`  dense_mlm_t48 ${dtype}: loss ${lossError.toExponential(2)}, logits ${logitsError.toExponential(2)}, hidden ${hiddenError.toExponential(2)}, worst grad ${grads.worst.name} rel ${grads.worst.relError.toExponential(2)}`);
    assert.ok(lossError < OUTPUT_TOL, `loss error ${lossError}`);
    assert.ok(logitsError < OUTPUT_TOL, `logits error ${logitsError}`);
    assert.ok(hiddenError < OUTPUT_TOL, `hidden error ${hiddenError}`);
    assert.equal(grads.failures, []);
  });
}

test.run();
