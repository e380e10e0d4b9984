// Saves and restores AdamW's moments by parameter name, so that a resumed run continues with
// exactly the optimizer state an uninterrupted run would have.
import { tensor, type Tensor } from '../engine/index.js';
import { parseSafetensors, serializeSafetensors, type AdamW, type SafetensorsInput } from '../nn/index.js';

function floatData(value: Tensor): Float32Array | Float64Array {
  const data = value.toTypedArray();
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  return Float32Array.from(data as ArrayLike<number>);
}

/**
 * Encodes the moments of every named parameter as a safetensors file
 * (`exp_avg.<name>`, `exp_avg_sq.<name>`, as PyTorch calls them) plus the step counts in metadata.
 */
export function serializeOptimizerState(optimizer: AdamW, namedParameters: readonly [string, Tensor][]): Uint8Array {
  const tensors: Record<string, SafetensorsInput> = {};
  const steps: Record<string, number> = {};
  for (const [name, parameter] of namedParameters) {
    const state = optimizer.stateOf(parameter);
    if (!state) continue; // never updated (no gradient yet)
    tensors[`exp_avg.${name}`] = { shape: [...state.first.shape], data: floatData(state.first) };
    tensors[`exp_avg_sq.${name}`] = { shape: [...state.second.shape], data: floatData(state.second) };
    steps[name] = state.steps;
  }
  return serializeSafetensors(tensors, { format: 'lsgrad-adamw', stepCount: String(optimizer.stepCount), steps: JSON.stringify(steps) });
}

/** Restores what `serializeOptimizerState` wrote; every saved name must be a parameter here. */
export function restoreOptimizerState(optimizer: AdamW, namedParameters: readonly [string, Tensor][], bytes: Uint8Array): void {
  const file = parseSafetensors(bytes);
  if (file.metadata.format !== 'lsgrad-adamw') {
    throw new Error(`restoreOptimizerState: metadata format "${file.metadata.format}"; expected "lsgrad-adamw"`);
  }
  const steps = JSON.parse(file.metadata.steps ?? '{}') as Record<string, number>;
  const byName = new Map(namedParameters);
  optimizer.clearState();
  for (const [name, count] of Object.entries(steps)) {
    const parameter = byName.get(name);
    const first = file.tensors.get(`exp_avg.${name}`);
    const second = file.tensors.get(`exp_avg_sq.${name}`);
    if (!parameter || !first || !second) {
      throw new Error(`restoreOptimizerState: state for "${name}" does not match the model (parameter ${parameter ? 'found' : 'missing'}, moments ${first && second ? 'found' : 'missing'})`);
    }
    const asTensor = (entry: { shape: number[]; data: Float32Array | Float64Array }) =>
      tensor(entry.data, { shape: entry.shape, dtype: parameter.dtype });
    optimizer.restoreState(parameter, { first: asTensor(first), second: asTensor(second), steps: count });
  }
  optimizer.stepCount = Number(file.metadata.stepCount ?? 0);
}
