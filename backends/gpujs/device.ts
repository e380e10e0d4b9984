// The device: compiles kernel specs with gpu.js (loaded by gpujs-package.ts), runs them
// with pipeline outputs kept on the device, and reads them back on request.
import { GPU } from './gpujs-package.js';
import type { DeviceArray } from './memory.js';
import type { KernelSpec } from './kernels.js';
import { FLOAT_INDEX_LIMIT } from './layout.js';

import type { GpuJsMode } from './modes.js';

export { GPUJS_MODES, type GpuJsMode } from './modes.js';

/** The gpu.js kernel class each explicit mode must produce; 'gpu' accepts whichever gpu.js picks. */
export const KERNEL_CLASS: Record<Exclude<GpuJsMode, 'gpu'>, string> = {
  cpu: 'CPUKernel',
  webasm: 'WebAssemblyKernel',
  headlessgl: 'HeadlessGLKernel',
  webgl: 'WebGLKernel',
  webgl2: 'WebGL2Kernel',
  webgpu: 'WebGPUKernel',
};

export type KernelArgument = DeviceArray | number;

/** What the backend needs from a device. Everything is synchronous. */
export interface Device {
  /** The gpu.js kernel class that ran the first kernel (e.g. 'HeadlessGLKernel'). */
  readonly kernelClass: string;
  /** What runs the kernels, as the driver names it (e.g. 'NVIDIA … (vulkan)', a GL renderer, 'host CPU'). */
  readonly adapter: string;
  /** Output elements one kernel call may write; larger outputs are split into chunks. */
  readonly maxOutputElements: number;
  run(spec: KernelSpec, outputSize: number, args: readonly KernelArgument[]): DeviceArray;
  /** A device copy of host float32 data. */
  upload(data: Float32Array): DeviceArray;
  download(array: DeviceArray, size: number): Float32Array;
  release(array: DeviceArray): void;
  /** Number of compiled kernels (for tests of the cache). */
  readonly compiledKernels: number;
  /** Releases everything; resolves when the device is shut down. */
  destroy(): Promise<void>;
}

type Kernel = ((...args: unknown[]) => unknown) & { kernel: { constructor: { name: string } }; destroy(): void };

interface DeviceTexture { toArray(): ArrayLike<number>; delete(): void }


/** gpu.js in this process: cpu, webasm and headlessgl (webgpu needs async calls: see sync-webgpu.ts). */
export class InProcessDevice implements Device {
  private readonly gpu: InstanceType<typeof GPU>;
  private readonly kernels = new Map<string, Kernel>();
  kernelClass = '';
  adapter = 'host CPU';
  readonly maxOutputElements: number;

