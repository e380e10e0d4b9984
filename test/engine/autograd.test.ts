// Autograd behaviour (fan-out, noGrad, detach, accumulation, freed graphs, retainGraph), the backend
// registry with a second backend, differentiable toBackend, and seeded random numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as E from '../../engine/index.js';
import { createRng, isGradEnabled, noGrad, tensor, type Backend, type Tensor } from '../../engine/index.js';
import { cpuBackend } from '../../backends/cpu/index.js';
import { expectClose, F32_TOL, F64_TOL } from '../helpers/close.js';

const param = (values: unknown) => tensor(values, { requiresGrad: true });

test('fan-out: a tensor used twice gets both gradients', () => {
  const x = param([1, 2, 3]);
  x.mul(x).add(x.mul(3)).sum().backward(); // d/dx (x² + 3x) = 2x + 3
  assert.equal(x.grad!.toArray(), [5, 7, 9]);
  // A diamond: e = exp(x) feeds two branches that meet again.
  const y = param([0, 1]);
  const e = y.exp();
  e.mul(2).add(e.mul(e)).sum().backward(); // d/dy (2eʸ + e²ʸ) = 2eʸ + 2e²ʸ
  expectClose(y.grad!, [2 + 2, 2 * Math.E + 2 * Math.E ** 2], F32_TOL);
});

test('broadcast operands get gradients summed back to their shape', () => {
  const a = param([[1, 2, 3], [4, 5, 6]]);
  const b = param([10, 20, 30]);
  const c = param([[2], [3]]);
  a.mul(b).add(c).sum().backward();
  assert.equal(a.grad!.toArray(), [[10, 20, 30], [10, 20, 30]]);
  assert.equal(b.grad!.toArray(), [5, 7, 9]);
  assert.equal(c.grad!.toArray(), [[3], [3]]);
});

test('noGrad records nothing and restores grad mode, also after a throw', () => {
  const x = param([1, 2]);
  const y = noGrad(() => {
    assert.is(isGradEnabled(), false);
    return x.mul(2);
  });
  assert.is(isGradEnabled(), true);
  assert.is(y.requiresGrad, false);
  assert.is(y.node, null);
  assert.throws(() => noGrad(() => { throw new Error('inside'); }), /inside/);
  assert.is(isGradEnabled(), true);
  assert.equal(noGrad(() => noGrad(() => isGradEnabled())), false);
});

test('detach cuts the graph and shares storage', () => {
  const x = param([1, 2]);
  const d = x.mul(3).detach();
  assert.is(d.requiresGrad, false);
  assert.ok(d.isLeaf);
  const y = x.mul(x.mul(3).detach()); // the detached factor is a constant
  y.sum().backward();
  assert.equal(x.grad!.toArray(), [3, 6]);
  const z = x.mul(1);
  assert.ok(z.detach().storage === z.storage);
});

test('leaf gradients accumulate across backward calls; non-leaves keep none unless retained', () => {
  const x = param([1, 2]);
  x.mul(2).sum().backward();
  x.mul(3).sum().backward();
  assert.equal(x.grad!.toArray(), [5, 5]);
  const hidden = x.mul(x);
  const kept = x.add(1).retainGrad();
  hidden.add(kept).sum().backward();
  assert.is(hidden.grad, null);
  assert.equal(kept.grad!.toArray(), [1, 1]);
});

test('backward twice through a freed graph fails clearly; retainGraph allows it', () => {
  const x = param([1, 2]);
  const loss = x.exp().sum();
  loss.backward();
  assert.throws(() => loss.backward(), (error: Error) =>
    /backward: the graph through '\w+' was already freed/.test(error.message) && /retainGraph: true/.test(error.message));
  const y = param([1, 2]);
  const again = y.mul(y).sum();
  again.backward(undefined, { retainGraph: true });
  again.backward();
  assert.equal(y.grad!.toArray(), [4, 8]); // 2 · 2y
  assert.throws(() => again.backward(), /already freed/);
});

