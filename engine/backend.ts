// The kernel vocabulary every backend implements, and the registry of backends.
// The engine calls kernels only through this interface; a missing kernel is a compile error.
import type { DType, TypedArray } from './dtype.js';
import { argumentError, checkFunction } from './errors.js';

/** Where a tensor's elements sit in its storage: element (i0, i1, …) is at offset + Σ i_k·strides[k]. */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** A strided view of backend storage `S`. Kernels read views and return fresh contiguous storage. */
export interface View<S> extends Layout {
  readonly storage: S;
  readonly dtype: DType;
}

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'tanh' | 'sigmoid' | 'relu' | 'erf' | 'reciprocal';
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type ReduceOp = 'sum' | 'max' | 'min';
export type ArgReduceOp = 'argmax' | 'argmin';
/** Activations with an optional fused kernel: exact GELU x·Φ(x), and the tanh approximation `gelu_new`. */
export type ActivationKind = 'gelu' | 'geluNew';

/** What the fused layer-norm gradient returns: storage of x's shape, and of the weight's [width] for the other two. */
export interface LayerNormGradients<S> {
  readonly dx: S;
  readonly dweight: S;
  readonly dbias: S;
}

/**
 * Where the query blocks of a block-sparse attention read their keys (LSG's product): block i's
 * queries are rows i·blockSize … (i+1)·blockSize − 1, and its `width` keys are the bank rows
 * `rows[i·width …(i+1)·width − 1]`. With `isCausal`, query r of a block does not see the last
 * blockSize columns past its own position (column width − blockSize + c for c > r).
 */
export interface BlockAttentionPlan {
  /**
   * numBlocks·width bank rows, one table for every (batch, head) pair; or batch·heads·numBlocks·width,
   * a table per pair (pair b·heads + h first), where the rows a block reads differ by head (LSG's
   * sparse tokens chosen per head, read straight from the token rows).
   */
  readonly rows: Int32Array;
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly width: number;
  readonly isCausal: boolean;
  /** The scores are scale · q·k + mask (the usual scale is 1/√headDim). */
  readonly scale: number;
  /** The score of a causally masked column (LSG: the float32 minimum, as its padding mask). */
  readonly maskValue: number;
}

/**
 * How far apart the pairs' tables lie in `plan.rows`: 0 when one table serves every pair.
 * @example pairTableStride({ ...plan, rows: new Int32Array(2 * plan.numBlocks * plan.width) }) // numBlocks · width
 */
export function pairTableStride(plan: BlockAttentionPlan): number {
  const tableLength = plan.numBlocks * plan.width;
  return plan.rows.length === tableLength ? 0 : tableLength;
}

/**
 * What the block attention's forward returns: the output, and what its backward may reuse instead
 * of recomputing (the CPU kernel's softmax weights, in its own layout), or null.
 */
export interface BlockAttentionOutput<S> {
  readonly out: S;
  readonly saved: S | null;
}

/** What the block attention's backward returns: storage of the queries' and of the banks' shapes. */
export interface BlockAttentionGradients<S> {
  readonly dq: S;
  readonly dkeys: S;
  readonly dvalues: S;
}

/**
 * A fused kernel and its exact backward, offered together: the type makes a backend provide both
 * or neither, so a fused forward never meets a gradient that assumes a different formula.
 */
export interface FusedKernel<Forward, Backward> {
  readonly forward: Forward;
  readonly backward: Backward;
}

/** The fused block-sparse attention pair (Backend.blockAttention), and when to use it. */
export interface BlockAttentionKernels<S> extends FusedKernel<
  // keepForBackward: a gradient will be taken, so the forward may keep what the backward reuses.
  (q: View<S>, keys: View<S>, values: View<S>, mask: View<S>, plan: BlockAttentionPlan, keepForBackward: boolean) => BlockAttentionOutput<S>,
  // saved: the forward's `saved` for these same operands and plan.
  (q: View<S>, keys: View<S>, values: View<S>, mask: View<S>, out: View<S>, dout: View<S>, plan: BlockAttentionPlan, saved: S | null) => BlockAttentionGradients<S>
