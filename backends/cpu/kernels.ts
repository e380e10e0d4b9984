// The pure CPU loops, for other backends to reuse as fallbacks.
export { activation, activationGrad } from './activations.js';
export { binary, unary, where } from './elementwise.js';
export { gather, scatterAdd, topkIndices } from './indexing.js';
export { layerNorm, layerNormGrad } from './layernorm.js';
export { matmul } from './matmul.js';
export { cast, concat, contiguous, full, pad, read, scatterView } from './movement.js';
export { argReduce, reduce, softmax, softmaxGrad } from './reduce.js';
export { forEachRun } from './strided.js';
