// GELU in its two forms: one fused op (a single kernel forward and backward) where the backend has
// the kernels, the composition of elementwise ops otherwise.
import type { ActivationKind } from '../backend.js';
import { defineOp, type Op } from '../op.js';
import type { Tensor } from '../tensor.js';
import { gradientTensor } from './fused.js';
import { asFloat, checkTensor } from './prepare.js';

/** One op per kind: forward and gradient from the backend's `activation` pair (the exact derivative). */
function fusedActivation(kind: ActivationKind): Op<void> {
  return defineOp({
    name: kind,
    forward: (backend, [x]) => ({ storage: backend.activation!.forward(kind, x!), shape: x!.shape, dtype: x!.dtype }),
    gradient: ([x], _out, dy) => [gradientTensor(x!.backend, x!.backend.activation!.backward(kind, x!, dy), x!.shape, x!.dtype)],
  });
}

const FUSED: Record<ActivationKind, Op<void>> = { gelu: fusedActivation('gelu'), geluNew: fusedActivation('geluNew') };

/** The composition each kind falls back to on backends without the fused kernels. */
const COMPOSED: Record<ActivationKind, (x: Tensor) => Tensor> = {
  gelu: (x) => x.mul(x.mul(Math.SQRT1_2).erf().add(1)).mul(0.5),
  geluNew: (x) => {
    const inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(inner.tanh().add(1)).mul(0.5);
  },
};

function applyActivation(kind: ActivationKind, x: Tensor): Tensor {
  checkTensor(kind, 'x', x);
  const input = asFloat(x);
  const { backend } = input;
  return backend.activation ? FUSED[kind]([input], undefined) : COMPOSED[kind](input);
}

/**
 * GELU, exact form: x·Φ(x) = ½x(1 + erf(x/√2)).
 * @example gelu(tensor([-1, 0, 1])) // [-0.1587, 0, 0.8413]
 */
export const gelu = (x: Tensor): Tensor => applyActivation('gelu', x);

/**
 * GELU, tanh approximation (ALBERT's and GPT-2's `gelu_new`): ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 * @example geluNew(tensor([-1, 0, 1])) // [-0.1588, 0, 0.8412]
 */
export const geluNew = (x: Tensor): Tensor => applyActivation('geluNew', x);
