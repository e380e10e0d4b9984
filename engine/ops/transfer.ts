// Copying a tensor to another backend, as an op: the gradient crosses back, so autograd does not stop at the copy.
import { getBackend, type Backend } from '../backend.js';
import { defineOp, type Op } from '../op.js';
import type { Tensor } from '../tensor.js';

// NOTE: the forward gets the input's backend (to read x there); its output lives on the target,
// as fresh row-major storage at offset 0, so it shares nothing with x.
const toBackendOp: Op<Backend> = defineOp<Backend>({
  name: 'toBackend',
  forward: (source, [x], target) => ({ storage: target.fromTypedArray(source.read(x!), x!.dtype), shape: x!.shape, dtype: x!.dtype, backend: target }),
  // A copy's gradient is dy itself, moved to where x lives so that it adds to x's other gradients there.
  gradient: ([x], _out, dy) => [toBackendOp([dy], x!.backend)],
});

/**
 * A copy of x on the named backend, or x itself when it lives there already. Gradients flow back
 * through the copy and arrive on x's backend.
 * @example const y = toBackend(x, 'gpujs'); y.mul(2).sum().backward(); // x.grad lives on x's backend
 */
export function toBackend(x: Tensor, name: string): Tensor {
  const target = getBackend(name);
  return target === x.backend ? x : toBackendOp([x], target);
}
