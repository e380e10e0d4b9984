// The plain TypeScript CPU backend: typed-array storage and loops. The reference every backend is tested against.
import type { Backend } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { activation, activationGrad } from './activations.js';
import { blockAttentionBackward, blockAttentionForward, blockAttentionPreferredFor } from './block-attention.js';
import { adoptBuffer, markBuffers, releaseBuffer } from './buffer-pool.js';
import { binary, unary, where } from './elementwise.js';
import { gather, scatterAdd, topkIndices } from './indexing.js';
import { layerNorm, layerNormGrad } from './layernorm.js';
import { matmul } from './matmul.js';
import { cast, concat, contiguous, full, pad, read, scatterView } from './movement.js';
import { argReduce, reduce, softmax, softmaxGrad } from './reduce.js';
import { tidy } from './scope.js';

export const cpuBackend: Backend<TypedArray> = {
  name: 'cpu',
  fromTypedArray: (data) => data,
  read,
  full,
  unary,
  binary,
  where,
  reduce,
  argReduce,
  matmul,
  contiguous,
  cast,
  scatterView,
  concat,
  pad,
  gather,
  scatterAdd,
  topkIndices,
  softmax: { forward: softmax, backward: softmaxGrad },
  activation: { forward: activation, backward: activationGrad },
  layerNorm: { forward: layerNorm, backward: layerNormGrad },
  blockAttention: { forward: blockAttentionForward, backward: blockAttentionBackward, preferredFor: blockAttentionPreferredFor },
  recycler: { mark: markBuffers, release: releaseBuffer },
  adopt: adoptBuffer,
  tidy,
};

export * as cpuKernels from './kernels.js';
