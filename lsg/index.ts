// lsgrad/lsg: LSG (Local, Sparse, Global) attention from engine ops (arXiv 2210.15497).
export {
  SPARSITY_TYPES, LAYER_DEFAULTS, MODEL_DEFAULTS, MAX_GLOBAL_TOKENS,
  createLsgConfig, createLsgLayerConfig, parseSparsityType,
  type SparsityType, type LsgConfig, type LsgLayerConfig,
} from './config.js';
export { keepToAdditive } from './masks.js';
export { lsgSelfAttention, blockLocalSelfAttention, type LsgSelfAttentionOptions, type LshOptions } from './layer.js';
export { lsgAttention, type LsgRuntimeOptions } from './attention.js';
export { prepareLsgInputs, finishLsgOutputs, type PreparedLsgInputs } from './sequence.js';
export { normalSlots, referenceSlots, type SparseSlots } from './slots.js';
export { injectedProjections, seededProjections, type LshProjections } from './sparse/index.js';
export { largestTensorTracker, type TensorTrace } from './trace.js';
export { lsgConnectivity, lsgModelConnectivity, attendOverConnectivity, type Connectivity } from './connectivity.js';
export { createLsgAttentionFunction, type LsgAttentionCallContext } from './attention-function.js';
// LSG-ALBERT (lsg/albert.ts; it, lsg/models/ and lsg/convert.ts are the lsg files that import nn).
export * from './albert.js';
// The dense → LSG-ALBERT converter (lsg/convert.ts).
export { convertToLsg, convertToLsgFiles, convertAlbertCheckpoint, convertAlbertState, tokenizerIdsOf, referencePositionRows, orderPositions, tilePositions, lsgArchitectureName, CONVERT_DEFAULTS, CONVERTIBLE_MODEL_TYPES, type ConvertOptions, type ConversionReport, type TokenizerIds } from './convert.js';
// LSG-BERT, LSG-RoBERTa, LSG-XLM-RoBERTa, LSG-CamemBERT (lsg/bert.ts, lsg/bert-config.ts).
export * from './models/bert-config.js';
export * from './models/pytorch.js';
export * from './models/bert.js';
export { withLsgAttention, prependGlobalRows, runLsgEncoder, type LsgBuildOptions } from './models/encoder-steps.js';
