// Runs a golden "model" case: the reference LSG-ALBERT attention sublayer (Q/K/V projections,
// LSG attention, dense, residual, LayerNorm) inside the LSGAlbertTransformer pre/post-processing.
// Written with engine ops only so the lsg tests do not depend on nn.
import { cat, layerNorm, type Rng, type Tensor } from '../../../engine/index.js';
import type { DType } from '../../../engine/dtype.js';
import { createLsgConfig, finishLsgOutputs, lsgAttention, prepareLsgInputs, type SparsityType } from '../../../lsg/index.js';
import { toTensor, type GoldenCase } from './golden.js';

const PREFIX = 'albert_layer_groups.0.albert_layers.0.attention.';

export interface ModelCaseRun {
  output: Tensor;
  layerOutput: Tensor;
  context: Tensor;
  /** Leaf tensors by golden name (hidden_states, global_embeddings.weight, parameters). */
  leaves: Record<string, Tensor>;
}

export function runModelCase(golden: GoldenCase, dtype: DType, options: { referenceQuirks: boolean; injectLsh: boolean; rng?: Rng }): ModelCaseRun {
  const c = golden.config as Record<string, any>;
  const config = createLsgConfig({
    blockSize: c.block_size,
    sparseBlockSize: c.sparse_block_size,
    sparsityFactor: c.sparsity_factor,
    sparsityType: (c.sparsity_type ?? 'none') as SparsityType,
    numGlobalTokens: c.num_global_tokens,
    maskFirstToken: c.mask_first_token,
    poolWithGlobal: c.pool_with_global,
    adaptive: c.adaptive,
    lshNumPreRounds: c.lsh_num_pre_rounds,
    isCausal: c.is_decoder,
    referenceQuirks: options.referenceQuirks,
  });
  const leaves: Record<string, Tensor> = {};
  for (const name of Object.keys(golden.grads)) {
    const json = name.startsWith('hidden') || name.startsWith('global') ? golden.inputs[name]! : golden.inputs[PREFIX + name] ?? golden.inputs[name]!;
    leaves[name] = toTensor(json, dtype, true);
  }
  const param = (name: string) => leaves[PREFIX + name] ?? leaves[name]!;
  const hiddenStates = leaves['hidden_states']!;
  const [batch, , hiddenSize] = hiddenStates.shape as [number, number, number];
  const heads = c.heads as number;
  const headDim = hiddenSize / heads;
  const globals = leaves['global_embeddings.weight']!;
  const x0 = cat([globals.unsqueeze(0).expand([batch, ...globals.shape]), hiddenStates], 1);
  const prepared = prepareLsgInputs(x0, toTensor(golden.inputs.attention_mask!, dtype), config);
  const x = prepared.hidden;                                                          // (B, g + T, hidden)
  const rows = x.shape[1]!;
  const linear = (input: Tensor, name: string) => input.matmul(param(`${name}.weight`).transpose(0, 1)).add(param(`${name}.bias`));
  const splitHeads = (y: Tensor) => y.reshape([batch, rows, heads, headDim]).permute([0, 2, 1, 3]);
  const projections = golden.inputs.lsh_projections;
  const context = lsgAttention(
    splitHeads(linear(x, 'query')), splitHeads(linear(x, 'key')), splitHeads(linear(x, 'value')),
    prepared.tokenKeep, config,
    { lsh: options.injectLsh && projections ? { projections: projections.map((p) => toTensor(p, dtype)) } : { rng: options.rng } },
  ).permute([0, 2, 1, 3]).reshape([batch, rows, hiddenSize]);
  const layerOutput = layerNorm(linear(context, 'dense').add(x), param('LayerNorm.weight'), param('LayerNorm.bias'), c.layer_norm_eps);
  const output = finishLsgOutputs(layerOutput, prepared.length, config);
  return { output, layerOutput, context, leaves };
}

