// gpu.js's webgpu mode behind the synchronous Device interface. Its kernels return Promises, so they
// run in a worker thread; this side posts requests and, when it needs an answer (a new kernel, a read),
// blocks on a shared flag and takes the reply with receiveMessageOnPort. Runs of an already compiled
// kernel and releases are posted without waiting; the worker keeps them in order.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Device, KernelArgument } from './device.js';
import type { KernelSpec } from './kernels.js';
import { FLOAT_INDEX_LIMIT } from './layout.js';
import type { DeviceArray } from './memory.js';
import type { IdentifiedReply, WorkerArgument, WorkerHandle, WorkerMessage, WorkerReply, WorkerRequest } from './webgpu-protocol.js';

const REPLY_TIMEOUT_MS = 5 * 60_000;
const WAIT_SLICE_MS = 50;
const WORKER_EXIT_MS = 5_000;
const EXIT_SHUTDOWN_MS = 10_000;

const uploadSpec: KernelSpec = {
  key: 'upload',
  source: 'function(x, chunkStart) {\n  return x[this.thread.x + chunkStart];\n}',
  argumentNames: ['x', 'chunkStart'],
  argumentTypes: ['Array', 'Float'],
};

const isHandle = (value: unknown): value is WorkerHandle => typeof value === 'object' && value !== null && 'workerHandle' in value;

/** One worker (one Dawn instance) per process, shared by every webgpu backend in it (exported for its tests). */
export class WorkerConnection {
  readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  readonly compiled = new Set<string>();
  readonly ran = new Set<string>();
  nextHandle = 1;
  private nextRequestId = 1;
  users = 0;
  /** Dawn's adapter, as the init reply described it. */
  adapter = '';
  private shutDownStarted = false;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(workerBootstrap(), { eval: true, workerData: { signal: this.flag.buffer, port: port2 }, transferList: [port2] });
    this.worker.unref();
    // A process that exits with Dawn's device alive (process.exit(), or a script that never called
    // destroy()) tears Dawn down mid-flight, which aborts it; shut the device down first, synchronously.
    process.once('exit', this.shutDownOnExit);
  }

  private readonly shutDownOnExit = (): void => {
    try {
      this.shutDown(EXIT_SHUTDOWN_MS);
    } catch {
      // The process is ending either way.
    }
  };

  /** Destroys Dawn's device in the worker (once), after which the worker ends by itself. */
  shutDown(timeoutMs = REPLY_TIMEOUT_MS): void {
    if (this.shutDownStarted) return;
    this.shutDownStarted = true;
    process.off('exit', this.shutDownOnExit);
    this.request({ type: 'destroy' }, timeoutMs);
  }

  /**
   * Posts a request and blocks until the reply with its id arrives. Replies to earlier requests that gave up
   * waiting (timed out or failed on this side) may still be queued: they are read past, never taken for this one.
   */
  request(request: WorkerRequest, timeoutMs = REPLY_TIMEOUT_MS): WorkerReply & { ok: true } {
    const replyId = this.nextRequestId++;
    this.port.postMessage({ request, replyId } satisfies WorkerMessage);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // NOTE: the flag is cleared before the queue is read; the worker posts a reply before setting it, so a
      // reply that lands between the read and the wait leaves the flag set and the wait returns at once.
      Atomics.store(this.flag, 0, 0);
      const message = receiveMessageOnPort(this.port)?.message as IdentifiedReply | undefined;
      if (message === undefined) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`gpujs webgpu: no reply to '${request.type}' from the worker within ${timeoutMs} ms`);
        // Waits in slices, so a reply is read even if it became visible only after its flag was cleared.
        Atomics.wait(this.flag, 0, 0, Math.min(left, WAIT_SLICE_MS));
        continue;
      }
      // A reply without an id is the bootstrap's report that the worker never started: it answers everyone.
      if (message.replyId !== undefined && message.replyId !== replyId) continue;
      if (!message.ok) throw new Error(`gpujs webgpu: '${request.type}' failed in the worker: ${message.error}`);
      return message;
    }
  }

  post(request: WorkerRequest): void {
    this.port.postMessage({ request, replyId: null } satisfies WorkerMessage);
  }
}

// NOTE: a second Dawn instance in a second worker, or one torn down while another runs, sometimes
// aborts the process (a fatal napi_throw from Dawn's event processing); so the process keeps one.
let shared: WorkerConnection | null = null;

export class SyncWebGpuDevice implements Device {
  kernelClass = '';
  adapter = '';
  readonly maxOutputElements: number;
  private readonly connection: WorkerConnection;
  private readonly owned = new Set<number>();
  private destroyed = false;

