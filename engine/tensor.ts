// Tensor: a strided view of backend storage plus its place in the autograd graph.
// Methods are one-line calls into ops/, so each op has exactly one definition.
import type { Backend, View } from './backend.js';
import { runBackward, type BackwardOptions, type GraphNode } from './autograd.js';
import { isFloat, type DType, type TypedArray } from './dtype.js';
import { argumentError, opError } from './errors.js';
import { isContiguous, sameShape, sizeOf } from './shape.js';
import * as E from './ops/elementwise.js';
import * as R from './ops/reduce.js';
import * as M from './ops/movement.js';
import * as I from './ops/indexing.js';
import * as C from './ops/composite.js';
import { matmul } from './ops/matmul.js';
import { toBackend } from './ops/transfer.js';
import { toNested, type NestedArray } from './nested.js';
import { formatTensor } from './format.js';

export type Axes = number | readonly number[];
export type TensorLike = Tensor | number;

export interface TensorParts {
  storage: unknown;
  shape: readonly number[];
  strides: readonly number[];
  offset: number;
  dtype: DType;
  backend: Backend;
}

export class Tensor implements View<unknown> {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly backend: Backend;
  /** Backend storage; replaced only by assign() (optimizer updates). */
  storage: unknown;
  /** The op that made this tensor, when it was made from tensors that require grad. */
  node: GraphNode | null = null;
  /** Accumulated gradient (leaves, and non-leaves after retainGrad()). */
  grad: Tensor | null = null;
  retainsGrad = false;
  #leafRequiresGrad = false;

  constructor(parts: TensorParts) {
    this.storage = parts.storage;
    this.shape = Object.freeze([...parts.shape]);
    this.strides = Object.freeze([...parts.strides]);
    this.offset = parts.offset;
    this.dtype = parts.dtype;
    this.backend = parts.backend;
  }

  get requiresGrad(): boolean {
    return this.node !== null || this.#leafRequiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (this.node !== null) throw opError('requiresGrad', 'can only be set on leaf tensors (this one was made by an op); use detach() first');
    if (value && !isFloat(this.dtype)) throw argumentError('requiresGrad', 'dtype', this.dtype, 'float32 or float64 (only floating tensors have gradients)');
    this.#leafRequiresGrad = value;
  }

  get rank(): number { return this.shape.length; }
  get size(): number { return sizeOf(this.shape); }
  get isLeaf(): boolean { return this.node === null; }
  get isContiguous(): boolean { return isContiguous(this.shape, this.strides); }

