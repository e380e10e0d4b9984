// Checks that a chain of float32 ops leaves its result on the device (no host copy) until it is read.
import { createRng, randn, withBackend } from '../../engine/index.js';
import type { GpuJsBackend, GpuJsStorage } from '../../backends/gpujs/index.js';

export function checkResidency(backend: GpuJsBackend): { resident: boolean; detail: string } {
  return withBackend(backend.name, () => {
    const x = randn([4, 8], { rng: createRng(9) });
    const y = x.matmul(x.transpose()).exp().softmax(-1).sum(0);
    const storage = y.storage as GpuJsStorage;
    const onDeviceOnly = storage.device !== null && (storage.host === null || storage.host === storage.device);
    y.toArray();
    const readBack = storage.host !== null;
    return { resident: onDeviceOnly && readBack, detail: `device ${storage.device !== null}, host before read ${storage.host !== null && storage.host !== storage.device}, host after read ${readBack}` };
  });
}
