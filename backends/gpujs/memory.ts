// Buffer ownership: every storage the backend makes is counted until dispose(), tidy() scopes
// release what a computation made but did not return, and storages the garbage collector takes
// (tensors dropped without dispose) give their device memory back too.
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
  disposed = false;
  /** Shared with the pool's finalizer, which must release the device array without holding the storage. */
  readonly cell: DeviceCell;
  constructor(
    readonly dtype: DType,
    readonly size: number,
    host: TypedArray | null,
    device: DeviceArray | null,
    pool: MemoryPool,
  ) {
    this.host = host;
    this.cell = { device, host: host !== null && host === device };
    pool.track(this);
  }
  get device(): DeviceArray | null { return this.cell.device; }
  set device(array: DeviceArray | null) {
    this.cell.device = array;
    this.cell.host = array !== null && array === this.host;
  }
  /** Whether the device array is separate memory (not the host array itself, as in cpu/webasm modes). */
  get holdsDeviceMemory(): boolean { return this.cell.device !== null && !this.cell.host; }
  get bytes(): number { return this.size * bytesPerElement(this.dtype); }
}

interface DeviceCell {
  device: DeviceArray | null;
  /** The device array is the host typed array (nothing to release). */
  host: boolean;
}

export interface MemoryReport {
  /** Storages made and not yet disposed (nor garbage-collected). */
  liveBuffers: number;
  liveBytes: number;
  /** Of those, how many hold device memory (textures or GPU buffers), and its size in bytes (float32). */
  deviceBuffers: number;
  deviceBytes: number;
}

/** Live storages of one backend, and the stack of open tidy scopes. */
export class MemoryPool {
  /** Weak, so that a storage no tensor holds any more can be collected (and its device memory released). */
  private readonly live = new Map<number, WeakRef<GpuJsStorage>>();
  private readonly ids = new WeakMap<GpuJsStorage, number>();
  private nextId = 1;
  private readonly scopes: Set<GpuJsStorage>[] = [];
  private readonly finalizer: FinalizationRegistry<{ id: number; cell: DeviceCell }>;

  constructor(private readonly releaseDevice: (array: DeviceArray) => void) {
    this.finalizer = new FinalizationRegistry(({ id, cell }) => {
      this.live.delete(id);
      if (cell.device !== null && !cell.host) this.releaseDevice(cell.device);
      cell.device = null;
    });
  }

  track(storage: GpuJsStorage): void {
    const id = this.nextId++;
    this.live.set(id, new WeakRef(storage));
    this.ids.set(storage, id);
    this.finalizer.register(storage, { id, cell: storage.cell }, storage);
    this.scopes[this.scopes.length - 1]?.add(storage);
  }

  dispose(storage: GpuJsStorage): void {
    if (storage.disposed) return;
    storage.disposed = true;
    if (storage.holdsDeviceMemory) this.releaseDevice(storage.device);
    storage.device = null;
    storage.host = null;
    this.finalizer.unregister(storage);
    this.live.delete(this.ids.get(storage)!);
  }

  /** Every storage not yet disposed or collected. */
  liveStorages(): GpuJsStorage[] {
    const storages: GpuJsStorage[] = [];
    for (const ref of this.live.values()) {
      const storage = ref.deref();
      if (storage) storages.push(storage);
    }
    return storages;
  }

  disposeAll(): void {
    for (const storage of this.liveStorages()) this.dispose(storage);
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
    const storages = this.liveStorages();
    let liveBytes = 0;
    let deviceBuffers = 0;
    let deviceBytes = 0;
    for (const storage of storages) {
      liveBytes += storage.bytes;
      if (storage.holdsDeviceMemory) {
        deviceBuffers++;
        deviceBytes += storage.size * 4;
      }
    }
    return { liveBuffers: storages.length, liveBytes, deviceBuffers, deviceBytes };
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
