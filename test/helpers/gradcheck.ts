// Gradient check: reverse-mode gradients against central differences, in float64 on the CPU backend.
// Two entry points share one comparison: `gradcheck` for a function of inputs (the op table, LSG),
// whose scalar is Σ w·f(inputs) with a fixed random w, so every output element's gradient counts and a
// wrong sign or a transposed gradient cannot cancel out; `gradcheckParameters` for a scalar loss of
// tensors a module holds (nn layers and models), perturbed in place.
import { createRng, noGrad, tensor, withBackend, type Tensor } from '../../engine/index.js';

/** Central differences in float64 with step 1e-6: truncation ~1e-12, rounding ~1e-10·|f|. */
export const GRADCHECK_TOL = { rtol: 1e-5, atol: 1e-7 } as const;
export const GRADCHECK_STEP = 1e-6;

export interface GradcheckOptions {
  /** Names the function under test in the failure message. */
  op: string;
  tol?: { rtol: number; atol: number };
  step?: number;
  /** Seed of the random projection w. */
  seed?: number;
}

function projection(shape: readonly number[], seed: number): Tensor {
  const rng = createRng(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) w[i] = 0.5 + rng.uniform(); // in [0.5, 1.5): never zero
  return tensor(w, { shape: [...shape], dtype: 'float64' });
}

/** A float64 leaf with the given values (a fresh tensor, so the caller's inputs are never touched). */
function leaf(values: Float64Array, like: Tensor, requiresGrad: boolean): Tensor {
  return tensor(values, { shape: [...like.shape], dtype: 'float64', requiresGrad });
}

/**
 * Checks d(Σ w·fn(inputs))/d(input) for every float64 input against central differences at every index.
 * Non-float64 inputs (indices, masks) are passed through as constants. Throws naming the op, the input,
 * the index and both values.
 * @example gradcheck((a, b) => a.mul(b), [randn([2, 3], { dtype: 'float64' }), randn([3], { dtype: 'float64' })], { op: 'mul' });
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions): void {
  const { op, tol = GRADCHECK_TOL, step = GRADCHECK_STEP, seed = 1234 } = options;
  withBackend('cpu', () => {
    const checked = inputs.map((x) => x.dtype === 'float64');
    if (!checked.some(Boolean)) throw new Error(`gradcheck ${op}: no float64 input to check`);
    const base = inputs.map((x) => (x.dtype === 'float64' ? (x.toTypedArray() as Float64Array) : null));

    // Analytic gradients.
    const leaves = inputs.map((x, k) => (checked[k] ? leaf(base[k]!, x, true) : x));
    const out = fn(...leaves);
    if (out.dtype !== 'float64') throw new Error(`gradcheck ${op}: output dtype is ${out.dtype}, expected float64`);
    const w = projection(out.shape, seed);
    const loss = out.mul(w).sum();
    if (loss.requiresGrad) loss.backward();

    // Numeric gradients: perturb one element at a time.
    const evaluate = (k: number, values: Float64Array): number =>
      noGrad(() => {
        const xs = inputs.map((x, j) => (j === k ? leaf(values, x, false) : checked[j] ? leaf(base[j]!, x, false) : x));
        return fn(...xs).mul(w).sum().item();
      });
    inputs.forEach((x, k) => {
      if (!checked[k]) return;
      const analytic = leaves[k]!.grad ? (leaves[k]!.grad!.toTypedArray() as Float64Array) : new Float64Array(x.size);
      compareWithDifferences(`gradcheck ${op}: input ${k} (shape [${x.shape}])`, analytic, base[k]!, (values) => evaluate(k, values), step, tol);
    });
  });
}

/**
 * Perturbs each value in turn and compares the central difference of `evaluate` with `analytic`.
 * Throws naming `what`, the index and both values.
 */
function compareWithDifferences(
  what: string, analytic: Float64Array, base: Float64Array, evaluate: (values: Float64Array) => number,
  step: number, tol: { rtol: number; atol: number },
): void {
  const values = Float64Array.from(base);
  for (let i = 0; i < values.length; i++) {
    const original = values[i]!;
    values[i] = original + step;
    const plus = evaluate(values);
    values[i] = original - step;
    const minus = evaluate(values);
    values[i] = original;
    const numeric = (plus - minus) / (2 * step);
    const a = analytic[i]!;
    if (!(Math.abs(a - numeric) <= tol.atol + tol.rtol * Math.abs(numeric))) {
      throw new Error(
        `${what} index ${i}: analytic ${a}, numeric ${numeric} ` +
          `(diff ${Math.abs(a - numeric).toExponential(2)}, atol ${tol.atol}, rtol ${tol.rtol})`,
      );
    }
  }
}

/** Whole models sum many rounding errors: a little looser than one op's GRADCHECK_TOL. */
export const PARAMETER_GRADCHECK_TOL = { rtol: 1e-6, atol: 1e-6 } as const;

/**
 * The same check for a scalar `loss()` of float64 tensors a module holds (its parameters): each value
 * is perturbed in place (assign under noGrad) and restored afterwards.
 * @example gradcheckParameters(() => linear.forward(x).sum(), linear.parameters(), { op: 'Linear' });
 */
export function gradcheckParameters(loss: () => Tensor, params: readonly Tensor[], options: GradcheckOptions): void {
  const { op, tol = PARAMETER_GRADCHECK_TOL, step = GRADCHECK_STEP } = options;
  withBackend('cpu', () => {
    for (const param of params) param.grad = null;
    loss().backward();
    params.forEach((param, k) => {
      if (param.dtype !== 'float64') throw new Error(`gradcheck ${op}: parameter ${k} is ${param.dtype}, expected float64`);
      const analytic = param.grad ? (param.grad.toTypedArray() as Float64Array) : new Float64Array(param.size);
      const base = Float64Array.from(param.toTypedArray() as Float64Array);
      const set = (values: Float64Array) => noGrad(() => param.assign(tensor(values, { shape: [...param.shape], dtype: 'float64' })));
      compareWithDifferences(`gradcheck ${op}: parameter ${k} (shape [${param.shape}])`, analytic, base, (values) => {
        set(values);
        return noGrad(() => loss().item());
      }, step, tol);
      set(base);
    });
  });
}
