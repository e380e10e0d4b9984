// The worker behind SyncWebGpuDevice: gpu.js's webgpu mode returns Promises (WebGPU has no synchronous
// readback), so its kernels run here, one request at a time, while the caller's thread waits on a flag.
import { workerData } from 'node:worker_threads';
import { GPU } from './gpujs-package.js';
import type { KernelSpec } from './kernels.js';
import type { IdentifiedReply, WorkerArgument, WorkerData, WorkerMessage, WorkerReply, WorkerRequest } from './webgpu-protocol.js';

const { signal, port } = workerData as WorkerData;
const flag = new Int32Array(signal);

type AsyncKernel = ((...args: unknown[]) => Promise<unknown>) & { kernel: { constructor: { name: string } }; destroy(): void };
interface BufferResult { toArray(): Promise<Float32Array>; delete(): void }

let gpu: InstanceType<typeof GPU> | null = null;
const specs = new Map<string, KernelSpec>();
const kernels = new Map<string, AsyncKernel>();
const handles = new Map<number, BufferResult>();
/** An error from a request nobody waited for; reported with the next reply. */
let pendingError: string | null = null;

/**
 * Dawn in Node: its default adapter (Vulkan on a GPU machine) when there is one, else the OpenGL ES
 * backend at compatibility level (Mesa's Vulkan is rejected on machines without a GPU, and Dawn then
 * returns no default adapter). Returns a description of the adapter, e.g. "nvidia … (vulkan)".
 */
async function installNavigatorGpu(): Promise<string> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const { create, globals } = await import('webgpu').catch((error: { code?: string }) => {
    // Dawn for Node is an optional peer dependency of lsgrad, needed by this mode only.
    if (error.code === 'ERR_MODULE_NOT_FOUND') throw new Error("mode 'webgpu' needs the webgpu package (Dawn for Node): npm install webgpu", { cause: error });
    throw error;
  });
  Object.assign(globalThis, globals);
  const choices: { flags: string[]; options: object }[] = [
    { flags: [], options: { powerPreference: 'high-performance' } },
    { flags: ['backend=opengles'], options: { featureLevel: 'compatibility' } },
  ];
  for (const { flags, options } of choices) {
    const gpuApi = create(flags);
    const adapter = await gpuApi.requestAdapter(options as never);
    if (!adapter) continue;
    // gpu.js asks for its own adapter: make it get this one.
    const requestAdapter = gpuApi.requestAdapter.bind(gpuApi);
    (gpuApi as { requestAdapter: unknown }).requestAdapter = (more?: object) => requestAdapter({ ...more, ...options } as never);
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpuApi }, configurable: true });
    return describeAdapter(adapter.info, flags);
  }
  throw new Error('Dawn returned no WebGPU adapter (neither its default nor the OpenGL ES backend at compatibility level)');
}

/** e.g. "nvidia nvidia-h100-80gb-hbm3 (NVIDIA: 580.159.04 …), Dawn's default backend". */
function describeAdapter(info: GPUAdapterInfo, flags: string[]): string {
  const { vendor, architecture, device, description } = info;
  const name = [vendor, architecture, device].filter(Boolean).join(' ');
  const detail = name && description ? `${name} (${description})` : name || description;
  return `${detail}, Dawn's ${flags.length > 0 ? 'OpenGL ES backend' : 'default backend'}`;
}

function kernelFor(key: string, outputSize: number): AsyncKernel {
  const cacheKey = `${key}|${outputSize}`;
  let kernel = kernels.get(cacheKey);
  if (!kernel) {
    const spec = specs.get(key);
    if (!spec) throw new Error(`webgpu worker: kernel ${key.slice(0, 80)} was never compiled`);
    const argumentTypes = Object.fromEntries(spec.argumentNames.map((name, k) => [name, spec.argumentTypes[k]]));
    kernel = gpu!.createKernel(spec.source, {
      output: [outputSize], pipeline: true, immutable: true, precision: 'single', dynamicArguments: true, argumentTypes,
    } as never) as unknown as AsyncKernel;
    kernels.set(cacheKey, kernel);
  }
  return kernel;
}

function resolveArgument(arg: WorkerArgument): unknown {
  if (typeof arg === 'object' && arg !== null && 'workerHandle' in arg) {
    const handle = handles.get(arg.workerHandle);
    if (!handle) throw new Error(`webgpu worker: device array ${arg.workerHandle} was released or never made`);
    return handle;
  }
  return arg;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.type) {
    case 'init': {
      const adapter = await installNavigatorGpu();
      gpu = new GPU({ mode: 'webgpu' });
      return { ok: true, adapter };
    }
    case 'compile':
      specs.set(request.spec.key, request.spec);
      return { ok: true };
    case 'run': {
      const kernel = kernelFor(request.key, request.outputSize);
      const result = (await kernel(...request.args.map(resolveArgument))) as BufferResult;
      handles.set(request.result, result);
      return { ok: true, kernelClass: kernel.kernel.constructor.name };
    }
    case 'upload': {
      const kernel = kernelFor('upload', request.data.length);
      handles.set(request.result, (await kernel(request.data, 0)) as BufferResult);
      return { ok: true };
    }
    case 'download': {
      const result = handles.get(request.handle);
      if (!result) throw new Error(`webgpu worker: device array ${request.handle} was released or never made`);
      return { ok: true, data: await result.toArray() };
    }
    case 'release':
      handles.get(request.handle)?.delete();
      handles.delete(request.handle);
      return { ok: true };
    case 'destroy': {
      const device = [...kernels.values()].map((k) => (k.kernel as { _device?: GPUDevice })._device).find(Boolean);
      for (const result of handles.values()) result.delete();
      handles.clear();
      kernels.clear();
      gpu = null;
      // NOTE: the device is destroyed here, and its 'lost' promise awaited, while the worker is alive. Left to
      // the worker's end, Dawn loses it during teardown and throws from the lost callback, which Node turns
      // into a fatal error (here, every time the worker ended with the device alive).
      if (device) {
        await device.queue.onSubmittedWorkDone();
        device.destroy();
        // The timer is unref'd: once the device is lost nothing else keeps the worker alive.
        await Promise.race([device.lost, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
      return { ok: true };
    }
  }
}

// Requests are handled strictly in order: a run may use the result of the run before it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: WorkerMessage) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(message.request);
    } catch (error) {
      reply = { ok: false, error: (error as Error).stack ?? String(error) };
    }
    if (message.replyId === null) {
      if (!reply.ok) pendingError ??= reply.error;
      return;
    }
    if (reply.ok && pendingError !== null) {
      reply = { ok: false, error: `an earlier request failed: ${pendingError}` };
      pendingError = null;
    }
    port.postMessage({ ...reply, replyId: message.replyId } satisfies IdentifiedReply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    // NOTE: after 'destroy' the worker ends by itself once Dawn has nothing in flight. Terminating it
    // instead can interrupt Dawn's event processing, which Node turns into a fatal error (seen with
    // Vulkan on an H100).
    if (message.request.type === 'destroy') port.close();
  });
});
