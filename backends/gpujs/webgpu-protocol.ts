// Messages between SyncWebGpuDevice (caller's thread) and webgpu-worker.ts (where gpu.js's async WebGPU calls run).
import type { KernelSpec } from './kernels.js';

/** A device array that lives in the worker, named by an id the caller's thread allocates. */
export interface WorkerHandle {
  readonly workerHandle: number;
}

export type WorkerArgument = number | WorkerHandle | Float32Array;

export type WorkerRequest =
  | { type: 'init'; maxOutputElements: number }
  | { type: 'compile'; spec: KernelSpec }
  | { type: 'run'; key: string; outputSize: number; args: WorkerArgument[]; result: number; reply: boolean }
  | { type: 'upload'; data: Float32Array; result: number }
  | { type: 'download'; handle: number }
  | { type: 'release'; handle: number }
  | { type: 'destroy' };

export type WorkerReply =
  | { ok: true; kernelClass?: string; data?: Float32Array; adapter?: string }
  | { ok: false; error: string };

export interface WorkerData {
  /** Int32 flag the worker sets to 1 (and notifies) when a reply is on the port. */
  signal: SharedArrayBuffer;
  port: import("node:worker_threads").MessagePort;
}
