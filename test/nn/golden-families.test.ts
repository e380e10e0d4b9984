// The dense BERT, RoBERTa and XLM-RoBERTa golden cases: loss, logits, last hidden state and every
// parameter gradient against the reference PyTorch run (test/fixtures/{bert,roberta,xlm-roberta}).
import { test } from 'uvu';
import { BertForMaskedLM, RobertaForMaskedLM, XLMRobertaForTokenClassification } from '../../nn/index.js';
import { expectGoldenMatch, readCase } from './golden-helpers.js';

const CASES = [
  { family: 'bert', name: 'dense_mlm_t40', load: (dir: string) => BertForMaskedLM.fromPretrained(dir) },
  { family: 'roberta', name: 'dense_mlm_t48', load: (dir: string) => RobertaForMaskedLM.fromPretrained(dir) },
  { family: 'xlm-roberta', name: 'dense_tok_t56', load: (dir: string) => XLMRobertaForTokenClassification.fromPretrained(dir) },
];

for (const { family, name, load } of CASES) {
  test(`${family}/${name}: loss, logits, last hidden state and every gradient match the reference`, () => {
    const golden = readCase(name, family);
    expectGoldenMatch(`${family}/${name}`, load(golden.dir), golden);
  });
}

test.run();
