// The shared op table on gpujs in gpu.js's 'webasm' mode (WebAssembly kernels, in-process).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerBackend } from '../../engine/index.js';
import { createGpuJsBackend } from '../../backends/gpujs/index.js';
import { caseLabel, OP_CASES } from '../helpers/op-cases.js';
import { checkCase } from './parity.js';
import { checkLargeOutput } from './large-index.js';

const backend = createGpuJsBackend({ mode: 'webasm', name: 'gpujs-webasm' });
registerBackend(backend);

test('gpu.js ran the webasm mode it was asked for', () => {
  assert.is(backend.mode, 'webasm');
  assert.is(backend.kernelClass, 'WebAssemblyKernel');
});

for (const opCase of OP_CASES) test(`webasm mode: ${caseLabel(opCase)}`, () => checkCase(opCase, backend.name));

for (const result of checkLargeOutput(backend.name)) {
  test(`webasm mode: ${result.name}`, () => assert.ok(result.ok, result.message));
}

test.run();
