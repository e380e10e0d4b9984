// lsgrad's public engine API. Importing it registers the CPU backend as the default.
import { cpuBackend } from '../backends/cpu/index.js';
import { registerBackend } from './backend.js';

registerBackend(cpuBackend);

export { Tensor, type Axes, type TensorLike } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export { registerBackend, useBackend, withBackend, getBackend, listBackends, tidy } from './backend.js';
export type { Backend, TidyOptions, View, Layout, UnaryOp, BinaryOp, ReduceOp, ArgReduceOp, FusedKernel, ActivationKind, LayerNormGradients, BlockAttentionPlan, BlockAttentionOutput, BlockAttentionGradients, BlockAttentionKernels } from './backend.js';
export { noGrad, isGradEnabled, type BackwardOptions } from './autograd.js';
export { detectAnomaly, isAnomalyDetectionEnabled, AnomalyError, type AnomalyReport } from './anomaly.js';
export { defineOp, definedOpNames, type OpDefinition } from './op.js';
export { tensor, zeros, ones, full, fullLike, zerosLike, onesLike, arange, randn, rand, randint, type TensorOptions, type RandomOptions } from './creation.js';
export { createRng, manualSeed, getDefaultRng, Rng } from './random.js';
export { argumentError, opError, configError, LsgradError, ShapeError, ArgumentError, ConfigError, CheckpointError, DataError, type ErrorDetails } from './errors.js';
export { toNdarray, fromNdarray, type NdArrayView } from './interop.js';
export { add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, abs, sign, tanh, sigmoid, relu, erf, reciprocal, maximum, minimum, eq, ne, lt, le, gt, ge, where, maskedFill, clamp } from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin, variance, logSumExp, type VarianceOptions } from './ops/reduce.js';
export { matmul } from './ops/matmul.js';
export { reshape, flatten, permute, transpose, slice, narrow, expand, flip, unsqueeze, squeeze, unfold, contiguous, cast, pad, cat, stack } from './ops/movement.js';
export { toBackend } from './ops/transfer.js';
export { gather, scatterAdd, indexSelect, topk, embedding, type TopkOptions } from './ops/indexing.js';
export { softmax, logSoftmax, gelu, geluNew, layerNorm, dropout, crossEntropy, type DropoutOptions, type CrossEntropyOptions } from './ops/composite.js';
export { MASK_VALUE, attentionProbabilities, denseAttention } from './ops/attention.js';
