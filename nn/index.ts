/** lsgrad/nn: modules, layers, losses, optimizers, checkpoints, and ALBERT. */
export { Module, type StateDict, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { normalParameter, uniformParameter, zerosParameter, onesParameter, type InitOptions } from './init.js';
export { Linear, type LinearOptions } from './linear.js';
export { LayerNorm, type LayerNormOptions } from './layernorm.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { ACTIVATIONS, gelu, geluNew, relu, tanh, type Activation } from './activations.js';
export { crossEntropy, mse, bceWithLogits, type CrossEntropyOptions, type Reduction } from './losses.js';
export { Optimizer, type ParamGroup, type ParamGroupOptions, type ParamsInput } from './optim/optimizer.js';
export { SGD, type SgdOptions } from './optim/sgd.js';
export { AdamW, type AdamWOptions, type Moments as AdamWMoments } from './optim/adamw.js';
export { clipGradNorm, gradNorm } from './optim/clip.js';
export { warmupSchedule, LrScheduler, type WarmupScheduleOptions } from './optim/schedule.js';
export { weightDecayGroups, isNoDecayName } from './optim/groups.js';
export { parseSafetensors, serializeSafetensors, SAFETENSORS_DTYPES, type SafetensorsDtype, type SafetensorsEntry, type SafetensorsFile, type SafetensorsInput } from './safetensors.js';
export { loadSafetensors, saveSafetensors, stateDictFromSafetensors, safetensorsFromStateDict, writeFileAtomic } from './checkpoint.js';
export * from './albert/index.js';
