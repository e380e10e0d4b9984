// The op table on gpujs in gpu.js's 'cpu' mode (in-process), plus coverage of every engine op.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { definedOpNames, registerBackend } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { OP_CASES } from './op-cases.js';
import { checkCase } from './parity.js';

const backend = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-cpu' });
registerBackend(backend);

test('gpu.js ran the cpu mode it was asked for', () => {
  assert.is(backend.mode, 'cpu');
  assert.is(backend.kernelClass, 'CPUKernel');
  assert.is(backend.adapter, 'host CPU');
});

test('every engine op has a row in the gpujs op table', () => {
  const covered = new Set(OP_CASES.flatMap((c) => c.covers));
  const missing = definedOpNames().filter((name) => !covered.has(name));
  assert.equal(missing, [], `ops without a gpujs parity case: ${missing.join(', ')}`);
});

OP_CASES.forEach((opCase, k) => {
  test(`cpu mode: ${opCase.name}`, () => checkCase(opCase, k + 1, backend.name));
});

test.run();
