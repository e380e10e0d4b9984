/**
 * Which matmul kernel the CPU backend runs in this page, and why. The WebAssembly kernel needs
 * SIMD and shared memory (WebAssembly threads), and a page gets shared memory only when it is
 * cross-origin isolated (served with COOP/COEP headers, as `npm run playground` does).
 */
import { matmulWasmBytes, wasmKernel } from '../../backends/cpu/wasm/kernel.js';

export interface KernelReport {
  /** The float32 matmul kernel that runs: 'wasm' (SIMD over shared memory) or 'typescript'. */
  readonly matmul: 'wasm' | 'typescript';
  /** Whether the wasm kernel is its build with fused multiply-adds (the browser has relaxed SIMD). */
  readonly fusedMultiplyAdd: boolean;
  readonly crossOriginIsolated: boolean;
  readonly sharedMemory: boolean;
  readonly simd: boolean;
  /** One sentence for the page. */
  readonly summary: string;
}

/** @example kernelReport().summary // 'WebAssembly SIMD kernel over shared memory …' */
export function kernelReport(): KernelReport {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const sharedMemory = typeof SharedArrayBuffer !== 'undefined';
  // validate() checks the module's SIMD instructions and its shared-memory import together.
  const simd = typeof WebAssembly !== 'undefined' && WebAssembly.validate(matmulWasmBytes());
  const kernel = wasmKernel();
  const matmul = kernel !== null ? 'wasm' : 'typescript';
  const fusedMultiplyAdd = kernel?.fused === true;
  // NOTE: the CPU backend's helper thread is Node's worker_threads, so a page multiplies on its own thread.
  const oneThread = 'Products run on this page\'s one thread (the helper thread of the Node build needs worker_threads).';
  let summary: string;
  if (matmul === 'wasm') {
    const fma = fusedMultiplyAdd ? ', with fused multiply-adds: this browser has relaxed SIMD' : '';
    summary = `Matmul runs in the WebAssembly kernel (SIMD over shared memory, WebAssembly threads${fma}): the page is cross-origin isolated. ${oneThread}`;
  } else if (!sharedMemory) {
    summary = `Matmul runs in the TypeScript fallback kernel: this page is not cross-origin isolated${isolated ? '' : ' (served without the COOP/COEP headers of npm run playground, or from file://)'}, so it has no SharedArrayBuffer, which the WebAssembly kernel needs; expect steps about 3× slower.`;
  } else if (!simd) {
    summary = 'Matmul runs in the TypeScript fallback kernel: this browser\'s WebAssembly has no SIMD (or no shared memory), which the WebAssembly kernel needs.';
  } else {
    summary = 'Matmul runs in the TypeScript fallback kernel: the WebAssembly kernel did not instantiate here.';
  }
  return { matmul, fusedMultiplyAdd, crossOriginIsolated: isolated, sharedMemory, simd, summary: matmul === 'wasm' ? summary : `${summary} ${oneThread}` };
}
