// A script that computes on a webgpu backend and ends with process.exit() without destroying it: the
// backend must shut Dawn's device down on its own, or Dawn aborts the process on its way out.
// Usage: node --import tsx test/gpujs/modes/exit-child.ts
import { randn, registerBackend, withBackend } from '../../../engine/index.js';
import { createGpuJsBackend } from '../../../backends/gpujs/index.js';

const backend = createGpuJsBackend({ mode: 'webgpu' });
registerBackend(backend);
const values = withBackend(backend.name, () => randn([64, 64]).exp().sum().toTypedArray());
console.log(`EXIT_CHILD ${values[0]! > 0 ? 'computed' : 'wrong'}`);
process.exit(0);
