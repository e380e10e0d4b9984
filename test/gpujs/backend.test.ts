// The gpujs backend's own behaviour: options and mode checks, the kernel cache, split outputs,
// dispose/tidy/keep and the memory report (in the cpu mode; the GPU modes repeat the key checks in their child).
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randn, createRng, registerBackend, tensor, tidy, withBackend } from '../../engine/index.js';
import { createGpuJsBackend, memory } from '../../backends/gpujs/index.js';
import { lsgSelfAttention } from '../../lsg/index.js';
import { caseByLabel, checkCase } from './parity.js';
import { checkResidency } from './residency.js';

const gpu = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-unit' });
registerBackend(gpu);
const split = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-split', maxOutputElements: 5 });
registerBackend(split);

/** A backend of its own, so that no garbage from other tests is collected while the counts are compared. */
function freshBackend(name: string) {
  const backend = createGpuJsBackend({ mode: 'cpu', name });
  registerBackend(backend);
  return backend;
}

test('LSG attention forward and backward run entirely as device kernels: no host fallback, no readback', () => {
  const fresh = freshBackend('gpujs-lsg-stats');
  withBackend(fresh.name, () => {
    const rng = createRng(4);
    const [q, k, v] = [0, 1, 2].map(() => {
      const t = randn([1, 2, 64, 8], { rng });
      t.requiresGrad = true;
      return t;
    });
    const out = lsgSelfAttention(q!, k!, v!, { blockSize: 8, sparsityFactor: 2, sparsityType: 'stride' });
    out.sum().backward();
    const stats = fresh.stats();
    assert.equal(stats.hostRuns, {});
    assert.is(stats.readbacks, 0);
    assert.ok(Object.values(stats.deviceRuns).reduce((a, b) => a + b, 0) > 20);
  });
});

test('a scalar operand is a kernel argument: x·0.9 + 1e-8 and 1 − x are one launch each, no fill, no upload', () => {
  const fresh = freshBackend('gpujs-scalars');
  withBackend(fresh.name, () => {
    const x = randn([3, 4], { rng: createRng(5) });
    const before = fresh.stats();
    const y = x.mul(0.9).add(1e-8);
    const z = tensor(1).sub(x);
    const stats = fresh.stats();
    assert.is(stats.deviceRuns.zipScalar! - (before.deviceRuns.zipScalar ?? 0), 3);
    assert.is(stats.deviceRuns.fill ?? 0, before.deviceRuns.fill ?? 0);
    assert.is(stats.deviceRuns.upload ?? 0, before.deviceRuns.upload ?? 0);
    const values = x.toTypedArray();
    expectCloseTo(y.toTypedArray(), values.map((v) => Math.fround(Math.fround(v * Math.fround(0.9)) + Math.fround(1e-8))));
    expectCloseTo(z.toTypedArray(), values.map((v) => Math.fround(1 - v)));
  });
});

function expectCloseTo(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  assert.is(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-6 * Math.max(1, Math.abs(expected[i]!)), `element ${i}: ${actual[i]} vs ${expected[i]}`);
}

