// The shared op table on gpujs in gpu.js's 'cpu' mode (in-process), against the CPU backend.
// (That the table covers every engine op is checked once, in test/engine/gradcheck.test.ts.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerBackend } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { caseLabel, OP_CASES } from '../helpers/op-cases.js';
import { checkCase } from './parity.js';

const backend = createGpuJsBackend({ mode: 'cpu', name: 'gpujs-cpu' });
registerBackend(backend);

test('gpu.js ran the cpu mode it was asked for', () => {
  assert.is(backend.mode, 'cpu');
  assert.is(backend.kernelClass, 'CPUKernel');
  assert.is(backend.adapter, 'host CPU');
});

for (const opCase of OP_CASES) test(`cpu mode: ${caseLabel(opCase)}`, () => checkCase(opCase, backend.name));

test.run();