> {
  /**
   * Whether LSG should run the pair rather than the composition (gathers, matmul, softmax) for
   * queries of this dtype and head dimension: false where the pair would run a slower fallback.
   */
  readonly preferredFor: (dtype: DType, headDim: number) => boolean;
}

/**
 * Reuse of storage the engine proves unreferenced (a backend's buffer pool). The engine takes a
 * `mark` when a backward pass starts and calls `release(storage, mark)` for gradient storage that no
 * pending gradient, no `.grad` and no returned tensor refers to any more. The backend must ignore
 * storage it did not make itself after that mark (caller-owned arrays, anything older), so a release
 * can never reach a forward activation, a parameter or an array the caller still holds.
 */
export interface StorageRecycler<S> {
  mark(): number;
  release(storage: S, mark: number): void;
}

export interface TidyOptions {
  /** Tensors whose storage (read at the end of the scope, so after assign()) survives the scope, e.g. parameters. */
  keep?: readonly unknown[];
}

/**
 * A compute backend. Every kernel returns new contiguous storage (row-major, offset 0) of the
 * output shape given in its documentation; inputs are never modified.
 */
export interface Backend<S = unknown> {
  readonly name: string;
  /** Takes the array as storage (the backend may keep it without copying: callers hand over ownership). */
  fromTypedArray(data: TypedArray, dtype: DType): S;
  /** A contiguous copy of the view's elements. */
  read(x: View<S>): TypedArray;
  /** `size` elements, all `value`. */
  full(size: number, value: number, dtype: DType): S;
  /** Same shape and dtype as x. */
  unary(op: UnaryOp, x: View<S>): S;
  /** a and b have the same shape (broadcast already, by stride 0) and dtype; comparisons write `bool`. */
  binary(op: BinaryOp, a: View<S>, b: View<S>, outDtype: DType): S;
  /** cond (bool), a and b have the same shape; a and b the same dtype. */
  where(cond: View<S>, a: View<S>, b: View<S>): S;
  /** Reduces the sorted `axes` away: output shape is x.shape without them. */
  reduce(op: ReduceOp, x: View<S>, axes: readonly number[]): S;
  /** int32 indices along `axis` (removed from the shape); the first index wins ties. */
  argReduce(op: ArgReduceOp, x: View<S>, axis: number): S;
  /** a [...batch, M, K] @ b [...batch, K, N] with identical batch shapes → [...batch, M, N]. */
  matmul(a: View<S>, b: View<S>): S;
  /** Same shape and dtype, row-major. */
  contiguous(x: View<S>): S;
  cast(x: View<S>, dtype: DType): S;
  /** Zeros of `size` elements with src added at `target` positions (repeated positions accumulate). */
  scatterView(size: number, target: Layout, src: View<S>): S;
  /** Joins views along `axis`; all other dims agree. */
  concat(xs: readonly View<S>[], axis: number): S;
  /** Pads each axis by [before, after] elements of `value`. */
  pad(x: View<S>, pads: readonly (readonly [number, number])[], value: number): S;
  /** out[..i..] = x[..index[..i..]..] along `axis`; output shape = index.shape. */
  gather(x: View<S>, axis: number, index: View<S>): S;
  /** A copy of x with src[..i..] added at x[..index[..i..]..] along `axis`; index and src share a shape. */
  scatterAdd(x: View<S>, axis: number, index: View<S>, src: View<S>): S;
  /** int32 indices of the k largest (or smallest) entries along the last axis, in sorted order. */
  topkIndices(x: View<S>, k: number, largest: boolean): S;
  /**
   * Optional fused softmax along the last axis (same shape and dtype as x). `backward` returns
   * y ⊙ (dy − Σ dy ⊙ y) for the softmax output y and the output gradient dy (same shape and dtype).
   * Without the pair the engine composes max, sub, exp, sum and div, and differentiates those.
   */
  softmax?: FusedKernel<(x: View<S>) => S, (y: View<S>, dy: View<S>) => S>;
  /**
   * Optional fused GELU (same shape and dtype as x). `backward` returns dy ⊙ f'(x) for the exact
   * derivative of the same formula (x and dy share shape and dtype). Without the pair the engine
   * composes the activation from elementwise ops.
   */
  activation?: FusedKernel<(kind: ActivationKind, x: View<S>) => S, (kind: ActivationKind, x: View<S>, dy: View<S>) => S>;
  /**
   * Optional fused layer normalisation over the last axis (width w): (x − mean)/√(var + eps), biased
   * variance, times weight [w] and plus bias [w] when given (null: none). Same shape and dtype as x;
   * weight and bias share x's dtype. `backward` returns the exact gradient for the output gradient dy
   * (x's shape): dx, and the weight and bias gradients summed over all rows (computed whether or not
   * weight and bias were given).
   * NOTE: the backward recomputes the row statistics from x rather than having the forward save
   * them: a row is short and read anyway, and the op keeps a single output.
   */
  layerNorm?: FusedKernel<
    (x: View<S>, weight: View<S> | null, bias: View<S> | null, eps: number) => S,
    (x: View<S>, weight: View<S> | null, dy: View<S>, eps: number) => LayerNormGradients<S>
  >;
  /**
   * Optional fused block-sparse attention (LSG's product) without gathering the key blocks: for
   * queries q (B, H, T, headDim), banks of keys and values (B, H, R, headDim) and an additive mask
   * (B, H, R) over the bank rows (broadcast by stride 0 is fine), returns (B, H, T, headDim) with
   * each query's softmax(scale·q·k + mask) over the keys the plan gives its block; a causally masked
   * column scores plan.maskValue (as the composition's add-then-clamp). `backward` gets the forward's
   * output and its gradient and returns the gradients of q and of both banks (the mask is a
   * constant). Without the pair the engine gathers the blocks and composes matmul and softmax.
   */
  blockAttention?: BlockAttentionKernels<S>;
  /** Optional: lets the engine hand dead gradient storage back for reuse (see StorageRecycler). */
  recycler?: StorageRecycler<S>;
  /** Storage now owned by a long-lived tensor (assign): a scoped backend must not release it when a scope ends. */
  adopt?(storage: S): void;
  /** Runs fn in a memory scope that releases the storage made inside it, except what fn returns or `options.keep` names. */
  tidy?<T>(fn: () => T, options?: TidyOptions): T;
  /** Releases storage that is no longer used (for backends whose memory is not garbage-collected). */
  dispose?(storage: S): void;
}

