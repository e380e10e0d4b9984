// The worker behind SyncWebGpuDevice: gpu.js's webgpu mode returns Promises (WebGPU has no synchronous
// readback), so its kernels run here, one request at a time, while the caller's thread waits on a flag.
import { workerData, type MessagePort } from 'node:worker_threads';
import { GPU } from 'gpu.js';
import type { KernelSpec } from './kernels.js';
import type { WorkerArgument, WorkerData, WorkerReply, WorkerRequest } from './webgpu-protocol.js';

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

/** Dawn in Node: the OpenGL ES backend at compatibility level (Mesa's Vulkan is rejected on these machines). */
async function installNavigatorGpu(): Promise<void> {
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpuApi = create(['backend=opengles']);
  const requestAdapter = gpuApi.requestAdapter.bind(gpuApi);
  (gpuApi as { requestAdapter: unknown }).requestAdapter = (options?: object) => requestAdapter({ ...options, featureLevel: 'compatibility' } as never);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpuApi }, configurable: true });
  const adapter = await gpuApi.requestAdapter();
  if (!adapter) throw new Error('Dawn returned no WebGPU adapter (OpenGL ES backend, compatibility level)');
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
      await installNavigatorGpu();
      gpu = new GPU({ mode: 'webgpu' });
      return { ok: true };
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
      const device = [...kernels.values()].map((k) => (k.kernel as { _device?: { queue: { onSubmittedWorkDone(): Promise<void> } } })._device).find(Boolean);
      for (const result of handles.values()) result.delete();
      handles.clear();
      // NOTE: buffers only. gpu.destroy() loses the Dawn device, and Dawn then throws from a callback
      // that Node turns into a fatal error (seen in about half the runs); the worker's end frees the rest.
      kernels.clear();
      gpu = null;
      // Leave Dawn idle, so that the process can end without a callback still in flight.
      await device?.queue.onSubmittedWorkDone();
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { ok: true };
    }
  }
}

// Requests are handled strictly in order: a run may use the result of the run before it.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: { request: WorkerRequest; reply: boolean }) => {
  queue = queue.then(async () => {
    let reply: WorkerReply;
    try {
      reply = await handle(message.request);
    } catch (error) {
      reply = { ok: false, error: (error as Error).stack ?? String(error) };
    }
    if (!message.reply) {
      if (!reply.ok) pendingError ??= reply.error;
      return;
    }
    if (reply.ok && pendingError !== null) {
      reply = { ok: false, error: `an earlier request failed: ${pendingError}` };
      pendingError = null;
    }
    port.postMessage(reply);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  });
});
