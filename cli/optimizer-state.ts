// Saves and restores AdamW's moments by parameter name, so that a resumed run continues with
// exactly the optimizer state an uninterrupted run would have.
//
// NOTE: nn's AdamW keeps its moments in a private `moments` map (Tensor → { first, second,
// steps }) and has no state-dict API yet; we read and write that map here, by parameter name.
// If AdamW gains `optimizerStateDict()` / `loadOptimizerStateDict()`, this file is where to switch.
import { tensor, type Tensor } from '../engine/index.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsInput } from '../nn/index.js';

interface Moments { first: Tensor; second: Tensor; steps: number }

interface AdamWLike {
  stepCount: number;
  paramGroups: { lr: number }[];
}

function momentsOf(optimizer: AdamWLike): Map<Tensor, Moments> {
  const moments = (optimizer as unknown as { moments?: unknown }).moments;
  if (!(moments instanceof Map)) {
    throw new Error('optimizer-state: the optimizer has no `moments` map; expected nn AdamW (did its internals change?)');
  }
  return moments as Map<Tensor, Moments>;
}

function floatData(value: Tensor): Float32Array | Float64Array {
  const data = value.toTypedArray();
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  return Float32Array.from(data as ArrayLike<number>);
}

/**
 * Encodes the moments of every named parameter as a safetensors file
 * (`exp_avg.<name>`, `exp_avg_sq.<name>`, as PyTorch calls them) plus the step counts in metadata.
 */
export function serializeOptimizerState(optimizer: AdamWLike, namedParameters: readonly [string, Tensor][]): Uint8Array {
  const moments = momentsOf(optimizer);
  const tensors: Record<string, SafetensorsInput> = {};
  const steps: Record<string, number> = {};
  for (const [name, parameter] of namedParameters) {
    const state = moments.get(parameter);
    if (!state) continue; // never updated (no gradient yet)
    tensors[`exp_avg.${name}`] = { shape: [...state.first.shape], data: floatData(state.first) };
    tensors[`exp_avg_sq.${name}`] = { shape: [...state.second.shape], data: floatData(state.second) };
    steps[name] = state.steps;
  }
  return serializeSafetensors(tensors, { format: 'lsgrad-adamw', stepCount: String(optimizer.stepCount), steps: JSON.stringify(steps) });
}

/** Restores what `serializeOptimizerState` wrote; every saved name must be a parameter here. */
export function restoreOptimizerState(optimizer: AdamWLike, namedParameters: readonly [string, Tensor][], bytes: Uint8Array): void {
  const file = parseSafetensors(bytes);
  if (file.metadata.format !== 'lsgrad-adamw') {
    throw new Error(`restoreOptimizerState: metadata format "${file.metadata.format}"; expected "lsgrad-adamw"`);
  }
  const steps = JSON.parse(file.metadata.steps ?? '{}') as Record<string, number>;
  const byName = new Map(namedParameters);
  const moments = momentsOf(optimizer);
  moments.clear();
  for (const [name, count] of Object.entries(steps)) {
    const parameter = byName.get(name);
    const first = file.tensors.get(`exp_avg.${name}`);
    const second = file.tensors.get(`exp_avg_sq.${name}`);
    if (!parameter || !first || !second) {
      throw new Error(`restoreOptimizerState: state for "${name}" does not match the model (parameter ${parameter ? 'found' : 'missing'}, moments ${first && second ? 'found' : 'missing'})`);
    }
    const asTensor = (entry: { shape: number[]; data: Float32Array | Float64Array }) =>
      tensor(entry.data, { shape: entry.shape, dtype: parameter.dtype });
    moments.set(parameter, { first: asTensor(first), second: asTensor(second), steps: count });
  }
  optimizer.stepCount = Number(file.metadata.stepCount ?? 0);
}
