/**
 * Safetensors bytes ↔ state dicts of tensors, and the same through files on disk (written atomically).
 */
import { CheckpointError, tensor, type DType } from '../engine/index.js';
import { readBytes, writeFileAtomic } from './disk.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsInput } from './safetensors.js';
import type { StateDict } from './module.js';

export { writeFileAtomic };

/**
 * The tensors of a .safetensors file's bytes, as `dtype` (default: float32; F64 entries stay float64
 * unless a dtype is given).
 * @example
 *   const state = stateDictFromSafetensors(new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer()));
 */
export function stateDictFromSafetensors(bytes: Uint8Array, dtype?: DType): StateDict {
  const state: StateDict = {};
  for (const [name, entry] of parseSafetensors(bytes).tensors) {
    const targetDtype = dtype ?? (entry.data instanceof Float64Array ? 'float64' : 'float32');
    state[name] = tensor(entry.data, { shape: entry.shape, dtype: targetDtype });
  }
  return state;
}

/**
 * A state dict as .safetensors bytes: float64 tensors as F64, others as F32.
 * @example
 *   const bytes = safetensorsFromStateDict(model.stateDict());
 */
export function safetensorsFromStateDict(state: StateDict, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const inputs: Record<string, SafetensorsInput> = {};
  for (const [name, value] of Object.entries(state)) {
    const data = value.dtype === 'float64' ? value.toTypedArray() : (value.dtype === 'float32' ? value : value.cast('float32')).toTypedArray();
    inputs[name] = { shape: [...value.shape], data: data as Float32Array | Float64Array };
  }
  return serializeSafetensors(inputs, metadata);
}

/**
 * Reads a .safetensors file into tensors (see stateDictFromSafetensors for the dtypes).
 * @example
 *   const state = loadSafetensors('test/fixtures/albert/dense_mlm_t48/model.safetensors');
 */
export function loadSafetensors(path: string, dtype?: DType): StateDict {
  try {
    return stateDictFromSafetensors(readBytes(path), dtype);
  } catch (error) {
    throw new CheckpointError('loadSafetensors', `cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Writes tensors to a .safetensors file (atomically).
 * @example
 *   saveSafetensors('out/model.safetensors', model.stateDict());
 */
export function saveSafetensors(path: string, state: StateDict, metadata: Record<string, string> = { format: 'pt' }): void {
  writeFileAtomic(path, safetensorsFromStateDict(state, metadata));
}
