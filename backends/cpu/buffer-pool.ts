// Output buffers for the CPU kernels, reused once the engine proves them unreferenced.
// NOTE: why: on the machine this was measured on, the first touch of a fresh page costs ~15 µs per
// 4 KiB (a page fault), so writing a fresh 2 MiB output took ~7 ms where the same loop into a
// reused buffer took ~1.5 ms. A training step allocates hundreds of such outputs.
//
// A buffer comes back in two ways. `releaseBuffer`, which the engine calls for gradient storage it
// has proven nothing refers to (see engine/storage-release.ts), accepts only buffers this pool handed
// out after the caller's `mark`: never an array a caller gave the backend (fromTypedArray), never
// storage made before the mark (forward activations, parameters). And a memory scope (tidy, see
// backends/cpu/scope.ts) gives back, when it ends, the buffers handed out inside it that its result
// and the values it keeps do not reach and that no assign() adopted: the gpu.js backend's contract,
// which frees such storage for good.
import { allocate, type DType, type TypedArray } from '../../engine/dtype.js';
import { argumentError } from '../../engine/errors.js';

/** Buffers smaller than this are not kept: small allocations come from memory that is already mapped. */
const DEFAULT_MIN_BYTES = 64 * 1024;

/**
 * Most bytes the pool holds by default (LSGRAD_BUFFER_POOL_MIB overrides; 0 turns reuse off): the
 * budget of a thread that computes alone; threads that compute side by side (lsgrad train's
 * replicas) share it, see sharePoolBudget.
 * NOTE: one training step of npm start's model (2 × 4,096 tokens, one thread) reuses ~210 MiB of
 * buffers: with 128 MiB it made 57 new ones a step and took 400 ms, with 256 MiB 9 and 357 ms.
 * 40 steps of npm start (30 short, 10 at 4,096 tokens, two replicas) peaked at 652 MiB and 0.68
 * CPU-s per step with 128 MiB per replica, 743 MiB and 0.72 s with 256, 714 MiB and 1.47 s with none.
 */
const DEFAULT_MAX_BYTES = 256 * 2 ** 20;

const poolMibFromEnvironment = () => (typeof process === 'undefined' ? undefined : process.env?.LSGRAD_BUFFER_POOL_MIB);

function maxBytesFromEnvironment(): number {
  const text = poolMibFromEnvironment();
  if (text === undefined || text === '') return DEFAULT_MAX_BYTES;
  const mib = Number(text);
  if (!Number.isFinite(mib) || mib < 0) throw argumentError('LSGRAD_BUFFER_POOL_MIB', 'value', text, 'a number of MiB, 0 or more');
  return mib * 2 ** 20;
}

let maxBytes = maxBytesFromEnvironment();
let minBytes = DEFAULT_MIN_BYTES;
let poison = typeof process !== 'undefined' && process.env?.LSGRAD_BUFFER_POOL_POISON === '1';
let pooledBytes = 0;
/** Free buffers by dtype and length. */
const free = new Map<string, TypedArray[]>();
/**
 * Buffers now in `free`, oldest first: a second release of one is ignored, so no buffer is handed out
 * twice, and a full pool drops its oldest to take a new one. NOTE: why: kept by exact length, buffers
 * of a shape that stopped occurring (a warm-up's short rows, a batch of another width) would
 * otherwise fill the pool for good; `npm start` then peaked at 1.12 GiB in training instead of 0.56.
 */
const freeInOrder = new Set<TypedArray>();
/** The mark current when the pool handed each live buffer out. */
const handedOutAt = new WeakMap<TypedArray, number>();
let currentMark = 0;
/** The open scopes, innermost last: the buffers handed out while each was the innermost one. */
const scopes: Set<TypedArray>[] = [];

export interface BufferPoolStats {
  /** Bytes held for reuse now. */
  readonly pooledBytes: number;
  /** Requests served from the pool, and requests that made a fresh buffer, since the last reset. */
  readonly reused: number;
  readonly fresh: number;
}
let reused = 0;
let fresh = 0;

