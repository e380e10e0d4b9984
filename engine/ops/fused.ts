// Shared by the fused ops: their gradients call one backend kernel that returns several storages.
import type { Backend } from '../backend.js';
import type { DType } from '../dtype.js';
import { contiguousStrides } from '../shape.js';
import { Tensor } from '../tensor.js';

/**
 * A contiguous tensor over storage a fused gradient kernel returned. Gradients run under noGrad,
 * so no graph node is needed: this is the gradient-side counterpart of defineOp's forward wrapping.
 */
export function gradientTensor(backend: Backend, storage: unknown, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor({ storage, shape, strides: contiguousStrides(shape), offset: 0, dtype, backend });
}
