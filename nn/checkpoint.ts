/**
 * Safetensors files ↔ state dicts of tensors, and atomic file writes (temporary name, then rename).
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { tensor, type DType } from '../engine/index.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsInput } from './safetensors.js';
import type { StateDict } from './module.js';

let temporaryCounter = 0;

/**
 * Writes `contents` to `path` (creating its folder) through a temporary file in the same folder, so a reader never sees
 * a half-written file and a crash leaves the old file intact.
 * @example
 *   writeFileAtomic('out/config.json', JSON.stringify(config, null, 2));
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.${temporaryCounter++}.tmp`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Reads a .safetensors file into tensors of `dtype` (default: float32; F64 entries stay float64
 * unless a dtype is given).
 * @example
 *   const state = loadSafetensors('test/fixtures/albert/dense_mlm_t48/model.safetensors');
 */
export function loadSafetensors(path: string, dtype?: DType): StateDict {
  let file;
  try {
    file = parseSafetensors(new Uint8Array(readFileSync(path)));
  } catch (error) {
    throw new Error(`loadSafetensors: cannot read ${path}: ${(error as Error).message}`);
  }
  const state: StateDict = {};
  for (const [name, entry] of file.tensors) {
    const targetDtype = dtype ?? (entry.data instanceof Float64Array ? 'float64' : 'float32');
    state[name] = tensor(entry.data, { shape: entry.shape, dtype: targetDtype });
  }
  return state;
}

/**
 * Writes tensors to a .safetensors file (atomically): float64 tensors as F64, others as F32.
 * @example
 *   saveSafetensors('out/model.safetensors', model.stateDict());
 */
export function saveSafetensors(path: string, state: StateDict, metadata: Record<string, string> = { format: 'pt' }): void {
  const inputs: Record<string, SafetensorsInput> = {};
  for (const [name, value] of Object.entries(state)) {
    const data = value.dtype === 'float64' ? value.toTypedArray() : (value.dtype === 'float32' ? value : value.cast('float32')).toTypedArray();
    inputs[name] = { shape: [...value.shape], data: data as Float32Array | Float64Array };
  }
  writeFileAtomic(path, serializeSafetensors(inputs, metadata));
}