const keyOf = (dtype: DType, size: number) => `${dtype}:${size}`;

/** A zero-filled buffer of `size` elements (as `allocate`), reused when one of that dtype and size was released. */
export function newBuffer(dtype: DType, size: number): TypedArray {
  return take(dtype, size, true);
}

/** A buffer of `size` elements whose every element the caller writes: a reused one is not cleared first. */
export function newBufferToOverwrite(dtype: DType, size: number): TypedArray {
  return take(dtype, size, false);
}

/** Notes a buffer handed out now: when (for releaseBuffer's mark) and in which scope. */
function track(buffer: TypedArray): void {
  handedOutAt.set(buffer, currentMark);
  scopes[scopes.length - 1]?.add(buffer);
}

function take(dtype: DType, size: number, zeroed: boolean): TypedArray {
  const stack = free.get(keyOf(dtype, size));
  let buffer = stack?.pop();
  if (buffer === undefined) {
    buffer = allocate(dtype, size);
    if (buffer.byteLength >= minBytes) {
      fresh++;
      track(buffer);
    }
  } else {
    freeInOrder.delete(buffer);
    pooledBytes -= buffer.byteLength;
    reused++;
    track(buffer);
    if (zeroed) buffer.fill(0);
  }
  if (!zeroed && poison) fillWithPoison(buffer);
  return buffer;
}

function fillWithPoison(buffer: TypedArray): void {
  buffer.fill(buffer instanceof Float32Array || buffer instanceof Float64Array ? NaN : 0x5a);
}

/** A float32 output that the caller overwrites whole (the wasm kernels' NewOutput). */
export const newFloat32Output = (floats: number): Float32Array => newBufferToOverwrite('float32', floats) as Float32Array;

/** A mark: buffers handed out from now on may be released by a caller holding it. */
export function markBuffers(): number {
  return ++currentMark;
}

/**
 * Takes back `storage`, which nothing refers to any more, for a later output; ignored unless the pool
 * handed it out after `mark`, and when the pool is full.
 */
export function releaseBuffer(storage: TypedArray, mark: number): void {
  const at = handedOutAt.get(storage);
  if (at === undefined || at < mark) return;
  keepForReuse(storage);
}

/**
 * Puts a buffer nothing refers to in the free lists (unless it is there already, or larger than the
 * whole pool), dropping the oldest free buffers while the pool would be over its size.
 */
function keepForReuse(storage: TypedArray): void {
  if (freeInOrder.has(storage)) return;
  // A tensor still reading this storage (a scope's temporary used after it ended) then reads NaN.
  if (poison) fillWithPoison(storage);
  if (storage.byteLength > maxBytes) return;
  while (pooledBytes + storage.byteLength > maxBytes) dropOldest();
  handedOutAt.delete(storage);
  freeInOrder.add(storage);
  pooledBytes += storage.byteLength;
  const key = keyOf(dtypeOf(storage), storage.length);
  const stack = free.get(key);
  if (stack) stack.push(storage);
  else free.set(key, [storage]);
}

/** Drops the free buffer kept longest, which sits at the bottom of its length's stack. */
function dropOldest(): void {
  const oldest = freeInOrder.values().next().value as TypedArray;
  freeInOrder.delete(oldest);
  const key = keyOf(dtypeOf(oldest), oldest.length);
  const stack = free.get(key)!;
  stack.shift();
  if (stack.length === 0) free.delete(key);
  pooledBytes -= oldest.byteLength;
}

/** Takes back a buffer the caller got from newBuffer and gave to no one (a kernel's scratch). */
export function releaseScratch(buffer: TypedArray): void {
  releaseBuffer(buffer, 0);
}

/** Opens a scope: buffers handed out from now on are given back when it closes, unless kept. */
export function openBufferScope(): void {
  scopes.push(new Set());
}

