// Placeholder until the worker-backed WebGPU device lands.
import type { Device, KernelArgument } from './device.js';
import type { KernelSpec } from './kernels.js';
import type { DeviceArray } from './memory.js';

export class SyncWebGpuDevice implements Device {
  readonly kernelClass = '';
  readonly maxOutputElements: number;
  readonly compiledKernels = 0;
  constructor(maxOutputElements?: number) {
    this.maxOutputElements = maxOutputElements ?? 1 << 22;
    throw new Error("createGpuJsBackend: mode 'webgpu' is not available yet");
  }
  run(_spec: KernelSpec, _size: number, _args: readonly KernelArgument[]): DeviceArray { throw new Error('unreachable'); }
  upload(data: Float32Array): DeviceArray { return data; }
  download(_array: DeviceArray, _size: number): Float32Array { throw new Error('unreachable'); }
  release(): void {}
  destroy(): void {}
}
