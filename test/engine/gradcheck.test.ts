// Gradient check of every differentiable row of OP_CASES (float64, CPU), with contiguous and with
// transposed (non-contiguous) inputs; and the coverage checks that keep the table complete.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as engine from '../../engine/index.js';
import { definedOpNames, type Tensor } from '../../engine/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { caseLabel, INTERNAL_OPS, makeInputs, NOT_OPS, OP_CASES } from '../helpers/op-cases.js';
import { graphOps } from '../helpers/graph.js';

/** defineOp names that have no gradient (their outputs are bool or int32). */
const NON_DIFFERENTIABLE = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'argmax', 'argmin', 'topkIndices']);
/** Ops that only run inside backward (the view gradients); their rows are the view ops' gradient checks. */
const GRADIENT_ONLY = new Set(['scatterView']);

const reached = new Set<string>();
const reverse = (rank: number) => Array.from({ length: rank }, (_, i) => rank - 1 - i);

for (const c of OP_CASES.filter((row) => row.grad !== false)) {
  test(`gradcheck ${caseLabel(c)}`, () => {
    const inputs = makeInputs(c, 'float64');
    gradcheck(c.run, inputs, { op: caseLabel(c), ...c.gradcheck });
    const leaves = inputs.map((x) => (x.dtype === 'float64' ? x.detach() : x));
    leaves.forEach((x) => x.dtype === 'float64' && (x.requiresGrad = true));
    for (const name of graphOps(c.run(...leaves))) reached.add(name);
  });

  test(`gradcheck ${caseLabel(c)} with transposed inputs`, () => {
    // Each float input is stored reversed-axes and permuted back: same values, non-contiguous strides.
    const inputs = makeInputs(c, 'float64').map((x) => (x.dtype === 'float64' ? x.permute(reverse(x.rank)).contiguous() : x));
    const run = (...xs: Tensor[]) => c.run(...xs.map((x) => (x.dtype === 'float64' ? x.permute(reverse(x.rank)) : x)));
    gradcheck(run, inputs, { op: `${caseLabel(c)} (transposed inputs)`, ...c.gradcheck });
  });

  test(`gradcheck ${caseLabel(c)} with flipped, stepped, offset inputs`, () => {
    // Each float input is every other element of a reversed buffer twice its size on every axis:
    // negative strides, steps of 2 and a non-zero offset; the values are x's own. The skipped elements get zero gradient.
    const spread = (x: Tensor) => x.shape.reduce((t, _, axis) => t.slice(axis, 1, undefined, 2), x.flip(x.shape.map((_, axis) => axis)));
    const inputs = makeInputs(c, 'float64').map((x) => {
      if (x.dtype !== 'float64' || x.rank === 0) return x;
      // Each element doubled in place along every axis, then reversed: spread() picks out exactly x.
      const doubled = x.shape.reduce((t, _, axis) => engine.stack([t, t], axis + 1).flatten(axis, axis + 1), x);
      return doubled.flip(x.shape.map((_, axis) => axis)).contiguous();
    });
    const run = (...xs: Tensor[]) => c.run(...xs.map((x) => (x.dtype === 'float64' && x.rank > 0 ? spread(x) : x)));
    gradcheck(run, inputs, { op: `${caseLabel(c)} (flipped, stepped inputs)`, ...c.gradcheck });
  });
}

test('every forward-only row runs and gives a non-float output', () => {
  for (const c of OP_CASES.filter((row) => row.grad === false)) {
    const out = c.run(...makeInputs(c, 'float64'));
    assert.ok(out.dtype === 'int32' || out.dtype === 'bool', `${caseLabel(c)} gives ${out.dtype}`);
  }
});

test('every defineOp name has a row (directly or through the public ops that use it)', () => {
  const rowNames = new Set(OP_CASES.map((c) => c.name));
  const missing = definedOpNames().filter((name) => {
    if (rowNames.has(name)) return false;
    const users = INTERNAL_OPS[name];
    return !users || !users.some((user) => rowNames.has(user));
  });
  assert.equal(missing, [], `defineOp names without a row in OP_CASES: ${missing.join(', ')}`);
});

test('every public op exported by engine/index.ts has a row', () => {
  const rowNames = new Set(OP_CASES.map((c) => c.name));
  const ops = Object.entries(engine).filter(([name, value]) => typeof value === 'function' && !NOT_OPS.includes(name));
  const missing = ops.map(([name]) => name).filter((name) => !rowNames.has(name));
  assert.equal(missing, [], `public ops without a row in OP_CASES: ${missing.join(', ')}`);
});

test('every differentiable defineOp is reached by a gradient-checked row', () => {
  const missing = definedOpNames().filter((name) => !NON_DIFFERENTIABLE.has(name) && !GRADIENT_ONLY.has(name) && !reached.has(name));
  assert.equal(missing, [], `differentiable ops never gradient-checked: ${missing.join(', ')}`);
});

test.run();