test('bad options throw, naming the option, the value and what is allowed', () => {
  assert.throws(() => createGpuJsBackend({ mode: 'opencl' as never }), /options\.mode "opencl" is invalid; expected one of gpu, cpu, webasm, headlessgl, webgl, webgl2, webgpu/);
  assert.throws(() => createGpuJsBackend({ mode: 'cpu', precision: 'double' as never }), /options\.precision "double" is invalid/);
  assert.throws(() => createGpuJsBackend({ mode: 'cpu', maxOutputElements: 0 }), /maxOutputElements 0 is invalid/);
  // A browser's modes name Node's instead (the page test checks the reverse).
  assert.throws(() => createGpuJsBackend({ mode: 'webgl2' }), /mode 'webgl2' is unavailable .*webgl2 is a browser's GL; in Node use mode 'headlessgl'/);
});

test('an explicit headlessgl mode without a display throws instead of running another mode', () => {
  const display = process.env.DISPLAY;
  delete process.env.DISPLAY;
  try {
    assert.throws(() => createGpuJsBackend({ mode: 'headlessgl' }), /createGpuJsBackend: mode 'headlessgl' (is unavailable|was requested but gpu\.js ran).*xvfb-run/);
  } finally {
    if (display !== undefined) process.env.DISPLAY = display;
  }
});

test("mode 'gpu' (the default) runs whatever gpu.js picks, and says which", () => {
  const auto = createGpuJsBackend({ name: 'gpujs-auto' });
  registerBackend(auto);
  assert.ok(['cpu', 'webasm', 'headlessgl'].includes(auto.mode), `unexpected mode ${auto.mode}`);
  assert.is(auto.requestedMode, 'gpu');
  withBackend(auto.name, () => assert.equal(tensor([1, 4]).sqrt().toArray(), [1, 2]));
});

test('compiled kernels are cached by family, op and shapes', () => {
  withBackend(gpu.name, () => {
    const x = randn([3, 4], { rng: createRng(1) });
    x.exp().sum(1);
    const compiled = gpu.compiledKernels;
    randn([3, 4], { rng: createRng(2) }).exp().sum(1);
    assert.is(gpu.compiledKernels, compiled, 'same shapes compiled again');
    randn([5, 4], { rng: createRng(3) }).exp();
    assert.ok(gpu.compiledKernels > compiled, 'a new shape reused a kernel of another shape');
  });
});

test('outputs beyond maxOutputElements are split into chunks and still match the CPU backend', () => {
  for (const label of ['matmul', 'sum (axes of a permuted view)', 'softmax', 'gather', 'scatterAdd', 'pad', 'cat', 'layerNorm']) {
    checkCase(caseByLabel(label), split.name);
  }
});

test('float32 results stay on the device until read', () => {
  const report = checkResidency(gpu);
  assert.ok(report.resident, report.detail);
});

test('dispose releases a storage, and using it afterwards throws a clear error', () => {
  const fresh = freshBackend('gpujs-dispose');
  withBackend(fresh.name, () => {
    const base = tensor([1, 2, 3]);
    const x = base.exp();
    assert.is(memory(fresh).liveBuffers, 2);
    x.dispose();
    assert.is(memory(fresh).liveBuffers, 1);
    assert.throws(() => x.toArray(), /storage was released/);
    assert.equal(base.toArray(), [1, 2, 3]);
  });
});

test('the engine\'s tidy on gpujs frees what was not returned, keeps results (also nested in objects) and kept tensors', () => {
  const gpu = freshBackend('gpujs-tidy');
  withBackend(gpu.name, () => {
    const before = memory(gpu).liveBuffers;
    const kept = tensor([0, 0]);
    const { a, list } = tidy(() => {
      const x = tensor([1, 2]).mul(3).add(1);
      const inner = tidy(() => x.exp().add(x)); // nested scope: only its result survives
      kept.assign(x.sub(1));
      return { a: inner, list: [x.neg()] };
    }, { keep: [kept] });
    assert.equal(a.toArray(), [Math.exp(4) + 4, Math.exp(7) + 7].map(Math.fround));
    assert.equal(list[0]!.toArray(), [-4, -7]);
    assert.equal(kept.toArray(), [3, 6]);
    // a, list[0] and kept's new storage (its old one was released by assign)
    assert.is(memory(gpu).liveBuffers, before + 3);
  });
});

test('storages of tensors the garbage collector takes are released (no dispose needed)', async () => {
  const gpu = freshBackend('gpujs-gc');
  v8.setFlagsFromString('--expose-gc');
  const collectGarbage = vm.runInNewContext('gc') as () => void;
  withBackend(gpu.name, () => {
    for (let i = 0; i < 50; i++) tensor([i, i + 1]).exp();
  });
  assert.ok(memory(gpu).liveBuffers > 0);
  // NOTE: WeakRef.deref() (which memory() calls) keeps its target alive until the current job ends,
  // so every collection happens in a job of its own, after a timer.
  const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
  for (let round = 0; round < 3; round++) {
    await tick();
    collectGarbage();
  }
  await tick();
  assert.is(memory(gpu).liveBuffers, 0);
});

test('memory() reports bytes by dtype', () => {
  const gpu = freshBackend('gpujs-bytes');
  withBackend(gpu.name, () => {
    const before = memory(gpu);
    const ints = tensor([1, 2, 3, 4], { dtype: 'int32' });
    const floats = tensor([1, 2], { dtype: 'float64' });
    const after = memory(gpu);
    assert.is(after.liveBytes - before.liveBytes, 16 + 16);
    ints.dispose();
    floats.dispose();
  });
});

test.run();
