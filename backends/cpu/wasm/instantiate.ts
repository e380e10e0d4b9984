// What every WebAssembly kernel of the CPU backend does to start: honour LSGRAD_WASM=0, pick the
// build to run (the one with fused multiply-adds where the engine has relaxed SIMD), decode its
// base64 bytes (atob, which browsers and Node both have), check that this engine can run them
// (validate() is false where SIMD, or shared memory, is missing) and instantiate it, over its own
// memory or a new shared one. The caller falls back to its TypeScript kernel on null.

/** An environment variable where a `process` exists (Node), else undefined (a page). */
function environment(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** True when LSGRAD_WASM=0 or the runtime has no WebAssembly. */
export function wasmSwitchedOff(): boolean {
  return environment('LSGRAD_WASM') === '0' || typeof WebAssembly === 'undefined';
}

/** A module's bytes from its base64 text. */
export function decodeWasm(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/** The bytes a kernel runs, and whether they are its build with fused multiply-adds. */
export interface KernelBuild {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly fused: boolean;
}

/**
 * The build to run: the fused one (`fused`, base64) where this engine validates it (it has relaxed
 * SIMD) and LSGRAD_FMA is not 0, else the plain one where it validates; null where WebAssembly is
 * switched off or neither validates.
 */
export function pickBuild(plain: string, fused?: string): KernelBuild | null {
  if (wasmSwitchedOff()) return null;
  if (fused !== undefined && environment('LSGRAD_FMA') !== '0') {
    const bytes = decodeWasm(fused);
    if (WebAssembly.validate(bytes)) return { bytes, fused: true };
  }
  const bytes = decodeWasm(plain);
  return WebAssembly.validate(bytes) ? { bytes, fused: false } : null;
}

/** Instantiates a build that imports nothing and returns its exports; null without a build or where instantiation fails. */
export function instantiateStandalone<Exports>(build: KernelBuild | null): Exports | null {
  if (!build) return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(build.bytes), {}).exports as unknown as Exports;
  } catch {
    return null;
  }
}

/**
 * Instantiates a build that imports its memory (`env.memory`) over a new shared memory of at most
 * `maxPages`, so that the helper thread can instantiate the same module over it; null without a
 * build, without shared memory (a page without cross-origin isolation) or where instantiation fails.
 */
export function instantiateShared<Exports>(build: KernelBuild | null, maxPages: number): { module: WebAssembly.Module; memory: WebAssembly.Memory; exports: Exports } | null {
  if (!build || typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: maxPages, shared: true });
    const module = new WebAssembly.Module(build.bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
    return { module, memory, exports };
  } catch {
    return null;
  }
}
