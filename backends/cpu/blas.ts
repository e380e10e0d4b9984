// The system BLAS for float32 matrix products, where Node can load one: the `nblas` binding (an
// optional peer dependency, compiled at install against the system's CBLAS: OpenBLAS where
// libopenblas-dev is installed, as on Debian).
// NOTE: why: the WebAssembly kernel (wasm/matmul.wat) tops out near 25–30 GFLOP/s on one core of
// the 2-core machine the benchmarks run on (128-bit SIMD, no fused multiply-add in Node 20), while
// OpenBLAS, with AVX-512 FMA kernels there, ran 1024³ at 160 GFLOP/s and the training step's
// skinny products ([8194, 64] @ [64, 64] and their gradients) at 100–130 GFLOP/s, one thread.
// Browsers and machines without the binding keep lsgrad's own kernels; LSGRAD_BLAS=0 keeps them too.
// NOTE: worker threads (the training replicas of `lsgrad train --threads N`) keep them as well: nblas
// is not a context-aware addon, so only the main thread can load it ("Module did not self-register").

/** CBLAS's transpose codes. */
export const NO_TRANSPOSE = 111;
export const TRANSPOSE = 112;
type Transpose = typeof NO_TRANSPOSE | typeof TRANSPOSE;

/** cblas_sgemm in row-major order: C = alpha·op(A)·op(B) + beta·C. */
export type Sgemm = (
  transA: Transpose, transB: Transpose, m: number, n: number, k: number, alpha: number,
  a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number,
) => void;

/** The routines lsgrad calls (nblas's argument order: CBLAS's, row-major, without the order). */
export interface SystemBlas {
  readonly sgemm: Sgemm;
  /** y += alpha·x over n floats. */
  readonly saxpy: (n: number, alpha: number, x: Float32Array, incX: number, y: Float32Array, incY: number) => void;
  /** A (m × n, row-major, rows lda apart) += alpha·x·yᵀ. */
  readonly sger: (m: number, n: number, alpha: number, x: Float32Array, incX: number, y: Float32Array, incY: number, a: Float32Array, lda: number) => void;
}

interface NodeProcess {
  env: Record<string, string | undefined>;
  getBuiltinModule?: (name: string) => unknown;
}

let loaded: SystemBlas | null | undefined;
let enabled = true;

function nodeProcess(): NodeProcess | undefined {
  return (globalThis as { process?: NodeProcess }).process;
}

/**
 * How many threads OpenBLAS may use: one where lsgrad runs single-threaded (LSGRAD_THREADS=1, which
 * the training replicas set so that they do not compete for the cores), else every core, as the
 * wasm matmul's helper thread would.
 */
function blasThreads(process: NodeProcess): number {
  const os = process.getBuiltinModule?.('node:os') as typeof import('node:os') | undefined;
  return process.env.LSGRAD_THREADS === '1' ? 1 : Math.max(1, os?.availableParallelism() ?? 1);
}

function load(): SystemBlas | null {
  const process = nodeProcess();
  if (!process || process.env.LSGRAD_BLAS === '0') return null;
  const nodeModule = process.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (!nodeModule) return null;
  // NOTE: OpenBLAS reads these once, when the library loads; a caller's own settings win. Its idle
  // threads otherwise spin for a while after each product, taking the core from the next kernels:
  // dense attention on two threads used 2.7 s of CPU for 1.4 s of wall time, 1.85 s with the
  // shortest timeout (2⁴ cycles) for the same wall time.
  process.env.OPENBLAS_NUM_THREADS ??= String(blasThreads(process));
  process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
  try {
    // The compiled binding itself: the package's entry point falls back to a slow JavaScript
    // implementation when the build is missing, which would be slower than the wasm kernel.
    const binding = nodeModule.createRequire(import.meta.url)('nblas/build/Release/nblas.node') as Partial<SystemBlas>;
    const { sgemm, saxpy, sger } = binding;
    return typeof sgemm === 'function' && typeof saxpy === 'function' && typeof sger === 'function' ? { sgemm, saxpy, sger } : null;
  } catch {
    return null; // not installed, or built without a BLAS to link
  }
}

/** The system BLAS, or null (a browser, no binding, LSGRAD_BLAS=0, or switched off). */
export function systemBlas(): SystemBlas | null {
  if (!enabled) return null;
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** How many threads OpenBLAS runs each product on (read when it loaded; 1 before it loads). */
export function systemBlasThreads(): number {
  const threads = Number(nodeProcess()?.env.OPENBLAS_NUM_THREADS);
  return systemBlas() !== null && Number.isInteger(threads) && threads > 1 ? threads : 1;
}

/** The system sgemm, or null (see systemBlas). */
export function systemSgemm(): Sgemm | null {
  return systemBlas()?.sgemm ?? null;
}

/** Ones for products that sum or broadcast over rows (onesᵀ·A, ones·vᵀ), at least `count`. */
let ones = new Float32Array(0);
export function onesOf(count: number): Float32Array {
  if (ones.length < count) ones = new Float32Array(count).fill(1);
  return ones;
}

/**
 * Switches the system BLAS off or back on for float32 products, so that tests and benchmarks can
 * run lsgrad's own kernels in the same process.
 * @example setSystemBlasEnabled(false); matmul(a, b); setSystemBlasEnabled(true);
 */
export function setSystemBlasEnabled(on: boolean): void {
  enabled = on;
}
