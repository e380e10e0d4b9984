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

/** What crosses the port: requests that want an answer carry an id, and the answer carries it back. */
export interface WorkerMessage {
  request: WorkerRequest;
  /** The request's id when the caller waits for the reply; null when it does not. */
  replyId: number | null;
}

/** A reply with the id of the request it answers (none when the worker failed to start at all). */
export type IdentifiedReply = WorkerReply & { replyId?: number };

export interface WorkerData {
  /** Int32 flag the worker sets to 1 (and notifies) when a reply is on the port. */
  signal: SharedArrayBuffer;
  port: import("node:worker_threads").MessagePort;
}
