// Every golden case in test/fixtures/lsg (recorded by running the reference PyTorch implementation,
// see its README): outputs and
// gradients within the case's tolerance, with referenceQuirks on. The LSH case is compared fully
// with its recorded projections injected, and by shape with seeded ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRng, type Tensor } from '../../engine/index.js';
import { lsgSelfAttention, type SparsityType } from '../../lsg/index.js';
import { compare, goldenNames, loadGolden, toTensor, type GoldenCase, type JsonTensor } from './helpers/golden.js';
import { runModelCase } from './helpers/model-case.js';

const DTYPE = 'float32';
const maxErrors: string[] = [];

function check(name: string, label: string, actual: Tensor, expected: JsonTensor | undefined, tolerance: GoldenCase['tolerance']): number {
  assert.ok(expected, `${name} ${label}: missing in the fixture`);
  const result = compare(actual, expected, tolerance);
  assert.ok(result.ok, `${name} ${label}: ${result.worst} (max error ${result.maxError})`);
  return result.maxError;
}

function runStandalone(golden: GoldenCase): number {
  const c = golden.config as Record<string, any>;
  const [q, k, v] = ['Q', 'K', 'V'].map((n) => toTensor(golden.inputs[n]!, DTYPE, true)) as [Tensor, Tensor, Tensor];
  const output = lsgSelfAttention(q, k, v, {
    attentionMask: toTensor(golden.inputs.attention_mask!, DTYPE),
    blockSize: c.block_size,
    sparsityFactor: c.sparsity_factor,
    sparsityType: (c.sparsity_type ?? 'none') as SparsityType,
    computeGlobalAttention: c.compute_global_attention,
    isCausal: c.is_causal,
    referenceQuirks: true,
  });
  let worst = check(golden.name, 'output', output, golden.outputs.output, golden.tolerance);
  output.mul(toTensor(golden.inputs.R!, DTYPE)).sum().backward();
  [q, k, v].forEach((leaf, i) => {
    const name = ['Q', 'K', 'V'][i]!;
    worst = Math.max(worst, check(golden.name, `grad ${name}`, leaf.grad!, golden.grads[name], golden.tolerance));
  });
  return worst;
}

function runModel(golden: GoldenCase): number {
  const run = runModelCase(golden, DTYPE, { referenceQuirks: true, injectLsh: true });
  let worst = check(golden.name, 'output', run.output, golden.outputs.output, golden.tolerance);
  worst = Math.max(worst, check(golden.name, 'layer_output', run.layerOutput, golden.outputs.layer_output, golden.tolerance));
  worst = Math.max(worst, check(golden.name, 'context', run.context, golden.outputs.context, golden.tolerance));
  run.output.mul(toTensor(golden.inputs.R!, DTYPE)).sum().backward();
  for (const [name, leaf] of Object.entries(run.leaves)) {
    worst = Math.max(worst, check(golden.name, `grad ${name}`, leaf.grad!, golden.grads[name], golden.tolerance));
  }
  return worst;
}

test('the fixtures hold all 30 reference cases', () => {
  assert.is(goldenNames().length, 30);
});

for (const name of goldenNames()) {
  test(`golden ${name}`, () => {
    const golden = loadGolden(name);
    const worst = golden.source === 'standalone' ? runStandalone(golden) : runModel(golden);
    maxErrors.push(`${name}: ${worst.toExponential(2)}`);
  });
}

test('lsh with seeded projections (the case is random in the reference): shapes match', () => {
  const golden = loadGolden('m_lsh_bs8_sf2_t64');
  assert.is(golden.check, 'shape');
  const rng = createRng(5);
  const run = runModelCase(golden, DTYPE, { referenceQuirks: true, injectLsh: false, rng });
  assert.equal(run.output.shape, golden.outputs.output!.shape);
  assert.equal(run.context.shape, golden.outputs.context!.shape);
});

test('largest error per case', () => {
  if (process.env.LSG_GOLDEN_REPORT) console.log(maxErrors.join('\n'));
});

test.run();