const registry = new Map<string, Backend>();
let current: Backend | undefined;

/**
 * Makes a backend available by its name. The first registered one becomes current.
 * @example registerBackend(createGpuJsBackend({ mode: 'cpu' })); useBackend('gpujs');
 */
export function registerBackend(backend: Backend<any>): void {
  if (!backend || typeof backend.name !== 'string' || backend.name.length === 0) {
    throw argumentError('registerBackend', 'backend', backend, 'an object implementing Backend with a non-empty name');
  }
  registry.set(backend.name, backend);
  current ??= backend;
}

/** The backend with this name (or the current one). */
export function getBackend(name?: string): Backend {
  if (name === undefined) {
    if (!current) throw new Error('getBackend: no backend is registered');
    return current;
  }
  const backend = registry.get(name);
  if (!backend) throw argumentError('getBackend', 'name', name, `one of the registered backends [${[...registry.keys()].join(', ')}]`);
  return backend;
}

export function listBackends(): string[] {
  return [...registry.keys()];
}

/** Makes the named backend the one new tensors are created on. */
export function useBackend(name: string): void {
  current = getBackend(name);
}

/**
 * Runs fn with the named backend current, then restores the previous one (also on throw).
 * @example const y = withBackend('cpu', () => randn([2, 2]).matmul(randn([2, 2])));
 */
export function withBackend<T>(name: string, fn: () => T): T {
  const previous = current;
  current = getBackend(name);
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/**
 * Runs fn in a memory scope of the current backend: storage made inside, not returned and not in
 * `options.keep` is released at the end (gpu.js frees it; the CPU backend reuses its buffers for
 * later kernels; backends without scopes just run fn). So nothing made inside may be used after
 * the scope unless the result or `options.keep` reaches it.
 * @example const loss = tidy(() => step(model, batch), { keep: [model, optimizer] });
 */
export function tidy<T>(fn: () => T, options?: TidyOptions): T {
  checkFunction('tidy', 'fn', fn);
  const backend = getBackend();
  return backend.tidy ? backend.tidy(fn, options) : fn();
}
