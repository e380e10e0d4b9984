// Runs the gpujs op table (and, when asked, LSG attention and an ALBERT step) on a backend against
// the CPU backend. Used in-process by the cpu/webasm tests and in child processes for headlessgl/webgpu.
import { randn, createRng, withBackend, type Tensor } from '../../engine/index.js';
import { expectClose, type Tolerance } from '../helpers/close.js';
import { OP_CASES, caseInputs, wantsGrad, type OpCase } from './op-cases.js';

/**
 * float32 against float32. NOTE: a little looser than F32_TOL in absolute terms: GPU modes evaluate
 * exp/log/erf with their own approximations (erf to 1.5e-7), and sums in a different order.
 */
export const GPUJS_TOL: Tolerance = { rtol: 1e-4, atol: 2e-5 };

export interface CaseResult {
  name: string;
  ok: boolean;
  message?: string;
}

interface Outcome {
  output: Tensor;
  grads: (Tensor | null)[];
}

function evaluate(opCase: OpCase, inputs: readonly Tensor[], seed: number, backendName: string): Outcome {
  return withBackend(backendName, () => {
    const leaves = inputs.map((x, k) => {
      const copy = x.toBackend(backendName).detach();
      if (wantsGrad(opCase.inputs[k]!)) copy.requiresGrad = true;
      return copy;
    });
    const output = opCase.run(...leaves);
    if (output.requiresGrad) {
      const weights = randn(output.shape, { rng: createRng(seed + 1000) }).toBackend(backendName);
      output.mul(weights).sum().backward();
    }
    return { output, grads: leaves.map((leaf) => leaf.grad) };
  });
}

/** Forward values and input gradients of one case on `backendName` vs the CPU backend. */
export function checkCase(opCase: OpCase, seed: number, backendName: string, tol: Tolerance = GPUJS_TOL): void {
  const inputs = caseInputs(opCase, seed);
  const expected = evaluate(opCase, inputs, seed, 'cpu');
  const actual = evaluate(opCase, inputs, seed, backendName);
  if (actual.output.shape.join() !== expected.output.shape.join()) {
    throw new Error(`${opCase.name}: output shape [${actual.output.shape}], expected [${expected.output.shape}]`);
  }
  if (actual.output.dtype !== expected.output.dtype) throw new Error(`${opCase.name}: output dtype ${actual.output.dtype}, expected ${expected.output.dtype}`);
  expectClose(actual.output.toTypedArray(), expected.output.toTypedArray(), tol, `${opCase.name} forward`);
  expected.grads.forEach((grad, k) => {
    const got = actual.grads[k];
    if (!grad && !got) return;
    if (!grad || !got) throw new Error(`${opCase.name}: gradient of input ${k} is ${got ? 'present' : 'missing'} on ${backendName} but ${grad ? 'present' : 'missing'} on cpu`);
    expectClose(got.toTypedArray(), grad.toTypedArray(), tol, `${opCase.name} gradient of input ${k}`);
  });
}

export function runOpTable(backendName: string): CaseResult[] {
  return OP_CASES.map((opCase, k) => {
    try {
      checkCase(opCase, k + 1, backendName);
      return { name: opCase.name, ok: true };
    } catch (error) {
      return { name: opCase.name, ok: false, message: (error as Error).message };
    }
  });
}
