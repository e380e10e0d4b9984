// The wasm matmul kernel (matmul.wat), instantiated once over a shared memory that grows as the
// products need. The helper thread (matmul-pool.ts) instantiates the same module over the same
// memory. Where the engine has relaxed SIMD (detected by validating the module), the build with
// fused multiply-adds runs: one rounding per step of each sum instead of two, up to a third faster
// here (1024³: 28 → 37 GFLOP/s on one thread)
// (Node 20 has it only behind --experimental-wasm-relaxed-simd; LSGRAD_FMA=0 keeps the plain
// build). Where WebAssembly SIMD or shared memory is missing, or LSGRAD_WASM=0, there is no kernel
// and matmul.ts uses the JS kernel of matmul-tiles.ts.
import { decodeWasm, instantiateShared, pickBuild } from './instantiate.js';
import { MATMUL_WASM_BASE64 } from './matmul-wasm.generated.js';
import { MATMUL_FMA_WASM_BASE64 } from './matmul-fma-wasm.generated.js';

/** Where the operands and the output lie in the kernel's memory: matmul.wat's arguments, in bytes. */
export interface WasmLayout {
  a: number; aRowBytes: number; aDepthBytes: number; aPanelBytes: number; aBatchBytes: number;
  b: number; bDepthBytes: number; bPanelBytes: number; bBatchBytes: number;
  out: number;
}

/** matmul.wat's multiplyUnits: the layout's fields in order, then scratch, M, N, K, unitStart, unitEnd. */
export type WasmMultiplyUnits = (
  a: number, aRowBytes: number, aDepthBytes: number, aPanelBytes: number, aBatchBytes: number,
  b: number, bDepthBytes: number, bPanelBytes: number, bBatchBytes: number,
  out: number, scratch: number, M: number, N: number, K: number, unitStart: number, unitEnd: number,
) => void;

export interface WasmKernel {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  multiplyUnits: WasmMultiplyUnits;
  /** Whether this is the build with fused multiply-adds. */
  fused: boolean;
}

const PAGE_BYTES = 65536;
const MAX_PAGES = 16384; // the maximum declared by matmul.wat's memory import: 1 GiB
/** Each thread's 128-byte area for edge tiles, then the operands from DATA_START on. */
export const MAIN_SCRATCH = 0;
export const HELPER_SCRATCH = 128;
export const DATA_START = 256;

/** The module's bytes (decoded with atob, which browsers and Node both have). */
export function matmulWasmBytes(): Uint8Array<ArrayBuffer> {
  return decodeWasm(MATMUL_WASM_BASE64);
}

function load(): WasmKernel | null {
  const build = pickBuild(MATMUL_WASM_BASE64, MATMUL_FMA_WASM_BASE64);
  const shared = instantiateShared<{ multiplyUnits: WasmMultiplyUnits }>(build, MAX_PAGES);
  return shared && { module: shared.module, memory: shared.memory, multiplyUnits: shared.exports.multiplyUnits, fused: build!.fused };
}

let loaded: WasmKernel | null | undefined;
let enabled = true;

/** The kernel whether or not it is switched off (the helper thread needs it in either case). */
export function loadWasmKernel(): WasmKernel | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/**
 * Drops the kernel; the next product instantiates a fresh one over a fresh memory. For a helper
 * thread presumed dead that may still be running: what it writes then lands in the old memory.
 */
export function retireWasmKernel(): void {
  loaded = undefined;
}

/** The kernel matmul.ts should use, or null for the JS kernel. */
export function wasmKernel(): WasmKernel | null {
  return enabled ? loadWasmKernel() : null;
}

/**
 * Switches the wasm kernel off or back on for float32 products, so that benchmarks and tests can
 * compare the two kernels in one process (LSGRAD_WASM=0 switches it off for a whole run).
 * @example setWasmKernelEnabled(false); matmul(a, b); setWasmKernelEnabled(true);
 */
export function setWasmKernelEnabled(on: boolean): void {
  enabled = on;
}

/** Grows the memory to at least `bytes`; false when that is more than the module may address. */
export function reserveWasmMemory(kernel: WasmKernel, bytes: number): boolean {
  const pages = Math.ceil(bytes / PAGE_BYTES);
  if (pages > MAX_PAGES) return false;
  const current = kernel.memory.buffer.byteLength / PAGE_BYTES;
  if (pages <= current) return true;
  try {
    kernel.memory.grow(pages - current);
    return true;
  } catch {
    return false; // the system refused the memory: the JS kernel allocates its own
  }
}
