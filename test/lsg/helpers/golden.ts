// Loads the golden cases of test/fixtures/lsg: inputs, outputs and gradients the reference PyTorch
// implementation produced (how, and every field: test/fixtures/lsg/README.md).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../../../engine/index.js';
import type { DType } from '../../../engine/dtype.js';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/lsg');

export interface JsonTensor { shape: number[]; data: number[] }

export interface GoldenCase {
  name: string;
  source: 'standalone' | 'model';
  config: Record<string, unknown> & { batch: number; heads: number; seq: number };
  inputs: Record<string, JsonTensor> & { lsh_projections?: JsonTensor[] };
  outputs: Record<string, JsonTensor>;
  grads: Record<string, JsonTensor>;
  tolerance: { atol: number; rtol: number };
  check: 'full' | 'shape';
  sparse_layout: string;
}

export function goldenNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5)).sort();
}

export function loadGolden(name: string): GoldenCase {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8')) as GoldenCase;
}

export function toTensor(json: JsonTensor, dtype: DType, requiresGrad = false): Tensor {
  return tensor(json.data, { shape: json.shape, dtype, requiresGrad });
}

/** The largest |actual - expected| and whether every element is within atol + rtol·|expected|. */
export function compare(actual: Tensor, expected: JsonTensor, tolerance: { atol: number; rtol: number }): { maxError: number; ok: boolean; worst: string } {
  if (actual.shape.join() !== expected.shape.join()) {
    return { maxError: Infinity, ok: false, worst: `shape [${actual.shape}] vs [${expected.shape}]` };
  }
  const values = actual.toTypedArray();
  let maxError = 0;
  let ok = true;
  let worst = '';
  expected.data.forEach((want, i) => {
    const error = Math.abs(values[i]! - want);
    if (!(error <= tolerance.atol + tolerance.rtol * Math.abs(want))) {
      if (ok) worst = `index ${i}: ${values[i]} vs ${want}`;
      ok = false;
    }
    if (!(error <= maxError)) maxError = error;
  });
  return { maxError, ok, worst };
}
