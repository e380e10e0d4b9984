// Central-difference gradient checks (float64, CPU) of the layer and the model attention for every
// sparsity type: autograd through the composed ops, pooled keys and gathers included.
import { test } from 'uvu';
import { createRng, randn, tensor } from '../../engine/index.js';
import { createLsgConfig, lsgAttention, lsgSelfAttention, SPARSITY_TYPES } from '../../lsg/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const rng = createRng(31);
const inputs = (rows: number) => [0, 1, 2].map(() => randn([1, 2, rows, 2], { rng, dtype: 'float64' }));
const attentionMask = tensor([[...Array(11).fill(1), 0]], { dtype: 'float64' });

for (const sparsityType of SPARSITY_TYPES) {
  for (const isCausal of [false, true]) {
    test(`layer ${sparsityType}${isCausal ? ' causal' : ''}`, () => {
      gradcheck((q, k, v) => lsgSelfAttention(q!, k!, v!, {
        blockSize: 2, sparsityFactor: 2, sparsityType, isCausal, attentionMask, lsh: { rng: createRng(3) },
      }), inputs(12), { op: `lsgSelfAttention ${sparsityType}` });
    });
  }
  test(`model ${sparsityType}`, () => {
    const config = createLsgConfig({ blockSize: 2, sparseBlockSize: 2, sparsityFactor: 2, sparsityType, numGlobalTokens: 1 });
    const keep = tensor([[1, 1, 1, 1, 1, 1, 1, 0]], { dtype: 'float64' });
    gradcheck((q, k, v) => lsgAttention(q!, k!, v!, keep, config, { lsh: { rng: createRng(4) } }), inputs(9), { op: `lsgAttention ${sparsityType}` });
  });
}

test.run();
