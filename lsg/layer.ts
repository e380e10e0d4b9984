// The parameter-free standalone layer: reference LSGSelfAttention / BlockLocalSelfAttention
// (lsg_converter/attention_layers/lsg_self_attention.py), docs/lsg-reference.md#standalone-layer.
import { cat, denseAttention, full, MASK_VALUE, zeros, type Rng, type Tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { blockAttention, type KeySet } from './block-attention.js';
import { createLsgLayerConfig, type LsgLayerConfig } from './config.js';
import { causalMask, keepAll, keepToAdditive } from './masks.js';
import { planSparsePart, type SparsePart } from './sparse-part.js';
import { injectedProjections, seededProjections, type LshProjections } from './sparse/index.js';
import { noTrace, type TensorTrace } from './trace.js';

/** Where LSH hyperplanes come from: recorded tensors (call order), a generator, or (neither) the global generator. */
export interface LshOptions {
  readonly projections?: readonly Tensor[];
  readonly rng?: Rng;
  readonly numPreRounds?: number;
}

export interface LsgSelfAttentionOptions extends Partial<LsgLayerConfig> {
  /** Keep flags (batch, seq): 1 for a real token, 0 for padding. */
  readonly attentionMask?: Tensor;
  /** The standalone reference has no lsh; outside referenceQuirks it hashes chunks of blockSize. */
  readonly lsh?: LshOptions;
  readonly trace?: TensorTrace;
}

/** @internal The projection source named by LshOptions: recorded tensors, its generator, or the global one. */
export function lshSource(options: LshOptions | undefined): LshProjections {
  if (options?.projections) return injectedProjections(options.projections);
  return seededProjections(options?.rng);
}

function checkInputs(fn: string, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | undefined): void {
  if (q.rank !== 4) throw argumentError(fn, 'q.shape', q.shape, 'a rank-4 shape (batch, heads, seq, headDim)');
  if (k.shape.join() !== q.shape.join() || v.shape.join() !== q.shape.join()) {
    throw argumentError(fn, 'k.shape and v.shape', [k.shape, v.shape], `both equal to q.shape [${q.shape}]`);
  }
  if (mask && (mask.rank !== 2 || mask.shape[0] !== q.shape[0] || mask.shape[1] !== q.shape[2])) {
    throw argumentError(fn, 'attentionMask.shape', mask.shape, `[${q.shape[0]}, ${q.shape[2]}] (batch, seq) keep flags`);
  }
}

/** The additive mask with position 0 removed, so the global token 0 is not counted twice. */
function withoutFirstPosition(mask: Tensor): Tensor {
  const [batch, , length] = mask.shape as [number, number, number];
  return cat([full([batch, 1, 1], MASK_VALUE, { dtype: mask.dtype }), mask.narrow(2, 1, length - 1)], 2);
}

/** Everything the standalone layer computes before its attention products; shared with the connectivity. */
export interface LayerPlan {
  readonly config: LsgLayerConfig;
  /** Additive mask of the caller (batch, 1, seq). */
  readonly originalMask: Tensor;
  /** Short inputs run dense attention; the fields below are then absent. */
  readonly isShort: boolean;
  /** Inputs padded to a block multiple T (batch, heads, T, headDim). */
  readonly queries?: Tensor;
  readonly keys?: Tensor;
  readonly values?: Tensor;
  /** Additive mask (batch, 1, T) of the local and sparse keys (token 0 removed when global). */
  readonly selectionMask?: Tensor;
  readonly global?: KeySet;
  readonly sparse?: SparsePart;
  /** Query 0 attends densely to every key, replacing its block result. */
  readonly firstQueryIsGlobal: boolean;
}

/** @internal The standalone layer's plan: config, padding, masks, global key and sparse tokens. */
export function planLsgSelfAttention(q: Tensor, k: Tensor, v: Tensor, options: LsgSelfAttentionOptions): LayerPlan {
  const { attentionMask, lsh, trace: _trace, ...configOptions } = options;
  const config = createLsgLayerConfig(configOptions);
  checkInputs('lsgSelfAttention', q, k, v, attentionMask);
  const { blockSize, sparsityFactor, isCausal, referenceQuirks } = config;
  const [batch, , length] = q.shape as [number, number, number, number];
  const dtype = q.dtype;
  const originalMask = attentionMask ? keepToAdditive(attentionMask, dtype) : keepAll(batch, length, dtype); // (B, 1, t)
  // Short path: the local window already covers the input (sparsity and global have no effect).
  if (length <= 2 * blockSize) return { config, originalMask, isShort: true, firstQueryIsGlobal: false };

  const paddedLength = Math.ceil(length / blockSize) * blockSize;
  const extra = paddedLength - length;
  const padRows = (x: Tensor) => (extra ? x.pad([[0, 0], [0, 0], [0, extra], [0, 0]]) : x);
  const [queries, keys, values] = [padRows(q), padRows(k), padRows(v)];            // (B, H, T, D)
  const paddedMask = extra ? originalMask.pad([[0, 0], [0, 0], [0, extra]], MASK_VALUE) : originalMask;
  const useGlobal = config.computeGlobalAttention;
  const selectionMask = useGlobal ? withoutFirstPosition(paddedMask) : paddedMask;
  const global = useGlobal
    ? {
        keys: keys.narrow(2, 0, 1),
        values: values.narrow(2, 0, 1),
        // NOTE: the reference gives the global key mask 0 even when token 0 is padding (docs/lsg-reference.md#global-key-padding).
        mask: referenceQuirks ? zeros([batch, 1, 1], { dtype }) : originalMask.narrow(2, 0, 1),
      }
    : undefined;

  // The reference standalone layer has no lsh: the name falls back to "no sparse part".
  const sparsityType = referenceQuirks && config.sparsityType === 'lsh' ? 'none' : config.sparsityType;
  const sparse = planSparsePart('standalone', sparsityType, {
    queries, keys, values,
    mask: selectionMask,
    poolingMask: paddedMask,
    blockSize, sparsityFactor,
    chunkSize: blockSize,
    poolingMasksNeverMask: referenceQuirks,
    lshNumPreRounds: lsh?.numPreRounds ?? 1,
    lsh: lshSource(lsh),
  }, { blockSize, sparsityFactor, slotsPerSide: blockSize, isCausal }, referenceQuirks);
  return {
    config, originalMask, isShort: false,
    queries, keys, values, selectionMask, global, sparse,
    // Non-causal: query 0 is the global query and attends densely to every key (docs/lsg-reference.md#standalone-global-token).
    // NOTE: the reference also does this for bos_pooling without global attention.
    firstQueryIsGlobal: !isCausal && (useGlobal || (referenceQuirks && sparsityType === 'bos_pooling')),
  };
}

/**
 * LSG self-attention: local blocks, sparse tokens and token 0 as a global token.
 * q, k, v (batch, heads, seq, headDim) → (batch, heads, seq, headDim).
 * @example
 * const x = randn([1, 2, 64, 8]);
 * lsgSelfAttention(x, x, x, { blockSize: 8, sparsityFactor: 4, sparsityType: 'stride' }).shape // [1, 2, 64, 8]
 */
export function lsgSelfAttention(q: Tensor, k: Tensor, v: Tensor, options: LsgSelfAttentionOptions = {}): Tensor {
  const plan = planLsgSelfAttention(q, k, v, options);
  const { blockSize, isCausal } = plan.config;
  const length = q.shape[2]!;
  if (plan.isShort) {
    let mask = plan.originalMask.unsqueeze(2);                                       // (B, 1, 1, t)
    if (isCausal) mask = mask.add(causalMask(length, q.dtype)).clamp(MASK_VALUE);
    return denseAttention(q, k, v, mask);
  }
  const context = blockAttention({
    queries: plan.queries!, keys: plan.keys!, values: plan.values!,
    mask: plan.selectionMask!,
    global: plan.global,
    sparse: plan.sparse,
    blockSize, isCausal,
    trace: options.trace ?? noTrace,
  }).narrow(2, 0, length);
  if (!plan.firstQueryIsGlobal) return context;
  const firstRow = denseAttention(q.narrow(2, 0, 1), k, v, plan.originalMask.unsqueeze(2));
  return cat([firstRow, context.narrow(2, 1, length - 1)], 2);
}

/**
 * Local blocks plus token 0 as a global token, with no sparse part (reference BlockLocalSelfAttention).
 * @example
 * const x = randn([1, 2, 40, 8]);
 * blockLocalSelfAttention(x, x, x, { blockSize: 8 }).shape // [1, 2, 40, 8]
 */
export function blockLocalSelfAttention(
  q: Tensor, k: Tensor, v: Tensor,
  options: Omit<LsgSelfAttentionOptions, 'sparsityType' | 'sparsityFactor' | 'lsh'> = {},
): Tensor {
  return lsgSelfAttention(q, k, v, { ...options, sparsityType: 'none' });
}
