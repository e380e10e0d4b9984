import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tensor, type Tensor } from '../../engine/index.js';
import { SGD, AdamW, clipGradNorm, warmupSchedule, LrScheduler, weightDecayGroups, Linear, LayerNorm, Module } from '../../nn/index.js';

const F64 = { dtype: 'float64' as const, requiresGrad: true };
const close = (actual: number, expected: number, tol = 1e-12) => assert.ok(Math.abs(actual - expected) < tol, `${actual} vs ${expected}`);

/** Runs `steps` optimizer steps with loss = sum(p · g) (gradient g each step). */
function runConstantGradient(param: Tensor, optimizer: { step(): void; zeroGrad(): void }, gradient: number, steps: number): number[] {
  const seen: number[] = [];
  for (let i = 0; i < steps; i++) {
    param.mul(gradient).sum().backward();
    optimizer.step();
    optimizer.zeroGrad();
    seen.push((param.toTypedArray() as Float64Array)[0]!);
  }
  return seen;
}

test('SGD: plain, momentum, Nesterov, weight decay (as torch.optim.SGD)', () => {
  const plain = tensor([1], F64);
  assert.equal(runConstantGradient(plain, new SGD([plain], { lr: 0.1 }), 1, 2).map((v) => +v.toFixed(12)), [0.9, 0.8]);
  const heavy = tensor([1], F64);
  runConstantGradient(heavy, new SGD([heavy], { lr: 0.1, momentum: 0.9 }), 1, 2).forEach((v, i) => close(v, [0.9, 0.71][i]!));
  const nesterov = tensor([1], F64);
  runConstantGradient(nesterov, new SGD([nesterov], { lr: 0.1, momentum: 0.9, nesterov: true }), 1, 2).forEach((v, i) => close(v, [0.81, 0.539][i]!));
  const decayed = tensor([1], F64);
  runConstantGradient(decayed, new SGD([decayed], { lr: 0.1, weightDecay: 0.5 }), 0, 1).forEach((v) => close(v, 0.95));
  assert.throws(() => new SGD([tensor([1], F64)], { lr: 0.1, nesterov: true }), /SGD: nesterov true is invalid/);
});

test('AdamW matches a scalar reference (bias correction, decoupled decay)', () => {
  const param = tensor([0.5, -2], F64);
  const lr = 0.01, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0.1;
  const optimizer = new AdamW([param], { lr, betas: [beta1, beta2], eps, weightDecay });
  const reference = [0.5, -2];
  const m = [0, 0], v = [0, 0];
  for (let step = 1; step <= 5; step++) {
    // loss = Σ p³ → gradient 3p² (changes every step).
    param.mul(param).mul(param).sum().backward();
    optimizer.step();
    optimizer.zeroGrad();
    for (let i = 0; i < 2; i++) {
      const g = 3 * reference[i]! ** 2;
      reference[i] = reference[i]! * (1 - lr * weightDecay);
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      const mHat = m[i]! / (1 - beta1 ** step);
      const vHat = v[i]! / (1 - beta2 ** step);
      reference[i] = reference[i]! - lr * mHat / (Math.sqrt(vHat) + eps);
    }
    Array.from(param.toTypedArray()).forEach((value, i) => close(value, reference[i]!));
  }
});

class Tiny extends Module {
  readonly dense = new Linear(2, 2, { dtype: 'float64' });
  readonly layerNorm = new LayerNorm(2, { dtype: 'float64' });
}

test('weightDecayGroups: biases and LayerNorm parameters are not decayed', () => {
  const model = new Tiny();
  const groups = weightDecayGroups(model, 0.5);
  assert.equal(groups[0]!.params, [model.dense.weight]);
  assert.equal(groups[1]!.params, [model.dense.bias, model.layerNorm.weight, model.layerNorm.bias]);
  const before = model.layerNorm.weight.toArray();
  const optimizer = new AdamW(groups, { lr: 0.1 });
  // Zero gradients: only decay could move a parameter.
  for (const p of model.parameters()) p.grad = p.mul(0).detach();
  optimizer.step();
  assert.equal(model.layerNorm.weight.toArray(), before);
  assert.throws(() => new AdamW([{ params: [model.dense.weight] }, { params: [model.dense.weight] }]), /each parameter in only one group/);
});

test('clipGradNorm scales all gradients to the max norm and returns the norm before', () => {
  const a = tensor([3], F64), b = tensor([4], F64);
  a.grad = tensor([3], { dtype: 'float64' });
  b.grad = tensor([4], { dtype: 'float64' });
  close(clipGradNorm([a, b], 1), 5);
  close((a.grad.toTypedArray() as Float64Array)[0]!, 0.6, 1e-6);
  close((b.grad!.toTypedArray() as Float64Array)[0]!, 0.8, 1e-6);
  close(clipGradNorm([a, b], 10), 1, 1e-6); // below the max: untouched
  close((b.grad!.toTypedArray() as Float64Array)[0]!, 0.8, 1e-6);
});

test('warmup then linear or cosine decay (as HuggingFace schedules)', () => {
  const linear = warmupSchedule({ warmupSteps: 10, totalSteps: 110, decay: 'linear' });
  [[0, 0], [5, 0.5], [10, 1], [60, 0.5], [110, 0], [200, 0]].forEach(([step, factor]) => close(linear(step!), factor!));
  const cosine = warmupSchedule({ warmupSteps: 10, totalSteps: 110, decay: 'cosine' });
  [[5, 0.5], [10, 1], [60, 0.5], [35, 0.5 * (1 + Math.cos(Math.PI / 4))], [110, 0]].forEach(([step, factor]) => close(cosine(step!), factor!));
  const param = tensor([1], F64);
  const optimizer = new SGD([param], { lr: 0.2 });
  const scheduler = new LrScheduler(optimizer, linear);
  close(scheduler.lastLr[0]!, 0);
  for (let i = 0; i < 5; i++) scheduler.step();
  close(optimizer.paramGroups[0]!.lr, 0.1);
  assert.throws(() => warmupSchedule({ warmupSteps: 10, totalSteps: 5, decay: 'linear' }), /totalSteps 5 is invalid/);
});

test.run();