/**
 * Closes the innermost scope: its buffers in `kept` move to the enclosing scope, the others are
 * free for reuse (those adopted meanwhile have left every scope already).
 */
export function closeBufferScope(kept: ReadonlySet<unknown>): void {
  const scope = scopes.pop();
  if (!scope) throw new Error('closeBufferScope: no scope is open');
  const outer = scopes[scopes.length - 1];
  for (const buffer of scope) {
    if (kept.has(buffer)) outer?.add(buffer);
    else keepForReuse(buffer);
  }
}

/** Storage a long-lived tensor now owns (assign): no scope gives it back. */
export function adoptBuffer(storage: unknown): void {
  for (const scope of scopes) scope.delete(storage as TypedArray);
}

function dtypeOf(storage: TypedArray): DType {
  if (storage instanceof Float32Array) return 'float32';
  if (storage instanceof Float64Array) return 'float64';
  if (storage instanceof Int32Array) return 'int32';
  return 'bool';
}

export interface BufferPoolSettings {
  /** Most bytes held for reuse (0: no reuse). */
  readonly maxBytes: number;
  /** Buffers smaller than this are neither tracked nor kept (tests set 0 to reuse every buffer). */
  readonly minBytes: number;
  /**
   * For tests (LSGRAD_BUFFER_POOL_POISON=1): every buffer handed out to be overwritten, fresh or
   * reused, and every buffer given back is filled with NaN (floats) or 0x5a (integers), so an element
   * a kernel fails to write, or a tensor used after its storage was given back, shows in results.
   */
  readonly poison: boolean;
}

/**
 * Changes the pool's settings and empties it; returns the previous settings.
 * @example const previous = configureBufferPool({ maxBytes: 0 }); try { run(); } finally { configureBufferPool(previous); }
 */
export function configureBufferPool(limits: Partial<BufferPoolSettings>): BufferPoolSettings {
  const previous = { maxBytes, minBytes, poison };
  for (const name of ['maxBytes', 'minBytes'] as const) {
    const value = limits[name];
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) throw argumentError('configureBufferPool', name, value, 'a number of bytes, 0 or more');
  }
  if (limits.poison !== undefined && typeof limits.poison !== 'boolean') throw argumentError('configureBufferPool', 'poison', limits.poison, 'true or false');
  if (scopes.length > 0) throw new Error('configureBufferPool: called inside a memory scope (tidy)');
  maxBytes = limits.maxBytes ?? maxBytes;
  minBytes = limits.minBytes ?? minBytes;
  poison = limits.poison ?? poison;
  emptyBufferPool();
  return previous;
}

/**
 * Splits the default budget between `threads` threads that compute side by side (call before they
 * start): this thread's pool and, through LSGRAD_BUFFER_POOL_MIB, those of worker threads started
 * after it. An explicit LSGRAD_BUFFER_POOL_MIB is each thread's own and stays.
 * @example sharePoolBudget(2) // two training replicas: 128 MiB each
 */
export function sharePoolBudget(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw argumentError('sharePoolBudget', 'threads', threads, 'a positive integer');
  const text = poolMibFromEnvironment();
  if (typeof process === 'undefined' || (text !== undefined && text !== '')) return;
  const share = DEFAULT_MAX_BYTES / threads;
  process.env.LSGRAD_BUFFER_POOL_MIB = String(share / 2 ** 20);
  configureBufferPool({ maxBytes: share });
}

/**
 * Drops every free buffer the pool holds, keeping its settings: for a program whose next phase has
 * other shapes (lsgrad train's pictures after training), so the old buffers do not add to its peak.
 */
export function emptyBufferPool(): void {
  free.clear();
  freeInOrder.clear();
  pooledBytes = 0;
}

/** How much the pool holds and how often it served a request (for benchmarks and tests). */
export function bufferPoolStats(reset = false): BufferPoolStats {
  const stats = { pooledBytes, reused, fresh };
  if (reset) reused = fresh = 0;
  return stats;
}
