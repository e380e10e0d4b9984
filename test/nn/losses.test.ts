import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, randn, createRng } from '../../engine/index.js';
import { crossEntropy, mse, bceWithLogits } from '../../nn/index.js';
import { gradcheck } from '../helpers/gradcheck.js';

const F64 = { dtype: 'float64' as const };
const ints = (values: number[]) => tensor(values, { dtype: 'int32' });
const close = (actual: number, expected: number, tol = 1e-6) => assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

test('crossEntropy: hand-computed value, ignoreIndex, label smoothing', () => {
  close(crossEntropy(tensor([[2, 0, -1]]), ints([0])).item(), 0.1698461);
  // The ignored row adds nothing and is left out of the mean.
  close(crossEntropy(tensor([[2, 0, -1], [5, 1, 1]]), ints([0, -100])).item(), 0.1698461);
  close(crossEntropy(tensor([[2, 0, -1], [5, 1, 1]]), ints([0, -100]), { reduction: 'sum' }).item(), 0.1698461);
  // (1-ε)·nll + ε·mean_c(-log p_c) with ε = 0.1: 0.9·0.169846 + 0.1·1.836513.
  close(crossEntropy(tensor([[2, 0, -1]]), ints([0]), { labelSmoothing: 0.1 }).item(), 0.3365128);
  assert.equal(crossEntropy(tensor([[2, 0], [1, 1]]), ints([1, -100]), { reduction: 'none' }).shape, [2]);
  assert.throws(() => crossEntropy(tensor([[1, 2]]), ints([0, 1])), /crossEntropy: logits.shape \[1,2\] must be target.shape \[2\] plus a class axis/);
});

test('crossEntropy passes a float64 gradient check with and without label smoothing', () => {
  const rng = createRng(11);
  const logits = randn([6, 5], { rng, ...F64 });
  logits.requiresGrad = true;
  const target = ints([0, 4, -100, 2, 2, 1]);
  for (const labelSmoothing of [0, 0.2]) {
    gradcheck((l) => crossEntropy(l, target, { labelSmoothing }), [logits], { op: `crossEntropy(ε=${labelSmoothing})` });
  }
});

test('mse and bceWithLogits: values and gradients', () => {
  close(mse(tensor([1, 2]), tensor([1, 4])).item(), 2);
  close(bceWithLogits(tensor([0]), tensor([1])).item(), Math.log(2));
  // Stable for large logits: log(1 + e^-100) ≈ e^-100, no overflow.
  close(bceWithLogits(tensor([100, -100], F64), tensor([1, 0], F64)).item(), Math.exp(-100), 1e-40);
  close(bceWithLogits(tensor([-100], F64), tensor([1], F64)).item(), 100);
  const rng = createRng(12);
  const x = randn([3, 4], { rng, ...F64 });
  x.requiresGrad = true;
  const target = randn([3, 4], { rng, ...F64 });
  const bits = tensor([[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 0]], F64);
  gradcheck((input) => mse(input, target), [x], { op: 'mse' });
  gradcheck((input) => bceWithLogits(input, bits), [x], { op: 'bceWithLogits' });
  assert.throws(() => mse(x, tensor([1])), /mse: target.shape \[1\] is invalid/);
});

test.run();
