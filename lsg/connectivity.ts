// The explicit key set of every query (docs/lsg-reference.md#dense-equivalence): a count matrix over the original keys plus the
// pooled sparse tokens. It is computed by plain index arithmetic from the paper's description,
// independently of the block layout, so tests can check LSG against dense attention over it,
// and pictures can show it. Each query row sees a key `count` times (2 only where the
// reference duplicates a key, in its degenerate layouts).
import { cat, denseAttention, MASK_VALUE, tensor, where, type Tensor } from '../engine/index.js';
import { planLsgAttention, type LsgRuntimeOptions } from './attention.js';
import type { LsgConfig } from './config.js';
import { planLsgSelfAttention, type LsgSelfAttentionOptions } from './layer.js';
import type { SparseTokens } from './sparse/index.js';
import type { SparseSlots } from './slots.js';

export interface Connectivity {
  /** (batch, heads, queries, numKeys + pooled): how often each query attends to each column. */
  readonly counts: Tensor;
  /** Columns 0..numKeys-1 are the input's keys (for the model: global rows, then tokens). */
  readonly numKeys: number;
  /** Keys and values (batch, heads, pooled, headDim) of the pooled columns after numKeys, if any. */
  readonly pooledKeys?: Tensor;
  readonly pooledValues?: Tensor;
}

/** 1 where an additive mask keeps, as a flat array over its expanded (batch, heads, length) shape. */
function keepFlags(mask: Tensor, batch: number, heads: number): Uint8Array {
  const values = mask.expand([batch, heads, mask.shape[2]!]).toTypedArray();
  return Uint8Array.from(values, (value) => (value === 0 ? 1 : 0));
}

interface SparseView {
  readonly slots: readonly number[];
  readonly step: number;
  readonly length: number;
  readonly keep: Uint8Array;                 // (batch, heads, length)
  readonly positions?: Int32Array;           // (batch, heads, length), selection types only
}

function sparseView(sparse: (SparseTokens & { slots: SparseSlots; step: number }) | undefined, batch: number, heads: number): SparseView | undefined {
  if (!sparse) return undefined;
  const length = sparse.keys.shape[2]!;
  return {
    slots: [...sparse.slots.left, ...sparse.slots.right],
    step: sparse.step,
    length,
    keep: keepFlags(sparse.mask, batch, heads),
    positions: sparse.positions ? (sparse.positions.expand([batch, heads, length]).toTypedArray() as Int32Array) : undefined,
  };
}

/** Adds one query block row's sparse and local keys; `column(p)` maps token p to its column. */
function addBlockRow(
  row: CountArray, b: number, h: number, heads: number, tokenIndex: number,
  geometry: { blockSize: number; tokens: number; validTokens: number; isCausal: boolean; pooledBase: number },
  tokenKeep: Uint8Array, sparse: SparseView | undefined, column: (p: number) => number,
): void {
  const { blockSize, tokens, validTokens, isCausal, pooledBase } = geometry;
  const block = Math.floor(tokenIndex / blockSize);
  if (sparse) {
    const base = (b * heads + h) * sparse.length;
    for (const offset of sparse.slots) {
      const slot = block * sparse.step + offset;
      if (slot < 0 || slot >= sparse.length || !sparse.keep[base + slot]) continue;
      if (sparse.positions) row[column(sparse.positions[base + slot]!)]! += 1;
      else row[pooledBase + slot]! += 1;
    }
  }
  const start = Math.max(0, (block - 1) * blockSize);
  const end = Math.min(isCausal ? tokenIndex + 1 : (block + 2) * blockSize, validTokens, tokens);
  for (let p = start; p < end; p++) if (tokenKeep[b * tokens + p]) row[column(p)]! += 1;
}

/** Counts are small integers, exact in either float type. */
type CountArray = Float32Array | Float64Array;

/**
 * Zeroed counts in the dtype of the result. NOTE: allocated in that dtype, not in float64 and then
 * cast: a 4,096-token picture's (4,097 × 4,097) counts would otherwise take 134 MB plus the cast copy.
 */
function countArray(size: number, dtype: Tensor['dtype']): CountArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

function finish(counts: CountArray, shape: number[], numKeys: number, dtype: Tensor['dtype'], sparse?: SparseTokens): Connectivity {
  const pooled = sparse && !sparse.positions;
  return {
    counts: tensor(counts, { shape, dtype: counts instanceof Float64Array ? 'float64' : 'float32' }).cast(dtype),
    numKeys,
    pooledKeys: pooled ? sparse.keys : undefined,
    pooledValues: pooled ? sparse.values : undefined,
  };
}

