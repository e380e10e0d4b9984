// One helper thread for large matmuls and the fused block attention: the machine has two cores,
// and the main thread takes the other half of the work. Synchronous to the caller: the main thread
// blocks on Atomics.wait.
// Where worker_threads or SharedArrayBuffer are missing (browsers without isolation), matmul
// simply runs on the calling thread.
import { multiplyUnits } from './matmul-tiles.js';
import { HELPER_SCRATCH, loadWasmKernel, MAIN_SCRATCH, retireWasmKernel, type WasmKernel, type WasmLayout } from './wasm/kernel.js';
import type { BlockAttentionHalf } from './wasm/block-attention-wasm.js';

type WorkerThreads = typeof import('node:worker_threads');
type Floats = Float32Array | Float64Array;

interface Units { M: number; N: number; K: number; unitStart: number; unitEnd: number }
/** A product for the JS kernel: packed arrays (in shared memory when there is a helper). */
export interface JsUnitJob extends Units {
  kind: 'js'; packedA: Floats; packedB: Floats; out: Floats | Int32Array; batchStrideB: number;
}
/** A product for the wasm kernel: where its operands lie in the kernel's shared memory. */
export interface WasmUnitJob extends Units {
  kind: 'wasm'; kernel: WasmKernel; layout: WasmLayout;
}
export type UnitJob = JsUnitJob | WasmUnitJob;
type HelperJob = UnitJob | BlockAttentionHalf;

// The hand-off uses two counters in shared memory, never a flag that is reset: slot POSTED holds
// the number of the latest job, slot FINISHED the number of the latest job the helper finished
// (negated when it failed). Each side sleeps until the other's counter moves, so a wake-up meant
// for an earlier job, or one that arrives before the sleep starts, cannot be mistaken for a new one.
// NOTE: an earlier version with one IDLE/WORK/DONE flag hung: the main thread's "back to idle"
// notify could wake the helper already waiting for the next job, which then found no message.
const POSTED = 0, FINISHED = 1;

