// One helper thread for large matmuls: the machine has two cores, and the main thread takes the
// other half of the work units. Synchronous to the caller: the main thread blocks on Atomics.wait.
// Where worker_threads or SharedArrayBuffer are missing (browsers without isolation), matmul
// simply runs on the calling thread.
import { multiplyUnits } from './matmul-tiles.js';

type WorkerThreads = typeof import('node:worker_threads');
type Floats = Float32Array | Float64Array;

export interface UnitJob {
  packedA: Floats; packedB: Floats; out: Floats | Int32Array;
  M: number; N: number; K: number; batchStrideB: number; unitStart: number; unitEnd: number;
}

const IDLE = 0, WORK = 1, DONE = 2, FAILED = 3;

// The worker runs the kernel's own source text, so there is no second file to resolve or bundle.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const multiplyUnits = (${multiplyUnits.toString()});
const state = new Int32Array(workerData.state);
for (;;) {
  Atomics.wait(state, 0, ${IDLE});
  const job = receiveMessageOnPort(workerData.port).message;
  try {
    multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, job.unitEnd);
    Atomics.store(state, 0, ${DONE});
  } catch (error) {
    Atomics.store(state, 0, ${FAILED});
  }
  Atomics.notify(state, 0);
  Atomics.wait(state, 0, ${DONE});
  Atomics.wait(state, 0, ${FAILED});
}`;

interface Pool { state: Int32Array; port: import('node:worker_threads').MessagePort }

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
  const state = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new threads.MessageChannel();
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { state: state.buffer, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { state, port: port1 };
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

/** Runs all units of the job, splitting them with the helper thread when that pays. */
export function runUnits(job: UnitJob): void {
  const units = job.unitEnd - job.unitStart;
  const p = getPool();
  if (!p || units < 2 || (units * 4 * job.N * job.K) < PARALLEL_THRESHOLD) {
    multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, job.unitEnd);
    return;
  }
  const middle = job.unitStart + Math.floor(units / 2);
  p.port.postMessage({ ...job, unitEnd: middle });
  Atomics.store(p.state, 0, WORK);
  Atomics.notify(p.state, 0);
  multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, middle, job.unitEnd);
  Atomics.wait(p.state, 0, WORK);
  const result = Atomics.load(p.state, 0);
  Atomics.store(p.state, 0, IDLE);
  Atomics.notify(p.state, 0);
  // NOTE: should the helper ever fail, its half is recomputed here rather than lost.
  if (result === FAILED) multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, middle);
}
