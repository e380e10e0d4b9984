// The LSG-BERT, LSG-RoBERTa and LSG-XLM-RoBERTa golden cases: loss, logits, last hidden state,
// pooler output and every parameter gradient against the reference PyTorch run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as lsg from '../../lsg/index.js';
import { expectGoldenMatch, readCase } from '../nn/golden-helpers.js';
import { LSG_FAMILY_CASES } from './cases.js';


type Loadable = { fromPretrained(dir: string): Parameters<typeof expectGoldenMatch>[1] & { config: { referenceQuirks?: boolean } } };

for (const [family, name] of LSG_FAMILY_CASES) {
  test(`${family}/${name}: loss, logits, hidden states and every gradient match the reference`, () => {
    const golden = readCase(name, family);
    const Model = (lsg as unknown as Record<string, Loadable>)[golden.golden.model_class];
    assert.ok(Model, `no class ${golden.golden.model_class}`);
    const model = Model.fromPretrained(golden.dir);
    // A checkpoint without lsgrad's record was made by the reference: loaded in its mode.
    assert.is(model.config.referenceQuirks, true);
    expectGoldenMatch(`${family}/${name}`, model, golden);
  });
}

test.run();
