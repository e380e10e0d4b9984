/** Reading the golden cases (test/fixtures/<family>/<case>) and comparing against them. */
import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../../engine/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const ALBERT_FIXTURES = `${FIXTURES}albert/`;

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export interface GoldenCase {
  dir: string;
  inputs: Record<'input_ids' | 'attention_mask' | 'token_type_ids' | 'labels', JsonTensor>;
  golden: {
    model_class: string;
    loss: number;
    last_hidden_state: JsonTensor;
    pooler_output: JsonTensor | null;
    logits: JsonTensor;
    grads: Record<string, JsonTensor>;
  };
}

/** A case of test/fixtures/<family>/ (ALBERT's by default). */
export function readCase(name: string, family = 'albert'): GoldenCase {
  const dir = `${FIXTURES}${family}/${name}`;
  return {
    dir,
    inputs: JSON.parse(readFileSync(`${dir}/inputs.json`, 'utf8')),
    golden: JSON.parse(readFileSync(`${dir}/golden.json`, 'utf8')),
  };
}

export function intTensor(json: JsonTensor): Tensor {
  return tensor(Int32Array.from(json.data), { shape: json.shape, dtype: 'int32' });
}

/** Largest |a - b| over two flat arrays of the same length (throws on a length mismatch). */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): number {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  return worst;
}

export function maxAbs(values: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i]!));
  return worst;
}

export interface GradComparison {
  name: string;
  absError: number;
  /** absError divided by the largest magnitude of the expected gradient tensor. */
  relError: number;
}

/**
 * Compares every parameter's gradient with the golden one. A gradient passes when its error is
 * within `relTol` of the tensor's largest expected magnitude or within `absTol` absolutely (the
 * key-bias gradient is zero up to rounding, see the fixtures' README).
 */
export function compareGrads(named: [string, Tensor][], golden: Record<string, JsonTensor>, relTol: number, absTol: number): { failures: string[]; worst: GradComparison } {
  const failures: string[] = [];
  let worst: GradComparison = { name: '', absError: 0, relError: 0 };
  const ours = new Map(named);
  for (const name of Object.keys(golden)) if (!ours.has(name)) failures.push(`${name}: no such parameter`);
  for (const [name, parameter] of named) {
    const expected = golden[name];
    if (!expected) { failures.push(`${name}: no golden gradient`); continue; }
    if (parameter.grad === null) { failures.push(`${name}: no gradient`); continue; }
    const absError = maxAbsDiff(parameter.grad.toTypedArray() as ArrayLike<number>, expected.data, name);
    const relError = absError / Math.max(maxAbs(expected.data), 1e-30);
    if (relError > relTol && absError > absTol) failures.push(`${name}: abs ${absError.toExponential(2)}, rel ${relError.toExponential(2)}`);
    // The worst is reported for tensors whose error is not already within the absolute floor.
    if (!name.endsWith('key.bias') && relError > worst.relError) worst = { name, absError, relError };
  }
  return { failures, worst };
}

// Against PyTorch float32; the fixtures' README measures float64-vs-float32 at ~1e-5 on outputs
// and ~4e-6 of each gradient's largest magnitude (our float32 rounding adds a little to that).
const OUTPUT_TOL = 1e-4;
const GRAD_REL_TOL = 1e-4;
const GRAD_ABS_TOL = 1e-6;

interface GoldenModel {
  forward(inputs: { inputIds: Tensor; attentionMask: Tensor; tokenTypeIds: Tensor; labels: Tensor }):
    { loss?: Tensor; logits: Tensor; lastHiddenState?: Tensor; pooledOutput?: Tensor };
  namedParameters(): [string, Tensor][];
}

/**
 * Runs a golden case's batch through the model and asserts loss, logits, last hidden state,
 * pooler output (when recorded) and every parameter gradient against the reference.
 */
export function expectGoldenMatch(label: string, model: GoldenModel, golden: GoldenCase): void {
  const { inputs } = golden;
  const out = model.forward({
    inputIds: intTensor(inputs.input_ids),
    attentionMask: intTensor(inputs.attention_mask),
    tokenTypeIds: intTensor(inputs.token_type_ids),
    labels: intTensor(inputs.labels),
  });
  const lossError = Math.abs(out.loss!.item() - golden.golden.loss);
  const logitsError = maxAbsDiff(out.logits.toTypedArray(), golden.golden.logits.data, 'logits');
  const hiddenError = maxAbsDiff(out.lastHiddenState!.toTypedArray(), golden.golden.last_hidden_state.data, 'lastHiddenState');
  const pooler = golden.golden.pooler_output;
  const poolerError = pooler ? maxAbsDiff(out.pooledOutput!.toTypedArray(), pooler.data, 'pooledOutput') : 0;
  out.loss!.backward();
  const grads = compareGrads(model.namedParameters(), golden.golden.grads, GRAD_REL_TOL, GRAD_ABS_TOL);
  console.log(`  ${label}: loss ${lossError.toExponential(2)}, logits ${logitsError.toExponential(2)}, hidden ${hiddenError.toExponential(2)}, pooler ${poolerError.toExponential(2)}, worst grad rel ${grads.worst.relError.toExponential(2)} (${grads.worst.name})`);
  assert.ok(lossError < OUTPUT_TOL, `loss error ${lossError}`);
  assert.ok(logitsError < OUTPUT_TOL, `logits error ${logitsError}`);
  assert.ok(hiddenError < OUTPUT_TOL, `hidden error ${hiddenError}`);
  assert.ok(poolerError < OUTPUT_TOL, `pooler error ${poolerError}`);
  assert.equal(grads.failures, []);
}
