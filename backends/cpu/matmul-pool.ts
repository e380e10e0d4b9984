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

// The hand-off uses two counters in shared memory, never a flag that is reset: slot POSTED holds
// the number of the latest job, slot FINISHED the number of the latest job the helper finished
// (negated when it failed). Each side sleeps until the other's counter moves, so a wake-up meant
// for an earlier job, or one that arrives before the sleep starts, cannot be mistaken for a new one.
// NOTE: an earlier version with one IDLE/WORK/DONE flag hung: the main thread's "back to idle"
// notify could wake the helper already waiting for the next job, which then found no message.
const POSTED = 0, FINISHED = 1;

// The worker runs the kernel's own source text, so there is no second file to resolve or bundle.
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const multiplyUnits = (${multiplyUnits.toString()});
const counters = new Int32Array(workerData.counters);
let seen = 0;
for (;;) {
  while (Atomics.load(counters, ${POSTED}) === seen) Atomics.wait(counters, ${POSTED}, seen);
  seen = Atomics.load(counters, ${POSTED});
  let outcome = -seen;
  try {
    const received = receiveMessageOnPort(workerData.port);
    if (received) {
      const job = received.message;
      multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, job.unitEnd);
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
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true, workerData: { counters: counters.buffer, port: port2 }, transferList: [port2] });
  worker.unref();
  port1.unref();
  return { counters, port: port1, jobs: 0 };
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

/** Runs all units of the job, splitting them with the helper thread when that pays. */
export function runUnits(job: UnitJob): void {
  const units = job.unitEnd - job.unitStart;
  const p = getPool();
  if (!p || units < 2 || (units * 4 * job.N * job.K) < PARALLEL_THRESHOLD) {
    multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, job.unitEnd);
    return;
  }
  const middle = job.unitStart + Math.floor(units / 2);
  const number = ++p.jobs;
  p.port.postMessage({ ...job, unitEnd: middle });
  Atomics.store(p.counters, POSTED, number);
  Atomics.notify(p.counters, POSTED);
  multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, middle, job.unitEnd);
  let helperFailed = false;
  for (let finished = Atomics.load(p.counters, FINISHED); Math.abs(finished) !== number; finished = Atomics.load(p.counters, FINISHED)) {
    // A helper silent for a minute is presumed dead: stop using it rather than wait forever.
    if (Atomics.wait(p.counters, FINISHED, finished, HELPER_TIMEOUT_MS) === 'timed-out') {
      pool = null;
      helperFailed = true;
      break;
    }
  }
  // NOTE: should the helper ever fail, its half is recomputed here rather than lost.
  if (helperFailed || Atomics.load(p.counters, FINISHED) < 0) {
    multiplyUnits(job.packedA, job.packedB, job.M, job.N, job.K, job.out, job.batchStrideB, job.unitStart, middle);
  }
}
