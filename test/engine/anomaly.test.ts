// detectAnomaly reports the first op whose forward output or backward gradient holds NaN or
// Infinity: its name, the shapes, the index and value, and where in the caller's code it was made.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AnomalyError, createRng, detectAnomaly, isAnomalyDetectionEnabled, tensor, type AnomalyReport } from '../../engine/index.js';
import { Linear } from '../../nn/index.js';

/** The report of the AnomalyError fn throws. */
function anomalyOf(fn: () => unknown): { report: AnomalyReport; message: string } {
  try {
    detectAnomaly(fn);
  } catch (error) {
    assert.instance(error, AnomalyError);
    return { report: (error as AnomalyError).report, message: (error as Error).message };
  }
  throw new Error('expected an AnomalyError');
}

test('forward: the first op that makes a non-finite value from finite ones, with shapes and the call site', () => {
  const x = tensor([[1, 0, 2], [3, 4, 5]]);
  const { report, message } = anomalyOf(() => x.mul(2).log().exp().sum());
  assert.is(report.op, 'log');
  assert.is(report.phase, 'forward');
  assert.is(report.value, '-Infinity');
  assert.is(report.index, 1);
  assert.equal(report.inputShapes, [[2, 3]]);
  assert.equal(report.outputShape, [2, 3]);
  assert.ok(report.fromFiniteValues);
  assert.match(report.createdAt[0]!, /anomaly\.test\.ts:\d+/);
  assert.match(message, /detectAnomaly: op 'log': forward output \[2,3\] holds -Infinity at index 1 \(inputs \[2,3\]\); from finite values\n  created at .*anomaly\.test\.ts/);
  assert.not.ok(isAnomalyDetectionEnabled(), 'switched off again after the throw');
});

test('backward: the op whose gradient is not finite although its incoming gradient is', () => {
  const x = tensor([0, 1, 4], { requiresGrad: true });
  const { report, message } = anomalyOf(() => x.sqrt().sum().backward());
  assert.is(report.op, 'sqrt');
  assert.is(report.phase, 'backward');
  assert.is(report.inputIndex, 0);
  assert.is(report.value, 'Infinity');
  assert.is(report.index, 0);
  assert.ok(report.fromFiniteValues);
  assert.match(report.createdAt[0]!, /anomaly\.test\.ts/, 'the site where sqrt was called in the forward pass');
  assert.match(message, /op 'sqrt': backward gradient for input 0 \(shape \[3\]\) holds Infinity at index 0/);
});

test('inside a layer, the site names the layer and the caller', () => {
  const layer = new Linear(2, 2, { rng: createRng(0) });
  layer.weight.assign(tensor([[1e30, 1e30], [1, 1]]));
  const { report } = anomalyOf(() => layer.forward(tensor([[1e10, 1e10]])));
  assert.is(report.op, 'matmul');
  assert.equal(report.inputShapes, [[1, 2], [2, 2]]);
  assert.ok(report.createdAt.some((frame) => /nn[\\/]linear\.ts/.test(frame)), report.createdAt.join(' | '));
  assert.ok(report.createdAt.some((frame) => /anomaly\.test\.ts/.test(frame)));
});

test('a NaN that came in from outside is reported at its first op, saying so; finite work runs unchanged', () => {
  const { report } = anomalyOf(() => tensor([1, Number.NaN]).add(1));
  assert.is(report.op, 'add');
  assert.is(report.value, 'NaN');
  assert.not.ok(report.fromFiniteValues);
  const x = tensor([1, 2], { requiresGrad: true });
  const value = detectAnomaly(() => {
    const y = x.mul(x).sum();
    y.backward();
    return y.item();
  });
  assert.is(value, 5);
  assert.equal(Array.from(x.grad!.toTypedArray()), [2, 4]);
  // Outside detectAnomaly nothing is checked: NaN flows as before.
  assert.ok(Number.isNaN(tensor([0]).log().mul(0).item()));
});

test.run();