test('backward releases the saved tensors: an intermediate is collected while the loss lives on', async () => {
  v8.setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  const x = E.randn([100, 100], { requiresGrad: true });
  let hidden: Tensor | null = x.mul(2).exp();
  const intermediate = new WeakRef(hidden);
  const loss = hidden.sum();
  hidden = null;
  loss.backward();
  // WeakRef targets stay alive until the current job ends; collect in a later turn.
  for (let i = 0; i < 3 && intermediate.deref() !== undefined; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
  assert.is(intermediate.deref(), undefined, 'the exp() output is still reachable from the loss after backward');
  assert.is(loss.requiresGrad, true);
  assert.throws(() => loss.backward(), /already freed/);
});

test('backward of a non-scalar needs a gradient of its shape', () => {
  const x = param([1, 2, 3]);
  const y = x.mul(2);
  assert.throws(() => y.backward(), /backward: grad undefined is invalid; expected a gradient of shape \[3\]/);
  assert.throws(() => y.backward(tensor([1, 1])), /backward: grad.shape \[2\] is invalid/);
  assert.throws(() => y.backward(tensor([1, 1, 1], { dtype: 'float64' })), /backward: grad.dtype "float64" is invalid; expected the tensor's dtype 'float32'/);
  y.backward(tensor([1, 0, -1]));
  assert.equal(x.grad!.toArray(), [2, 0, -2]);
});

test('gradients flow only to tensors that require them; requiresGrad rules', () => {
  const x = param([1, -2]);
  const constant = tensor([3, 4]);
  const cond = tensor([true, false]);
  E.where(cond, x, constant).mul(constant).sum().backward();
  assert.equal(x.grad!.toArray(), [3, 0]);
  assert.is(constant.grad, null);
  assert.throws(() => { x.mul(2).requiresGrad = false; }, /requiresGrad: can only be set on leaf tensors/);
  assert.throws(() => { tensor([1], { dtype: 'int32' }).requiresGrad = true; }, /requiresGrad: dtype "int32" is invalid/);
  assert.throws(() => tensor([1]).backward(), /backward: this tensor does not require grad/);
});

test('pow gradients at zero are 0, not NaN (as torch)', () => {
  const base = param([0, 2, 0]);
  const exponent = param([2, 0, -1]);
  base.pow(exponent).sum().backward();
  assert.equal(base.grad!.toArray(), [0, 0, -Infinity]); // d/dx x⁰ = 0 also at x = 0
  assert.equal(exponent.grad!.toArray(), [0, Math.fround(Math.log(2)), -Infinity]); // 0^b, b ≥ 0: 0
  const x = param([0, 3]);
  x.pow(0).sum().backward();
  assert.equal(x.grad!.toArray(), [0, 0]);
});

test('a long chain does not overflow the stack', () => {
  const x = param([1]);
  let y = x;
  for (let i = 0; i < 20000; i++) y = y.add(1);
  y.sum().backward();
  assert.equal(x.grad!.toArray(), [1]);
});

test('matmul weight shared across a batch gets the summed gradient', () => {
  const w = tensor([[1, 0], [0, 1]], { requiresGrad: true });
  const x = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
  x.matmul(w).sum().backward();
  assert.equal(w.grad!.toArray(), [[4, 4], [6, 6]]);
});

/** A second backend: the CPU kernels under another name. */
const otherBackend: Backend = { ...(cpuBackend as Backend), name: 'cpu-twin' };

test('backends: registerBackend, useBackend, withBackend, toBackend, and the mixed-backend error', () => {
  E.registerBackend(otherBackend);
  assert.ok(E.listBackends().includes('cpu-twin'));
  assert.is(E.getBackend().name, 'cpu'); // registering does not switch
  const onTwin = E.withBackend('cpu-twin', () => tensor([1, 2]));
  assert.is(onTwin.backend.name, 'cpu-twin');
  assert.is(tensor([1]).backend.name, 'cpu'); // restored
  assert.throws(() => E.withBackend('cpu-twin', () => { throw new Error('boom'); }), /boom/);
  assert.is(E.getBackend().name, 'cpu'); // restored after a throw too
  assert.equal(onTwin.mul(3).toArray(), [3, 6]);
  assert.is(onTwin.mul(3).backend.name, 'cpu-twin');
  assert.throws(() => onTwin.add(tensor([1, 1])), /add: inputs live on different backends \('cpu-twin' and 'cpu'\); move one with toBackend\(\)/);
  assert.throws(() => tensor([[1]]).matmul(onTwin.reshape([1, 2])), /matmul: inputs live on different backends/);
  const moved = onTwin.toBackend('cpu');
  assert.is(moved.backend.name, 'cpu');
  assert.equal(moved.add(tensor([1, 1])).toArray(), [2, 3]);
  E.useBackend('cpu-twin');
  try {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.is(w.backend.name, 'cpu-twin');
    w.mul(w).sum().backward();
    assert.equal(w.grad!.toArray(), [2, 4]);
    assert.is(w.grad!.backend.name, 'cpu-twin');
  } finally {
    E.useBackend('cpu');
  }
  assert.throws(() => E.useBackend('missing'), /getBackend: name "missing" is invalid; expected one of the registered backends \[cpu, cpu-twin\]/);
  assert.throws(() => E.registerBackend({ name: '' } as Backend), /registerBackend: backend/);
});

test('toBackend is differentiable: the gradient crosses back to the source backend', () => {
  E.registerBackend(otherBackend);
  const x = param([1, 2, 3]);
  const onTwin = x.toBackend('cpu-twin');
  assert.is(onTwin.backend.name, 'cpu-twin');
  assert.is(onTwin.node!.op, 'toBackend');
  onTwin.mul(onTwin).sum().backward(); // d/dx Σx² = 2x, computed on cpu-twin
  assert.equal(x.grad!.toArray(), [2, 4, 6]);
  assert.is(x.grad!.backend.name, 'cpu');
  assert.is(x.grad!.dtype, 'float32');

  // A transposed view copies to row-major at offset 0; its gradient is transposed back into m's layout.
  const m = param([[1, 2, 3], [4, 5, 6]]);
  const moved = m.transpose().toBackend('cpu-twin');
  assert.equal([moved.strides, moved.offset], [[2, 1], 0]);
  assert.equal(moved.toArray(), [[1, 4], [2, 5], [3, 6]]);
  const weights = E.withBackend('cpu-twin', () => tensor([[1, 2], [3, 4], [5, 6]]));
  moved.mul(weights).sum().backward();
  assert.equal(m.grad!.toArray(), [[1, 3, 5], [2, 4, 6]]);
  assert.is(m.grad!.backend.name, 'cpu');

  // Tensors that do not require grad copy as before: same values and dtype, no graph node.
  const ids = tensor([4, 0, 7], { dtype: 'int32' }).toBackend('cpu-twin');
  assert.equal([ids.backend.name, ids.dtype, ids.node, ids.toArray()], ['cpu-twin', 'int32', null, [4, 0, 7]]);
  const plain = tensor([1.5, -2]).toBackend('cpu-twin');
  assert.equal([plain.node, plain.requiresGrad, plain.toArray()], [null, false, [1.5, -2]]);
  assert.is(noGrad(() => x.toBackend('cpu-twin')).node, null);

  // The same backend gives the tensor itself, not a copy.
  assert.is(x.toBackend('cpu'), x);
  assert.is(onTwin.toBackend('cpu-twin'), onTwin);
});

test('a backend without the optional fused softmax kernel gives the same softmax and gradient (the composition)', () => {
  const { softmax: _fused, ...plain } = cpuBackend as Backend;
  E.registerBackend({ ...plain, name: 'cpu-plain' });
  const values = E.randn([3, 5], { rng: createRng(4), dtype: 'float64' });
  const w = E.randn([3, 5], { rng: createRng(5), dtype: 'float64' });
  const run = (backend: string, axis: number) => {
    const x = values.toBackend(backend).detach();
    x.requiresGrad = true;
    const y = E.softmax(x, axis);
    y.mul(w.toBackend(backend)).sum().backward();
    return { y: y.toTypedArray(), grad: x.grad!.toTypedArray() };
  };
  for (const axis of [-1, 0]) {
    const fused = run('cpu', axis);
    const composed = run('cpu-plain', axis);
    expectClose(composed.y, fused.y, F64_TOL, `softmax axis ${axis}`);
    expectClose(composed.grad, fused.grad, F64_TOL, `softmax gradient axis ${axis}`);
  }
});

test('seeded random numbers: the same seed gives the same stream (regression values)', () => {
  const rng = createRng(42);
  assert.equal([rng.nextUint32(), rng.nextUint32()], [1028872839, 2516511472]);
  assert.is(rng.uniform(), 0.09323416277766228);
  expectClose([rng.normal(), rng.normal()], [-0.6291305692361254, 0.21716041849774279], { rtol: 1e-14, atol: 0 });
  assert.is(rng.int(10), 8);
  expectClose(E.randn([4], { rng: createRng(0), dtype: 'float64' }), [1.2641765118590322, -2.478347125063029, -0.20592806772009897, -0.7921266182170815], { rtol: 1e-14, atol: 0 });
  assert.equal(Array.from(E.rand([3], { rng: createRng(1), dtype: 'float64' }).toTypedArray()), [0.4256499295588583, 0.79042171058245, 0.6910148127935827]);
  assert.equal(Array.from(E.randint(0, 100, [5], { rng: createRng(2) }).toTypedArray()), [78, 56, 5, 95, 59]);
  // Two generators with one seed agree; different seeds differ; manualSeed resets the default stream.
  assert.equal(E.randn([8], { rng: createRng(9) }).toArray(), E.randn([8], { rng: createRng(9) }).toArray());
  assert.not.equal(E.randn([8], { rng: createRng(9) }).toArray(), E.randn([8], { rng: createRng(10) }).toArray());
  E.manualSeed(7);
  const first = E.randn([3]).toArray();
  E.manualSeed(7);
  assert.equal(E.randn([3]).toArray(), first);
  const fork = createRng(3).fork();
  assert.is(fork.uniform(), createRng(3).fork().uniform());
});

test('backward computes no gradient for a constant operand (no kernel runs for it)', () => {
  const calls: string[] = [];
  const counted = (name: string) => (...args: unknown[]) => {
    calls.push(name === 'binary' || name === 'unary' ? `${name}:${args[0]}` : name);
    return (cpuBackend as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
  };
  E.registerBackend({ ...cpuBackend, name: 'cpu-counted', binary: counted('binary'), unary: counted('unary'), matmul: counted('matmul'), where: counted('where') });
  E.withBackend('cpu-counted', () => {
    const x = param([[1, 2], [3, 4]]);
    const constant = tensor([[5, 6], [7, 8]]);
    const scores = x.div(2).mul(constant).sub(constant).matmul(constant);
    const masked = E.where(constant.gt(6), scores, 0);
    calls.length = 0;
    masked.sum().backward();
    // where, matmul, sub, mul, div each once on x's side: dy·cᵀ, dy·c, dy/2; nothing for the constants.
    assert.equal(calls.filter((name) => name !== 'binary:add').sort(), ['binary:div', 'binary:mul', 'matmul', 'where'].sort());
    expectClose(x.grad!, [0, 0, (5 + 6) * 7 / 2, (7 + 8) * 8 / 2], F32_TOL);
  });
});

test.run();