  constructor(private readonly mode: Exclude<GpuJsMode, 'webgpu'>, maxOutputElements?: number) {
    this.maxOutputElements = Math.min(maxOutputElements ?? FLOAT_INDEX_LIMIT, FLOAT_INDEX_LIMIT);
    try {
      this.gpu = new GPU({ mode });
      // One tiny kernel at construction, so the mode gpu.js really picked is known (and checked) up front.
      this.download(this.run(fillSpec, 1, [0, 0]), 1);
      this.adapter = glRenderer(this.kernels.values().next().value) ?? this.adapter;
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith('createGpuJsBackend')) throw error;
      throw new Error(`createGpuJsBackend: mode '${mode}' is unavailable (gpu.js: ${message}); ${modeHint(mode)}`);
    }
  }

  get compiledKernels(): number { return this.kernels.size; }

  private kernelFor(spec: KernelSpec, outputSize: number): Kernel {
    const key = `${spec.key}|${outputSize}`;
    let kernel = this.kernels.get(key);
    if (!kernel) {
      const argumentTypes = Object.fromEntries(spec.argumentNames.map((name, k) => [name, spec.argumentTypes[k]]));
      kernel = this.gpu.createKernel(spec.source, {
        output: [outputSize],
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        dynamicArguments: true,
        argumentTypes,
      } as never) as unknown as Kernel;
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  run(spec: KernelSpec, outputSize: number, args: readonly KernelArgument[]): DeviceArray {
    const kernel = this.kernelFor(spec, outputSize);
    const result = kernel(...args);
    this.checkKernelClass(kernel.kernel.constructor.name, spec);
    return result;
  }

  private checkKernelClass(name: string, spec: KernelSpec): void {
    if (this.kernelClass === '') this.kernelClass = name;
    // 'gpu' lets gpu.js choose per kernel; an explicit mode must be the one that ran.
    const expected = this.mode === 'gpu' ? name : KERNEL_CLASS[this.mode];
    if (name !== expected) {
      throw new Error(`createGpuJsBackend: mode '${this.mode}' was requested but gpu.js ran ${name} (expected ${expected}) for kernel ${spec.key.slice(0, 80)}; ${modeHint(this.mode)}`);
    }
  }

  upload(data: Float32Array): DeviceArray {
    // cpu and webasm read typed arrays directly; GL modes get a texture, so later kernels do not re-upload it.
    if (this.kernelClass === 'CPUKernel' || this.kernelClass === 'WebAssemblyKernel') return data;
    // Past the chunk limit the array is passed as it is (gpu.js uploads it per call).
    if (data.length > this.maxOutputElements) return data;
    return this.run(uploadSpec, data.length, [data, 0]);
  }

  download(array: DeviceArray, size: number): Float32Array {
    if (array instanceof Float32Array) return array;
    const values = (array as DeviceTexture).toArray();
    return values instanceof Float32Array && values.length === size ? values : Float32Array.from(Array.prototype.slice.call(values, 0, size));
  }

  release(array: DeviceArray): void {
    if (array !== null && typeof array === 'object' && 'delete' in array) (array as DeviceTexture).delete();
  }

  async destroy(): Promise<void> {
    this.kernels.clear();
    // gpu.destroy() destroys every kernel it made and resolves when their work is done.
    await this.gpu.destroy();
  }
}

/** The GL renderer behind a GL kernel (unmasked where the driver allows), or undefined for cpu and webasm. */
function glRenderer(kernel: Kernel | undefined): string | undefined {
  const gl = (kernel?.kernel as { context?: WebGLRenderingContext } | undefined)?.context;
  if (!gl || typeof gl.getParameter !== 'function') return undefined;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** A page has a DOM; Node (where headless-gl and xvfb-run apply) has none. */
const inPage = () => typeof (globalThis as { document?: unknown }).document !== 'undefined';

/** What to try when a mode cannot start, for where the code runs (a page or Node). */
function modeHint(mode: Exclude<GpuJsMode, 'webgpu'>): string {
  const page = inPage();
  switch (mode) {
    case 'gpu': return 'no mode was forced';
    case 'cpu': return 'the cpu mode should run everywhere';
    case 'webasm': return 'WebAssembly (with SIMD) is needed';
    case 'headlessgl': return page
      ? "headless-gl is Node's GL (the 'gl' package); in a page use mode 'webgl2' or 'webgl'"
      : "headless-gl needs the 'gl' package built and an X display: run under xvfb-run -a";
    case 'webgl':
    case 'webgl2': return page
      ? `the browser offers no ${mode === 'webgl2' ? 'WebGL2' : 'WebGL'} context here (hardware acceleration off, or blocked); use mode 'cpu' or 'webasm'`
      : `${mode} is a browser's GL; in Node use mode 'headlessgl' (under xvfb-run -a) or 'webgpu'`;
  }
}

const fillSpec: KernelSpec = {
  key: 'fill|probe',
  source: 'function(value, chunkStart) {\n  return value + (this.thread.x + chunkStart) * 0.0;\n}',
  argumentNames: ['value', 'chunkStart'],
  argumentTypes: ['Float', 'Float'],
};

const uploadSpec: KernelSpec = {
  key: 'upload',
  source: 'function(x, chunkStart) {\n  return x[this.thread.x + chunkStart];\n}',
  argumentNames: ['x', 'chunkStart'],
  argumentTypes: ['Array', 'Float'],
};
