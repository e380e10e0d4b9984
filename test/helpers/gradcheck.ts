// Gradient check: reverse-mode gradients against central differences, in float64 on the CPU backend.
// The scalar checked is Σ w·f(inputs) with a fixed random w, so every output element's gradient counts
// and a wrong sign or a transposed gradient cannot cancel out.
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
      const values = Float64Array.from(base[k]!);
      for (let i = 0; i < values.length; i++) {
        const original = values[i]!;
        values[i] = original + step;
        const plus = evaluate(k, values);
        values[i] = original - step;
        const minus = evaluate(k, values);
        values[i] = original;
        const numeric = (plus - minus) / (2 * step);
        const a = analytic[i]!;
        if (!(Math.abs(a - numeric) <= tol.atol + tol.rtol * Math.abs(numeric))) {
          throw new Error(
            `gradcheck ${op}: input ${k} (shape [${x.shape}]) index ${i}: analytic ${a}, numeric ${numeric} ` +
              `(diff ${Math.abs(a - numeric).toExponential(2)}, atol ${tol.atol}, rtol ${tol.rtol})`,
          );
        }
      }
    });
  });
}
