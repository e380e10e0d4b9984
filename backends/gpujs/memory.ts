// Buffer ownership: every storage the backend makes is counted until dispose(), and tidy() scopes
// release what a computation made but did not return.
import type { DType, TypedArray } from '../../engine/dtype.js';
import { bytesPerElement } from '../../engine/dtype.js';

/** What a device array is depends on the mode: a GL texture, a WebGPU buffer handle, or a Float32Array. */
export type DeviceArray = unknown;

/**
 * One tensor's elements. float32 data lives on the device (`device`); other dtypes live on the host.
 * A host copy of device data is kept after the first read (outputs are immutable, so it never goes stale),
 * and a float32 device mirror of int32/bool data is kept after its first use as a kernel argument.
 */
export class GpuJsStorage {
  host: TypedArray | null;
  device: DeviceArray | null;
  disposed = false;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    host: TypedArray | null,
    device: DeviceArray | null,
    readonly pool: MemoryPool,
  ) {
    this.host = host;
    this.device = device;
    pool.track(this);
  }
  get bytes(): number { return this.size * bytesPerElement(this.dtype); }
}

export interface MemoryReport {
  /** Storages made and not yet disposed. */
  liveBuffers: number;
  liveBytes: number;
  /** Of those, how many hold device memory (textures or GPU buffers), and its size in bytes (float32). */
  deviceBuffers: number;
  deviceBytes: number;
}

/** Live storages of one backend, and the stack of open tidy scopes. */
export class MemoryPool {
  readonly live = new Set<GpuJsStorage>();
  private readonly scopes: Set<GpuJsStorage>[] = [];
  constructor(private readonly releaseDevice: (array: DeviceArray) => void) {}

  track(storage: GpuJsStorage): void {
    this.live.add(storage);
    this.scopes[this.scopes.length - 1]?.add(storage);
  }

  dispose(storage: GpuJsStorage): void {
    if (storage.disposed) return;
    storage.disposed = true;
    if (storage.device !== null && storage.device !== storage.host) this.releaseDevice(storage.device);
    storage.device = null;
    storage.host = null;
    this.live.delete(storage);
  }

  /** Removes storages from every open scope, so the scopes' ends leave them alive. */
  keep(storages: Iterable<GpuJsStorage>): void {
    for (const storage of storages) for (const scope of this.scopes) scope.delete(storage);
  }

  openScope(): void { this.scopes.push(new Set()); }

  /** Closes the innermost scope: disposes what it made except `kept`, which moves to the enclosing scope. */
  closeScope(kept: ReadonlySet<GpuJsStorage>): void {
    const scope = this.scopes.pop();
    if (!scope) throw new Error('gpujs tidy: closeScope called with no open scope');
    const outer = this.scopes[this.scopes.length - 1];
    for (const storage of scope) {
      if (kept.has(storage)) outer?.add(storage);
      else this.dispose(storage);
    }
  }

  report(): MemoryReport {
    let liveBytes = 0;
    let deviceBuffers = 0;
    let deviceBytes = 0;
    for (const storage of this.live) {
      liveBytes += storage.bytes;
      if (storage.device !== null && storage.device !== storage.host) {
        deviceBuffers++;
        deviceBytes += storage.size * 4;
      }
    }
    return { liveBuffers: this.live.size, liveBytes, deviceBuffers, deviceBytes };
  }
}

/** Storages reachable from a value: tensors (their .storage, not their graph), arrays, maps and plain objects. */
export function storagesIn(value: unknown, found = new Set<GpuJsStorage>(), seen = new Set<unknown>()): Set<GpuJsStorage> {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof GpuJsStorage) {
    found.add(value);
    return found;
  }
  if (ArrayBuffer.isView(value)) return found;
  const storage = (value as { storage?: unknown }).storage;
  if (storage instanceof GpuJsStorage) {
    // A tensor: keep its values only, not the graph behind it (that is what tidy releases).
    found.add(storage);
    return found;
  }
  const items = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  for (const item of items) storagesIn(item, found, seen);
  return found;
}
