/**
 * Central-difference gradient check in float64 for nn tests: perturbs every value of each given
 * parameter and compares (f(x+h) - f(x-h)) / 2h with the autograd gradient.
 */
import { noGrad, tensor, type Tensor } from '../../engine/index.js';

export const F64_GRAD_TOL = 1e-6;

export function gradcheck(what: string, loss: () => Tensor, params: Tensor[], { step = 1e-6, tol = F64_GRAD_TOL } = {}): void {
  for (const param of params) param.grad = null;
  loss().backward();
  params.forEach((param, paramIndex) => {
    const analytic = param.grad!.toTypedArray() as Float64Array;
    const values = Float64Array.from(param.toTypedArray() as Float64Array);
    for (let i = 0; i < values.length; i++) {
      const original = values[i]!;
      const evaluate = (value: number): number => {
        values[i] = value;
        noGrad(() => param.assign(tensor(values, { shape: [...param.shape], dtype: 'float64' })));
        return noGrad(() => loss().item());
      };
      const numeric = (evaluate(original + step) - evaluate(original - step)) / (2 * step);
      evaluate(original);
      const error = Math.abs(numeric - analytic[i]!);
      if (error > tol * Math.max(1, Math.abs(numeric))) {
        throw new Error(`gradcheck ${what}: parameter ${paramIndex} index ${i}: numeric ${numeric}, autograd ${analytic[i]}`);
      }
    }
  });
}
