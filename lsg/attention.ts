// Model-level LSG attention, the kernel LSG-ALBERT injects into its attention sublayer
// (reference modeling_lsg_albert.py: LSGSelfAttention.not_causal_forward + LSGAttentionProduct),
// docs/lsg-reference.md#model-attention. The numGlobalTokens global tokens are rows 0..g-1 of q, k and v: LSG-ALBERT
// prepends them to the hidden states before the Q/K/V projections (docs/lsg-albert-wiring.md).
import { cat, denseAttention, zeros, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { blockAttention, type KeySet } from './block-attention.js';
import type { LsgConfig, SparsityType } from './config.js';
import { keepToAdditive } from './masks.js';
import { lshSource, type LshOptions } from './layer.js';
import { planSparsePart, type SparsePart } from './sparse-part.js';
import { noTrace, type TensorTrace } from './trace.js';

export interface LsgRuntimeOptions {
  /** LSH hyperplanes: recorded (call order) or drawn from a seeded generator. */
  readonly lsh?: Omit<LshOptions, 'numPreRounds'>;
  readonly trace?: TensorTrace;
}

/** Everything the model attention computes before its attention products; shared with the connectivity. */
export interface ModelPlan {
  readonly config: LsgConfig;
  /** Additive mask (batch, 1, g + T) over all rows: globals are never masked. */
  readonly allMask: Tensor;
  /** Additive mask (batch, 1, T) over the token rows. */
  readonly tokenMask: Tensor;
  readonly isShort: boolean;
  readonly global: KeySet;
  readonly sparse?: SparsePart;
}

/** @internal The model attention's plan: masks, global keys and sparse tokens. */
export function planLsgAttention(q: Tensor, k: Tensor, v: Tensor, tokenKeep: Tensor, config: LsgConfig, runtime: LsgRuntimeOptions): ModelPlan {
  const fn = 'lsgAttention';
  const { blockSize, sparseBlockSize, sparsityFactor, numGlobalTokens, isCausal, referenceQuirks } = config;
  if (q.rank !== 4 || k.shape.join() !== q.shape.join() || v.shape.join() !== q.shape.join()) {
    throw argumentError(fn, 'q, k, v shapes', [q.shape, k.shape, v.shape], 'three equal rank-4 shapes (batch, heads, g + T, headDim)');
  }
  const [batch, , rows] = q.shape as [number, number, number, number];
  const tokens = rows - numGlobalTokens;
  if (tokenKeep.rank !== 2 || tokenKeep.shape[0] !== batch || tokenKeep.shape[1] !== tokens) {
    throw argumentError(fn, 'tokenKeep.shape', tokenKeep.shape, `[${batch}, ${tokens}]: keep flags of the ${tokens} rows after the ${numGlobalTokens} global rows`);
  }
  const dtype = q.dtype;
  const tokenMask = keepToAdditive(tokenKeep, dtype);                              // (B, 1, T)
  const globalMask = zeros([batch, 1, numGlobalTokens], { dtype });               // globals are never masked
  const allMask = cat([globalMask, tokenMask], 2);
  const global = { keys: k.narrow(2, 0, numGlobalTokens), values: v.narrow(2, 0, numGlobalTokens), mask: globalMask };
  // Short path: dense attention of everything over everything (no sparsity, no causality).
  if (tokens <= 2 * blockSize) return { config, allMask, tokenMask, isShort: true, global };
  if (tokens % blockSize !== 0) {
    throw argumentError(fn, 'token rows', tokens, `a multiple of blockSize ${blockSize} (pad with prepareLsgInputs and adaptive: true)`);
  }
  const split = (x: Tensor) => x.narrow(2, numGlobalTokens, tokens);
  const sparsityType = effectiveSparsityType(config);
  // NOTE: the reference reads sparseBlockSize 0 as "no sparse part", whatever the sparsity type.
  const sparse = planSparsePart('model', sparseBlockSize > 0 ? sparsityType : 'none', {
    queries: split(q), keys: split(k), values: split(v),
    mask: tokenMask,
    poolingMask: tokenMask,
    blockSize, sparsityFactor,
    chunkSize: Math.min(blockSize, sparseBlockSize),
    // NOTE: model pooling builds its mask from counts (correct); only bos_pooling overflows (docs/lsg-reference.md#pooled-masks).
    poolingMasksNeverMask: referenceQuirks && sparsityType === 'bos_pooling',
    lshNumPreRounds: config.lshNumPreRounds,
    lsh: lshSource(runtime.lsh),
  }, { blockSize, sparsityFactor, slotsPerSide: sparseBlockSize, isCausal }, referenceQuirks);
  return { config, allMask, tokenMask, isShort: false, global, sparse };
}

/**
 * LSG attention over [global tokens | tokens].
 * q, k, v: (batch, heads, g + T, headDim), rows 0..g-1 being the global tokens;
 * tokenKeep: (batch, T) keep flags of the token rows (1 real, 0 padding), after maskFirstToken
 * and adaptive padding (see `prepareLsgInputs`). Returns (batch, heads, g + T, headDim).
 * T must be a multiple of blockSize when T > 2·blockSize.
 * @example
 * const config = createLsgConfig({ blockSize: 8, sparseBlockSize: 8, sparsityFactor: 2, numGlobalTokens: 1 });
 * const x = randn([1, 2, 1 + 64, 8]);
 * lsgAttention(x, x, x, ones([1, 64]), config).shape // [1, 2, 65, 8]
 */
export function lsgAttention(q: Tensor, k: Tensor, v: Tensor, tokenKeep: Tensor, config: LsgConfig, runtime: LsgRuntimeOptions = {}): Tensor {
  const plan = planLsgAttention(q, k, v, tokenKeep, config, runtime);
  const allMask = plan.allMask.unsqueeze(2);                                         // (B, 1, 1, g + T)
  if (plan.isShort) return denseAttention(q, k, v, allMask);
  const g = config.numGlobalTokens;
  const tokens = q.shape[2]! - g;
  // Global queries attend to every key (bidirectional even when causal, docs/lsg-reference.md#half-causal-decoder).
  const globalContext = denseAttention(q.narrow(2, 0, g), k, v, allMask);
  const split = (x: Tensor) => x.narrow(2, g, tokens);
  const tokenContext = blockAttention({
    queries: split(q), keys: split(k), values: split(v),
    mask: plan.tokenMask,
    global: plan.global,
    sparse: plan.sparse,
    blockSize: config.blockSize,
    isCausal: config.isCausal,
    trace: runtime.trace ?? noTrace,
  });
  return cat([globalContext, tokenContext], 2);
}

/** NOTE: with sparsityFactor == sparseBlockSize the reference's lsh silently runs bos_pooling (docs/lsg-reference.md#lsh). */
export function effectiveSparsityType(config: LsgConfig): SparsityType {
  const lshFallsBack = config.sparsityType === 'lsh' && config.sparsityFactor === config.sparseBlockSize && config.sparsityFactor > 1;
  return config.referenceQuirks && lshFallsBack ? 'bos_pooling' : config.sparsityType;
}