  /** Flat row-major copy of the values. */
  toTypedArray(): TypedArray { return this.backend.read(this); }
  /** Nested JS arrays (a number for a scalar); bool as 0/1. */
  toArray(): NestedArray | number { return toNested(this.toTypedArray(), this.shape); }
  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw argumentError('item', 'tensor.shape', this.shape, 'a tensor with exactly one element');
    return this.toTypedArray()[0]!;
  }

  /**
   * Backpropagates from this tensor; a scalar needs no grad argument.
   * @example const x = tensor([1, 2], { requiresGrad: true }); x.mul(x).sum().backward(); x.grad!.toArray(); // [2, 4]
   */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    if (!this.requiresGrad) throw opError('backward', 'this tensor does not require grad (no input of the ops that made it had requiresGrad, or it was made under noGrad)');
    if (grad === undefined) {
      if (this.size !== 1) throw argumentError('backward', 'grad', undefined, `a gradient of shape [${this.shape}] (only one-element tensors can omit it)`);
      grad = C.onesLike(this);
    } else if (!sameShape(grad.shape, this.shape)) {
      throw argumentError('backward', 'grad.shape', grad.shape, `the tensor's shape [${this.shape}]`);
    } else if (grad.dtype !== this.dtype) {
      // As torch: a float64 gradient would otherwise promote every gradient, and leaf .grad, to float64.
      throw argumentError('backward', 'grad.dtype', grad.dtype, `the tensor's dtype '${this.dtype}'`);
    }
    runBackward(this, grad, options);
  }

  /** Keeps this non-leaf tensor's gradient in .grad during backward. */
  retainGrad(): this { this.retainsGrad = true; return this; }
  /** The same values, cut from the graph. */
  detach(): Tensor { return new Tensor(this); }

  /**
   * Replaces this tensor's values with other's (same shape and dtype). Not recorded by autograd:
   * meant for optimizer updates and loading weights.
   */
  assign(other: Tensor): this {
    if (!(other instanceof Tensor)) throw argumentError('assign', 'other', other, `a ${this.dtype} tensor of shape [${this.shape}]`);
    if (!sameShape(other.shape, this.shape) || other.dtype !== this.dtype) {
      throw argumentError('assign', 'other', `${other.dtype}[${other.shape}]`, `a ${this.dtype} tensor of shape [${this.shape}]`);
    }
    if (other.backend !== this.backend) throw opError('assign', `other lives on '${other.backend.name}', this on '${this.backend.name}'`);
    const source = other.isContiguous && other.offset === 0 ? other : M.contiguous(other);
    const old = this.storage;
    this.storage = source.storage;
    this.backend.adopt?.(source.storage);
    (this as { strides: readonly number[] }).strides = source.strides;
    (this as { offset: number }).offset = 0;
    if (old !== source.storage) this.backend.dispose?.(old);
    return this;
  }

  /** A copy on another backend (this, when already there); gradients flow back to this tensor's backend. */
  toBackend(name: string): Tensor { return toBackend(this, name); }

  /** Releases backend storage now (for backends whose memory is not garbage-collected). */
  dispose(): void { this.backend.dispose?.(this.storage); }

  /**
   * Values (abbreviated past 1000 elements), dtype and shape, as PyTorch prints a tensor.
   * @example String(tensor([[1, 2], [3, 4]]))  // 'tensor([[1., 2.],\n        [3., 4.]], dtype=float32, shape=[2, 2])'
   */
  toString(): string { return formatTensor(this); }

  /** console.log(t) and util.inspect(t) in Node print toString(); the symbol is global, so no Node import. */
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }

  // Elementwise
  add(other: TensorLike): Tensor { return E.add(this, other); }
  sub(other: TensorLike): Tensor { return E.sub(this, other); }
  mul(other: TensorLike): Tensor { return E.mul(this, other); }
  div(other: TensorLike): Tensor { return E.div(this, other); }
  pow(exponent: TensorLike): Tensor { return E.pow(this, exponent); }
  maximum(other: TensorLike): Tensor { return E.maximum(this, other); }
  minimum(other: TensorLike): Tensor { return E.minimum(this, other); }
  eq(other: TensorLike): Tensor { return E.eq(this, other); }
  ne(other: TensorLike): Tensor { return E.ne(this, other); }
  lt(other: TensorLike): Tensor { return E.lt(this, other); }
  le(other: TensorLike): Tensor { return E.le(this, other); }
  gt(other: TensorLike): Tensor { return E.gt(this, other); }
  ge(other: TensorLike): Tensor { return E.ge(this, other); }
  neg(): Tensor { return E.neg(this); }
  exp(): Tensor { return E.exp(this); }
  log(): Tensor { return E.log(this); }
  sqrt(): Tensor { return E.sqrt(this); }
  rsqrt(): Tensor { return E.rsqrt(this); }
  abs(): Tensor { return E.abs(this); }
  sign(): Tensor { return E.sign(this); }
  tanh(): Tensor { return E.tanh(this); }
  sigmoid(): Tensor { return E.sigmoid(this); }
  relu(): Tensor { return E.relu(this); }
  erf(): Tensor { return E.erf(this); }
  reciprocal(): Tensor { return E.reciprocal(this); }
  gelu(): Tensor { return C.gelu(this); }
  geluNew(): Tensor { return C.geluNew(this); }
  clamp(min?: number, max?: number): Tensor { return E.clamp(this, min, max); }
  maskedFill(mask: Tensor, value: number): Tensor { return E.maskedFill(this, mask, value); }

  // Reductions
  sum(axes?: Axes, keepDim = false): Tensor { return R.sum(this, axes, keepDim); }
  mean(axes?: Axes, keepDim = false): Tensor { return R.mean(this, axes, keepDim); }
  max(axes?: Axes, keepDim = false): Tensor { return R.max(this, axes, keepDim); }
  min(axes?: Axes, keepDim = false): Tensor { return R.min(this, axes, keepDim); }
  argmax(axis?: number, keepDim = false): Tensor { return R.argmax(this, axis, keepDim); }
  argmin(axis?: number, keepDim = false): Tensor { return R.argmin(this, axis, keepDim); }
  var(axes?: Axes, options?: R.VarianceOptions): Tensor { return R.variance(this, axes, options); }
  logSumExp(axes?: Axes, keepDim = false): Tensor { return R.logSumExp(this, axes, keepDim); }

  // Linear algebra and normalisation
  matmul(other: Tensor): Tensor { return matmul(this, other); }
  softmax(axis = -1): Tensor { return C.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return C.logSoftmax(this, axis); }

  // Movement
  reshape(shape: readonly number[]): Tensor { return M.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return M.reshape(this, shape); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return M.flatten(this, startAxis, endAxis); }
  permute(axes: readonly number[]): Tensor { return M.permute(this, axes); }
  transpose(axisA = -2, axisB = -1): Tensor { return M.transpose(this, axisA, axisB); }
  slice(axis: number, start: number, end?: number, step = 1): Tensor { return M.slice(this, axis, start, end, step); }
  narrow(axis: number, start: number, length: number): Tensor { return M.narrow(this, axis, start, length); }
  expand(shape: readonly number[]): Tensor { return M.expand(this, shape); }
  flip(axes: Axes): Tensor { return M.flip(this, axes); }
  unsqueeze(axis: number): Tensor { return M.unsqueeze(this, axis); }
  squeeze(axis?: number): Tensor { return M.squeeze(this, axis); }
  unfold(axis: number, size: number, step: number): Tensor { return M.unfold(this, axis, size, step); }
  contiguous(): Tensor { return M.contiguous(this); }
  pad(pads: readonly (readonly [number, number])[], value = 0): Tensor { return M.pad(this, pads, value); }
  cast(dtype: DType): Tensor { return M.cast(this, dtype); }
  float(): Tensor { return M.cast(this, 'float32'); }
  double(): Tensor { return M.cast(this, 'float64'); }
  int(): Tensor { return M.cast(this, 'int32'); }
  bool(): Tensor { return M.cast(this, 'bool'); }

  // Indexing
  gather(axis: number, index: Tensor): Tensor { return I.gather(this, axis, index); }
  indexSelect(axis: number, index: Tensor): Tensor { return I.indexSelect(this, axis, index); }
  scatterAdd(axis: number, index: Tensor, src: Tensor): Tensor { return I.scatterAdd(this, axis, index, src); }
  topk(k: number, options?: I.TopkOptions): { values: Tensor; indices: Tensor } { return I.topk(this, k, options); }
}