  constructor(maxOutputElements?: number) {
    this.maxOutputElements = Math.min(maxOutputElements ?? FLOAT_INDEX_LIMIT, FLOAT_INDEX_LIMIT);
    const fresh = shared === null;
    this.connection = shared ??= new WorkerConnection();
    this.connection.users++;
    try {
      if (fresh) this.connection.adapter = this.connection.request({ type: 'init', maxOutputElements: FLOAT_INDEX_LIMIT }).adapter ?? '';
      this.adapter = this.connection.adapter;
      // One kernel up front, so the class gpu.js really used is known (and checked) at construction.
      this.download(this.upload(new Float32Array([0])), 1);
    } catch (error) {
      void this.destroy();
      throw new Error(`createGpuJsBackend: mode 'webgpu' is unavailable: ${(error as Error).message}`);
    }
  }

  get compiledKernels(): number { return this.connection.ran.size; }

  private compile(spec: KernelSpec): void {
    if (this.connection.compiled.has(spec.key)) return;
    this.connection.request({ type: 'compile', spec });
    this.connection.compiled.add(spec.key);
  }

  private checkClass(kernelClass: string | undefined, spec: KernelSpec): void {
    if (this.kernelClass === '') this.kernelClass = kernelClass ?? '';
    if (kernelClass !== 'WebGPUKernel') {
      const ran = kernelClass === undefined ? 'a kernel whose class the worker did not report' : kernelClass;
      throw new Error(`createGpuJsBackend: mode 'webgpu' was requested but gpu.js ran ${ran} for kernel ${spec.key.slice(0, 80)}`);
    }
  }

  run(spec: KernelSpec, outputSize: number, args: readonly KernelArgument[]): DeviceArray {
    if (this.destroyed) throw new Error('gpujs webgpu: the backend was destroyed');
    this.compile(spec);
    const result = this.connection.nextHandle++;
    const workerArgs = args.map((arg): WorkerArgument => (typeof arg === 'number' || arg instanceof Float32Array || isHandle(arg) ? arg : fail(arg)));
    const runKey = `${spec.key}|${outputSize}`;
    const request: WorkerRequest = { type: 'run', key: spec.key, outputSize, args: workerArgs, result, reply: true };
    if (this.connection.ran.has(runKey) && this.kernelClass !== '') {
      this.connection.post(request);
    } else {
      // A kernel's first run waits: it compiles (and may fail) in the worker.
      this.checkClass(this.connection.request(request).kernelClass, spec);
      this.connection.ran.add(runKey);
    }
    this.owned.add(result);
    return { workerHandle: result } satisfies WorkerHandle;
  }

  upload(data: Float32Array): DeviceArray {
    return this.run(uploadSpec, data.length, [data, 0]);
  }

  download(array: DeviceArray, size: number): Float32Array {
    if (array instanceof Float32Array) return array;
    const data = this.connection.request({ type: 'download', handle: (array as WorkerHandle).workerHandle }).data!;
    return data.length === size ? data : data.slice(0, size);
  }

  release(array: DeviceArray): void {
    if (!isHandle(array) || !this.owned.delete(array.workerHandle)) return;
    this.connection.post({ type: 'release', handle: array.workerHandle });
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const handle of this.owned) this.connection.post({ type: 'release', handle });
    this.owned.clear();
    if (--this.connection.users > 0) return;
    shared = null;
    const { worker } = this.connection;
    const exited = new Promise<boolean>((resolve) => worker.once('exit', () => resolve(true)));
    try {
      this.connection.shutDown();
    } finally {
      // The worker closes its port and ends by itself; terminate it only if it has not within a few seconds.
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), WORKER_EXIT_MS));
      if (!(await Promise.race([exited, timeout]))) await worker.terminate();
    }
  }
}

/**
 * The worker's entry: loads webgpu-worker (through tsx's loader when running from TypeScript sources,
 * since Node 20 workers do not inherit it), and reports a failure to load as a reply, because the caller's
 * thread is blocked waiting for one and cannot hear the worker's 'error' event.
 */
function workerBootstrap(): string {
  const self = new URL(import.meta.url);
  const fromSources = self.pathname.endsWith('.ts');
  const entry = new URL(fromSources ? './webgpu-worker.ts' : './webgpu-worker.js', self).href;
  const register = fromSources ? `const tsx = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); tsx.register();` : '';
  return `
const { workerData } = require('node:worker_threads');
(async () => { ${register} await import(${JSON.stringify(entry)}); })().catch((error) => {
  workerData.port.postMessage({ ok: false, error: 'the webgpu worker failed to start: ' + (error && error.stack || error) });
  const flag = new Int32Array(workerData.signal);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});`;
}

function fail(arg: unknown): never {
  throw new TypeError(`gpujs webgpu: kernel argument ${String(arg)} is neither a number, a Float32Array nor a worker device array`);
}
