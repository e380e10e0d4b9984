// lsgrad/gpujs: the gpu.js backend plugin. Register it explicitly:
//   registerBackend(createGpuJsBackend({ mode: 'headlessgl' })); useBackend('gpujs');
import type { Backend, TidyOptions } from '../../engine/backend.js';
import { argumentError } from '../../engine/errors.js';
import { GpuJsKernels, type KernelStats } from './backend.js';
import { InProcessDevice, type Device } from './device.js';
import { GPUJS_MODES, type GpuJsMode } from './modes.js';
import { GpuJsStorage, MemoryPool, storagesIn, type MemoryReport } from './memory.js';
import { SyncWebGpuDevice } from './sync-webgpu.js';

export type { GpuJsMode, MemoryReport, KernelStats, TidyOptions };
export { GpuJsStorage, GPUJS_MODES };

export interface GpuJsBackendOptions {
  /** gpu.js mode. An explicit mode that cannot start throws; 'gpu' takes whatever gpu.js picks. */
  mode?: GpuJsMode;
  /** Only 'single' (float32) is supported: the option exists so that callers can say so. */
  precision?: 'single';
  /** Output elements per kernel call; larger outputs are split (default and cap: 2^24, the float32 index limit). */
  maxOutputElements?: number;
  /** Registry name (default 'gpujs'). */
  name?: string;
}

export interface GpuJsBackend extends Backend<GpuJsStorage> {
  readonly requestedMode: GpuJsMode;
  /** The mode gpu.js actually ran, from the kernel class of the first kernel: 'cpu', 'webasm', 'headlessgl', 'webgpu'. */
  readonly mode: string;
  /** The gpu.js kernel class, e.g. 'HeadlessGLKernel'. */
  readonly kernelClass: string;
  /** What runs the kernels: Dawn's adapter (webgpu), the GL renderer (headlessgl) or 'host CPU'. */
  readonly adapter: string;
  /** Compiled kernels so far (the cache: one per family, op, shapes and dtype). */
  readonly compiledKernels: number;
  memory(): MemoryReport;
  /** Counts since creation: kernel launches per family, host fallbacks per kernel, readbacks, uploads. */
  stats(): KernelStats;
  /** Runs fn and releases every storage it made that is not in its result (or kept). */
  tidy<T>(fn: () => T, options?: TidyOptions): T;
  /** Keeps tensors made inside a tidy scope alive past its end. */
  keep<T>(value: T): T;
  /** Releases every storage and the device; resolves when the device is shut down (webgpu: its worker has exited). */
  destroy(): Promise<void>;
}


const CLASS_TO_MODE: Record<string, string> = {
  CPUKernel: 'cpu', WebAssemblyKernel: 'webasm', HeadlessGLKernel: 'headlessgl', WebGLKernel: 'webgl', WebGL2Kernel: 'webgl2', WebGPUKernel: 'webgpu',
};

/**
 * A Backend that runs float32 kernels with gpu.js and keeps their results on the device.
 * @example registerBackend(createGpuJsBackend({ mode: 'cpu' })); withBackend('gpujs', () => randn([2, 3]).exp().toArray());
 */
export function createGpuJsBackend(options: GpuJsBackendOptions = {}): GpuJsBackend {
  const { mode = 'gpu', precision = 'single', name = 'gpujs', maxOutputElements } = options;
  if (!(GPUJS_MODES as readonly string[]).includes(mode)) throw argumentError('createGpuJsBackend', 'options.mode', mode, `one of ${GPUJS_MODES.join(', ')}`);
  if (precision !== 'single') throw argumentError('createGpuJsBackend', 'options.precision', precision, "'single' (float32 kernels only)");
  if (maxOutputElements !== undefined && !(Number.isInteger(maxOutputElements) && maxOutputElements > 0)) {
    throw argumentError('createGpuJsBackend', 'options.maxOutputElements', maxOutputElements, 'a positive integer');
  }
  const device: Device = mode === 'webgpu' ? new SyncWebGpuDevice(maxOutputElements) : new InProcessDevice(mode, maxOutputElements);
  const pool = new MemoryPool((array) => device.release(array));
  const kernels = new GpuJsKernels(device, pool);

  const tidy = <T>(fn: () => T, tidyOptions: TidyOptions = {}): T => {
    pool.openScope();
    let result: T;
    try {
      result = fn();
    } catch (error) {
      pool.closeScope(storagesIn(tidyOptions.keep ?? []));
      throw error;
    }
    if (result instanceof Promise) throw new Error('gpujs tidy: fn returned a Promise; tidy scopes are synchronous');
    pool.closeScope(storagesIn([result, tidyOptions.keep ?? []]));
    return result;
  };

  // Methods are bound so the object can be spread and passed around like the CPU backend.
  const backend: GpuJsBackend = {
    name,
    requestedMode: mode,
    get mode() { return CLASS_TO_MODE[device.kernelClass] ?? device.kernelClass; },
    get kernelClass() { return device.kernelClass; },
    get adapter() { return device.adapter; },
    get compiledKernels() { return device.compiledKernels; },
    fromTypedArray: (data, dtype) => kernels.fromTypedArray(data, dtype),
    read: (x) => kernels.read(x),
    full: (size, value, dtype) => kernels.full(size, value, dtype),
    unary: (op, x) => kernels.unary(op, x),
    binary: (op, a, b, outDtype) => kernels.binary(op, a, b, outDtype),
    where: (cond, a, b) => kernels.where(cond, a, b),
    reduce: (op, x, axes) => kernels.reduce(op, x, axes),
    argReduce: (op, x, axis) => kernels.argReduce(op, x, axis),
    matmul: (a, b) => kernels.matmul(a, b),
    contiguous: (x) => kernels.contiguous(x),
    cast: (x, dtype) => kernels.cast(x, dtype),
    scatterView: (size, target, src) => kernels.scatterView(size, target, src),
    concat: (xs, axis) => kernels.concat(xs, axis),
    pad: (x, pads, value) => kernels.pad(x, pads, value),
    gather: (x, axis, index) => kernels.gather(x, axis, index),
    scatterAdd: (x, axis, index, src) => kernels.scatterAdd(x, axis, index, src),
    topkIndices: (x, k, largest) => kernels.topkIndices(x, k, largest),
    softmax: { forward: (x) => kernels.softmax(x), backward: (y, dy) => kernels.softmaxGrad(y, dy) },
    dispose: (storage) => kernels.dispose(storage),
    // A storage taken by assign() belongs to a long-lived tensor (a parameter, a moment): scopes keep it.
    adopt: (storage) => pool.keep([storage]),
    memory: () => pool.report(),
    stats: () => structuredClone(kernels.stats),
    tidy,
    keep: (value) => {
      pool.keep(storagesIn(value));
      return value;
    },
    destroy: () => {
      pool.disposeAll();
      return device.destroy();
    },
  };
  return backend;
}

/** Live buffers and bytes of a gpujs backend. @example memory(gpu).liveBuffers */
export function memory(backend: GpuJsBackend): MemoryReport {
  return backend.memory();
}

/** Keeps the storages of tensors made inside tidy scopes alive past the scopes' ends. */
export function keep<T>(backend: GpuJsBackend, value: T): T {
  return backend.keep(value);
}
