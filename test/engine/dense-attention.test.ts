// denseAttention past its chunk size (queries in chunks of rows) gives the values and gradients of
// the one-piece formula softmax(q·kᵀ/√d + mask)·v, with a per-query mask and a padding mask.
import { test } from 'uvu';
import { attentionProbabilities, createRng, denseAttention, MASK_VALUE, randn, tensor, type Tensor } from '../../engine/index.js';
import { expectClose, F32_TOL } from '../helpers/close.js';

/** Values and the gradients of q, k and v for one upstream gradient. */
function run(attend: (q: Tensor, k: Tensor, v: Tensor) => Tensor, inputs: readonly Tensor[], upstream: Tensor) {
  const [q, k, v] = inputs.map((x) => {
    const leaf = x.detach().contiguous();
    leaf.requiresGrad = true;
    return leaf;
  }) as [Tensor, Tensor, Tensor];
  const out = attend(q, k, v);
  out.backward(upstream);
  return { out, dq: q.grad!, dk: k.grad!, dv: v.grad! };
}

// 1 × 1 × 2,100 queries × 2,100 keys: more scores than one chunk (2^22), so two chunks of rows.
const [batch, heads, tokens, headDim] = [1, 1, 2100, 8];

for (const maskKind of ['none', 'padding', 'per query'] as const) {
  test(`chunked dense attention equals the one-piece formula (mask: ${maskKind})`, () => {
    const rng = createRng(31);
    const shape = [batch, heads, tokens, headDim];
    const inputs = [randn(shape, { rng }), randn(shape, { rng }), randn(shape, { rng })];
    const upstream = randn(shape, { rng });
    const padding = tensor(Array.from({ length: tokens }, (_, j) => (j % 5 === 4 ? MASK_VALUE : 0))).reshape([1, 1, 1, tokens]);
    const perQuery = tensor(Array.from({ length: tokens * tokens }, (_, i) => ((i * 7) % 11 === 3 ? MASK_VALUE : 0))).reshape([1, 1, tokens, tokens]);
    const mask = maskKind === 'none' ? null : maskKind === 'padding' ? padding : perQuery;
    const chunked = run((q, k, v) => denseAttention(q, k, v, mask), inputs, upstream);
    const whole = run((q, k, v) => attentionProbabilities(q, k, mask).matmul(v), inputs, upstream);
    for (const name of ['out', 'dq', 'dk', 'dv'] as const) expectClose(chunked[name], whole[name], F32_TOL, name);
  });
}

test.run();