/**
 * The key set of every query of `lsgSelfAttention(q, k, v, options)`. For lsh, pass a generator
 * seeded like the attention call's: each call draws its own projections.
 * @example
 * const x = randn([1, 1, 32, 4]);
 * lsgConnectivity(x, x, x, { blockSize: 4, sparsityFactor: 2, sparsityType: 'stride' }).counts.shape // [1, 1, 32, 32 + 0]
 */
export function lsgConnectivity(q: Tensor, k: Tensor, v: Tensor, options: LsgSelfAttentionOptions = {}): Connectivity {
  const plan = planLsgSelfAttention(q, k, v, options);
  const [batch, heads, length] = q.shape as [number, number, number, number];
  const { blockSize, isCausal } = plan.config;
  const originalKeep = keepFlags(plan.originalMask, batch, 1);
  const sparse = sparseView(plan.sparse, batch, heads);
  const columns = length + (sparse && !sparse.positions ? sparse.length : 0);
  const counts = countArray(batch * heads * length * columns, q.dtype);
  const tokens = plan.isShort ? length : plan.keys!.shape[2]!;
  const selectionKeep = plan.isShort ? originalKeep : keepFlags(plan.selectionMask!, batch, 1);
  const globalKeep = plan.global ? keepFlags(plan.global.mask, batch, 1) : undefined;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let r = 0; r < length; r++) {
        const row = counts.subarray(((b * heads + h) * length + r) * columns, ((b * heads + h) * length + r + 1) * columns);
        const dense = plan.isShort || (r === 0 && plan.firstQueryIsGlobal);
        if (dense) {
          const causal = plan.isShort && isCausal;
          for (let p = 0; p < length; p++) if (originalKeep[b * length + p] && (!causal || p <= r)) row[p] = 1;
          continue;
        }
        if (globalKeep?.[b]) row[0]! += 1;
        addBlockRow(row, b, h, heads, r, { blockSize, tokens, validTokens: length, isCausal, pooledBase: length },
          selectionKeep, sparse, (p) => p);
      }
    }
  }
  return finish(counts, [batch, heads, length, columns], length, q.dtype, plan.sparse);
}

/**
 * The key set of every query of the model-level `lsgAttention(q, k, v, tokenKeep, config)`:
 * columns are the g global rows, the T token rows, then any pooled sparse tokens.
 * @example lsgModelConnectivity(q, k, v, ones([1, 64]), createLsgConfig({ blockSize: 8 })).counts
 */
export function lsgModelConnectivity(q: Tensor, k: Tensor, v: Tensor, tokenKeep: Tensor, config: LsgConfig, runtime: LsgRuntimeOptions = {}): Connectivity {
  const plan = planLsgAttention(q, k, v, tokenKeep, config, runtime);
  const [batch, heads, rows] = q.shape as [number, number, number, number];
  const g = config.numGlobalTokens;
  const tokens = rows - g;
  const allKeep = keepFlags(plan.allMask, batch, 1);
  const tokenKeepFlags = keepFlags(plan.tokenMask, batch, 1);
  const sparse = sparseView(plan.sparse, batch, heads);
  const columns = rows + (sparse && !sparse.positions ? sparse.length : 0);
  const counts = countArray(batch * heads * rows * columns, q.dtype);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let r = 0; r < rows; r++) {
        const row = counts.subarray(((b * heads + h) * rows + r) * columns, ((b * heads + h) * rows + r + 1) * columns);
        if (plan.isShort || r < g) {
          for (let p = 0; p < rows; p++) row[p] = allKeep[b * rows + p]!;
          continue;
        }
        for (let column = 0; column < g; column++) row[column]! += 1;
        addBlockRow(row, b, h, heads, r - g, { blockSize: config.blockSize, tokens, validTokens: tokens, isCausal: config.isCausal, pooledBase: rows },
          tokenKeepFlags, sparse, (p) => g + p);
      }
    }
  }
  return finish(counts, [batch, heads, rows, columns], rows, q.dtype, plan.sparse);
}

/**
 * Dense attention over the explicit key set: softmax(q·[k; pooled]ᵀ/sqrt(d) + log counts)·[v; pooled].
 * Equals LSG on every row that has at least one key.
 * @example attendOverConnectivity(q, k, v, lsgConnectivity(q, k, v, options))
 */
export function attendOverConnectivity(q: Tensor, k: Tensor, v: Tensor, connectivity: Connectivity): Tensor {
  const keys = connectivity.pooledKeys ? cat([k, connectivity.pooledKeys], 2) : k;
  const values = connectivity.pooledValues ? cat([v, connectivity.pooledValues], 2) : v;
  const counts = connectivity.counts;
  // NOTE: log(count) adds log 2 for a key the reference lists twice, as a softmax over a list does.
  const mask = where(counts.gt(0), counts.clamp(1e-30).log(), MASK_VALUE);
  return denseAttention(q, keys, values, mask);
}
