// Moving one storage's data between host and device, and describing views to kernels.
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import type { Device } from './device.js';
import type { OperandLayout } from './kernels.js';
import type { DeviceArray, GpuJsStorage } from './memory.js';

export function checkLive(fn: string, storage: GpuJsStorage): GpuJsStorage {
  if (storage.disposed) {
    throw new Error(`gpujs ${fn}: this tensor's storage was released (by dispose() or the end of a tidy scope) and cannot be used; keep it with keep(tensor) or return it from tidy`);
  }
  return storage;
}

/** The view's layout for a kernel. */
export function layoutOf(x: View<GpuJsStorage>): OperandLayout {
  return { shape: x.shape, strides: x.strides, offset: x.offset, storageSize: x.storage.size };
}

/** The storage's values on the host, read back once and kept (outputs are immutable). */
export function hostOf(fn: string, device: Device, storage: GpuJsStorage): TypedArray {
  checkLive(fn, storage);
  if (storage.host === null) {
    if (storage.dtype !== 'float32') throw new Error(`gpujs ${fn}: a ${storage.dtype} storage has no host copy (internal error)`);
    storage.host = device.download(storage.device, storage.size);
  }
  return storage.host;
}

/** The storage as a kernel argument: float32 data on the device, int32/bool as a float32 device mirror. */
export function deviceOf(fn: string, device: Device, storage: GpuJsStorage): DeviceArray {
  checkLive(fn, storage);
  if (storage.device === null) {
    const host = storage.host!;
    const floats = host instanceof Float32Array ? host : Float32Array.from(host);
    storage.device = device.upload(floats);
  }
  return storage.device;
}

/** The view with host storage, for the CPU loops of backends/cpu. */
export function hostView(fn: string, device: Device, x: View<GpuJsStorage>): View<TypedArray> {
  return { shape: x.shape, strides: x.strides, offset: x.offset, dtype: x.dtype, storage: hostOf(fn, device, x.storage) };
}
