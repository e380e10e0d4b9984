// What every WebAssembly kernel of the CPU backend does to start: honour LSGRAD_WASM=0, decode the
// module's base64 bytes (atob, which browsers and Node both have) and check that this engine can
// run them (validate() is false where SIMD, or shared memory, is missing). The caller then falls
// back to its TypeScript kernel.

/** True when LSGRAD_WASM=0 (read where a `process` exists) or the runtime has no WebAssembly. */
export function wasmSwitchedOff(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.LSGRAD_WASM === '0' || typeof WebAssembly === 'undefined';
}

/**
 * The bytes of a kernel's build with fused multiply-adds where this engine validates them (it has
 * relaxed SIMD) and LSGRAD_FMA is not 0; else null, and the plain build runs.
 */
export function fusedBuild(base64: string): Uint8Array<ArrayBuffer> | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.LSGRAD_FMA === '0' || typeof WebAssembly === 'undefined') return null;
  const bytes = decodeWasm(base64);
  return WebAssembly.validate(bytes) ? bytes : null;
}

/** A module's bytes from its base64 text. */
export function decodeWasm(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
}

/**
 * Instantiates a module that imports nothing and returns its exports, or null where WebAssembly is
 * switched off, this engine cannot validate the bytes, or instantiation fails.
 */
export function instantiateStandalone<Exports>(base64: string): Exports | null {
  if (wasmSwitchedOff()) return null;
  const bytes = decodeWasm(base64);
  if (!WebAssembly.validate(bytes)) return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;
  } catch {
    return null;
  }
}
