// Backend parity: every row of the shared op table (test/helpers/op-cases.ts) on a backend against the
// CPU backend, forward values and input gradients in float32. Used in-process by the cpu/webasm tests
// and in child processes for headlessgl/webgpu; a backend added later runs the same rows through runOpTable.
import { randn, createRng, withBackend, type Tensor } from '../../engine/index.js';
import { expectClose, type Tolerance } from '../helpers/close.js';
import { OP_CASES, caseLabel, makeInputs, type OpCase } from '../helpers/op-cases.js';

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

/** Float inputs of differentiable rows get gradients; int and bool inputs are constants. */
function wantsGrad(opCase: OpCase, input: Tensor): boolean {
  return opCase.grad !== false && input.dtype === 'float32';
}

function evaluate(opCase: OpCase, inputs: readonly Tensor[], backendName: string): Outcome {
  return withBackend(backendName, () => {
    const leaves = inputs.map((x) => {
      const copy = x.toBackend(backendName).detach();
      if (wantsGrad(opCase, x)) copy.requiresGrad = true;
      return copy;
    });
    const output = opCase.run(...leaves);
    if (output.requiresGrad) {
      const weights = randn(output.shape, { rng: createRng(1000) }).toBackend(backendName);
      output.mul(weights).sum().backward();
    }
    return { output, grads: leaves.map((leaf) => leaf.grad) };
  });
}

/** The row with this label (`caseLabel`: `name (variant)`); throws if the table has none. */
export function caseByLabel(label: string): OpCase {
  const found = OP_CASES.find((c) => caseLabel(c) === label);
  if (!found) throw new Error(`no op-table row is labelled '${label}'`);
  return found;
}

/** Forward values and input gradients of one case on `backendName` vs the CPU backend. */
export function checkCase(opCase: OpCase, backendName: string, tol: Tolerance = GPUJS_TOL): void {
  const name = caseLabel(opCase);
  const inputs = withBackend('cpu', () => makeInputs(opCase, 'float32'));
  const expected = evaluate(opCase, inputs, 'cpu');
  const actual = evaluate(opCase, inputs, backendName);
  if (actual.output.shape.join() !== expected.output.shape.join()) {
    throw new Error(`${name}: output shape [${actual.output.shape}], expected [${expected.output.shape}]`);
  }
  if (actual.output.dtype !== expected.output.dtype) throw new Error(`${name}: output dtype ${actual.output.dtype}, expected ${expected.output.dtype}`);
  expectClose(actual.output.toTypedArray(), expected.output.toTypedArray(), tol, `${name} forward`);
  expected.grads.forEach((grad, k) => {
    const got = actual.grads[k];
    if (!grad && !got) return;
    if (!grad || !got) throw new Error(`${name}: gradient of input ${k} is ${got ? 'present' : 'missing'} on ${backendName} but ${grad ? 'present' : 'missing'} on cpu`);
    expectClose(got.toTypedArray(), grad.toTypedArray(), tol, `${name} gradient of input ${k}`);
  });
}

export function runOpTable(backendName: string): CaseResult[] {
  return OP_CASES.map((opCase) => {
    try {
      checkCase(opCase, backendName);
      return { name: caseLabel(opCase), ok: true };
    } catch (error) {
      return { name: caseLabel(opCase), ok: false, message: (error as Error).message };
    }
  });
}