// The worker runs the JS kernel's own source text, so there is no second file to resolve or bundle;
// for the wasm kernel it instantiates the main thread's compiled module over the same shared memory.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const multiplyUnits = (${multiplyUnits.toString()});
const counters = new Int32Array(workerData.counters);
let wasmMultiplyUnits = null;
let blockAttention = null, blockAttentionVersion = -1;
let seen = 0;
for (;;) {
  while (Atomics.load(counters, ${POSTED}) === seen) Atomics.wait(counters, ${POSTED}, seen);
  seen = Atomics.load(counters, ${POSTED});
  let outcome = -seen;
  try {
    const received = receiveMessageOnPort(workerData.port);
    if (received) {
      const job = received.message;
      if (job.kind === 'blockAttention') {
        if (job.version !== blockAttentionVersion) {
          blockAttention = new WebAssembly.Instance(job.module, { env: { memory: job.memory } }).exports;
          blockAttentionVersion = job.version;
        }
        blockAttention[job.entry](...job.args);
      } else if (job.kind === 'wasm') {
        // Instantiated on first use, inside the try: should it fail, the main thread recomputes.
        wasmMultiplyUnits ??= new WebAssembly.Instance(workerData.wasm.module, { env: { memory: workerData.wasm.memory } }).exports.multiplyUnits;
        const l = job.layout;
        wasmMultiplyUnits(l.a, l.aRowBytes, l.aDepthBytes, l.aPanelBytes, l.aBatchBytes, l.b, l.bDepthBytes, l.bPanelBytes, l.bBatchBytes,
          l.out, ${HELPER_SCRATCH}, job.M, job.N, job.K, job.unitStart, job.unitEnd);
      } else {
        multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, job.unitEnd);
      }
      outcome = seen;
    }
  } catch (error) {}
  Atomics.store(counters, ${FINISHED}, outcome);
  Atomics.notify(counters, ${FINISHED});
}`;

interface Pool { counters: Int32Array; port: import('node:worker_threads').MessagePort; jobs: number }

let pool: Pool | null | undefined;

/** A Node builtin without a static import, so that browser bundles of the engine still load. */
function builtin<T>(name: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule;
  return typeof get === 'function' ? (get(name) as T | undefined) : undefined;
}

function startPool(): Pool | null {
  const threads = builtin<WorkerThreads>('node:worker_threads');
  const cores = builtin<typeof import('node:os')>('node:os')?.availableParallelism() ?? 1;
  if (!threads || typeof SharedArrayBuffer === 'undefined' || cores < 2 || process.env.LSGRAD_THREADS === '1') return null;
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new threads.MessageChannel();
  const kernel = loadWasmKernel();
  const wasm = kernel && { module: kernel.module, memory: kernel.memory };
  // NOTE: execArgv is not inherited: the source is CommonJS, and a parent run with
  // --input-type=module (node -e) would make the worker parse it as a module and die.
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { counters: counters.buffer, port: port2, wasm }, transferList: [port2] });
  const started: Pool = { counters, port: port1, jobs: 0 };
  // A helper that dies stops being used (unhandled, its error would end the whole process).
  worker.on('error', () => { if (pool === started) pool = null; });
  worker.unref();
  port1.unref();
  return started;
}

const KINDS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
type KindName = keyof typeof KINDS;

/** Memory the helper thread can see (plain memory when there is no pool). */
export function sharedArray<D extends KindName>(kind: D, length: number): InstanceType<(typeof KINDS)[D]> {
  const Kind = KINDS[kind];
  const buffer = getPool() === null ? new ArrayBuffer(length * Kind.BYTES_PER_ELEMENT) : new SharedArrayBuffer(length * Kind.BYTES_PER_ELEMENT);
  return new (Kind as unknown as new (b: ArrayBufferLike) => InstanceType<(typeof KINDS)[D]>)(buffer);
}

function getPool(): Pool | null {
  if (pool === undefined) pool = startPool();
  return pool;
}

/** Work below this many multiply-adds is not worth a hand-off (~30 µs each way). */
const PARALLEL_THRESHOLD = 1 << 20;
const HELPER_TIMEOUT_MS = 60_000;

const helperHalves = { completed: 0, recomputed: 0 };

/** How many halves the helper thread computed, and how many were recomputed here after it failed. */
export function helperStats(): { completed: number; recomputed: number } {
  return { ...helperHalves };
}

/** Units [unitStart, unitEnd) of the job on the calling thread. */
function runHere(job: UnitJob, unitStart: number, unitEnd: number): void {
  if (job.kind === 'wasm') {
    const l = job.layout;
    job.kernel.multiplyUnits(l.a, l.aRowBytes, l.aDepthBytes, l.aPanelBytes, l.aBatchBytes, l.b, l.bDepthBytes, l.bPanelBytes, l.bBatchBytes,
      l.out, MAIN_SCRATCH, job.M, job.N, job.K, unitStart, unitEnd);
  } else {
    multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, unitStart, unitEnd);
  }
}

/** Whether there is a helper thread (none in browsers without isolation, or with LSGRAD_THREADS=1). */
export function helperAvailable(): boolean {
  return getPool() !== null;
}

/**
 * Runs `helperHalf` on the helper thread while `hereHalf` runs on this one, and returns once both
 * are done. Should the helper fail, `helperHalfHere` recomputes its half on this thread; should it
 * stay silent past the timeout, `onTimeout` first retires whatever memory it might still write.
 * False, with nothing run, when there is no helper thread.
 */
export function splitWithHelper(helperHalf: HelperJob, hereHalf: () => void, helperHalfHere: () => void, onTimeout?: () => void): boolean {
  const p = getPool();
  if (!p) return false;
  const number = ++p.jobs;
  p.port.postMessage(helperHalf);
  Atomics.store(p.counters, POSTED, number);
  Atomics.notify(p.counters, POSTED);
  hereHalf();
  let helperFailed = false;
  for (let finished = Atomics.load(p.counters, FINISHED); Math.abs(finished) !== number; finished = Atomics.load(p.counters, FINISHED)) {
    // A helper silent for a minute is presumed dead: stop using it rather than wait forever.
    if (Atomics.wait(p.counters, FINISHED, finished, HELPER_TIMEOUT_MS) === 'timed-out') {
      pool = null;
      helperFailed = true;
      onTimeout?.();
      break;
    }
  }
  // NOTE: should the helper ever fail, its half is recomputed here rather than lost.
  if (helperFailed || Atomics.load(p.counters, FINISHED) < 0) {
    helperHalves.recomputed++;
    helperHalfHere();
  } else {
    helperHalves.completed++;
  }
  return true;
}

/** Runs all units of the job, splitting them with the helper thread when that pays. */
export function runUnits(job: UnitJob): void {
  const units = job.unitEnd - job.unitStart;
  const middle = job.unitStart + Math.floor(units / 2);
  // The kernel object stays here: the helper has its own instance over the same memory.
  const helperHalf = job.kind === 'wasm' ? { ...job, kernel: undefined as never, unitEnd: middle } : { ...job, unitEnd: middle };
  // It may yet wake and write its half into the wasm memory: later products get a fresh one.
  const onTimeout = job.kind === 'wasm' ? retireWasmKernel : undefined;
  const split = units >= 2 && units * 4 * job.N * job.K >= PARALLEL_THRESHOLD
    && splitWithHelper(helperHalf, () => runHere(job, middle, job.unitEnd), () => runHere(job, job.unitStart, middle), onTimeout);
  if (!split) runHere(job, job.unitStart, job.unitEnd);
}
