// Making tensors: from data, constants, ranges and random draws.
import { getBackend } from './backend.js';
import { allocate, checkDtype, dtypeOfArray, type DType, type TypedArray } from './dtype.js';
import { argumentError, optionsOf } from './errors.js';
import { flattenNested } from './nested.js';
import { getDefaultRng, type Rng } from './random.js';
import { checkShape, contiguousStrides, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface TensorOptions {
  shape?: readonly number[];
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions {
  rng?: Rng;
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Wraps a typed array (taken over, not copied) as a contiguous tensor on the current backend. */
export function fromStorageArray(data: TypedArray, shape: readonly number[], dtype: DType, requiresGrad = false): Tensor {
  const backend = getBackend();
  const t = new Tensor({ storage: backend.fromTypedArray(data, dtype), shape, strides: contiguousStrides(shape), offset: 0, dtype, backend });
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor from nested arrays, a number, or a flat typed array with a shape (the array is copied).
 * @example tensor([[1, 2], [3, 4]]); tensor(new Float32Array(6), { shape: [2, 3] }); tensor([0, 2], { dtype: 'int32' });
 */
export function tensor(data: unknown, options?: TensorOptions): Tensor {
  options = optionsOf('tensor', options);
  let inferred = dtypeOfArray(data);
  let shape: readonly number[];
  let values: ArrayLike<number>;
  if (ArrayBuffer.isView(data)) {
    values = data as unknown as ArrayLike<number>;
    shape = options.shape ? checkShape('tensor', 'options.shape', options.shape) : [values.length];
  } else {
    const flat = flattenNested('tensor', data);
    values = flat.values;
    shape = options.shape ? checkShape('tensor', 'options.shape', options.shape) : flat.shape;
    if (flat.allBoolean) inferred = 'bool'; // nested true/false, as torch.tensor([True, False])
  }
  const dtype = checkDtype('tensor', options.dtype ?? inferred ?? 'float32');
  if (sizeOf(shape) !== values.length) {
    throw argumentError('tensor', 'options.shape', shape, `a shape with ${values.length} elements (the data's length)`);
  }
  const storage = allocate(dtype, values.length);
  if (dtype === 'bool') for (let i = 0; i < values.length; i++) storage[i] = values[i] ? 1 : 0;
  else storage.set(values as ArrayLike<number>);
  return fromStorageArray(storage, shape, dtype, options.requiresGrad);
}

function filled(fn: string, shape: readonly number[], value: number, options: Omit<TensorOptions, 'shape'> | undefined): Tensor {
  checkShape(fn, 'shape', shape);
  options = optionsOf(fn, options);
  const dtype = checkDtype(fn, options.dtype ?? 'float32');
  const backend = getBackend();
  const t = new Tensor({ storage: backend.full(sizeOf(shape), value, dtype), shape, strides: contiguousStrides(shape), offset: 0, dtype, backend });
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** A tensor of `shape` filled with `value`. @example full([2, 2], 7) */
export function full(shape: readonly number[], value: number, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('full', shape, value, options);
}

export function zeros(shape: readonly number[], options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('zeros', shape, 0, options);
}

export function ones(shape: readonly number[], options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  return filled('ones', shape, 1, options);
}

/** A constant with x's shape, dtype and backend. */
export function fullLike(x: Tensor, value: number, dtype: DType = x.dtype): Tensor {
  const storage = x.backend.full(x.size, value, dtype);
  return new Tensor({ storage, shape: x.shape, strides: contiguousStrides(x.shape), offset: 0, dtype, backend: x.backend });
}

export const zerosLike = (x: Tensor): Tensor => fullLike(x, 0);
export const onesLike = (x: Tensor): Tensor => fullLike(x, 1);

/** A scalar (shape []) with `like`'s backend. */
export function scalarLike(value: number, like: Tensor, dtype: DType): Tensor {
  const storage = like.backend.full(1, value, dtype);
  return new Tensor({ storage, shape: [], strides: [], offset: 0, dtype, backend: like.backend });
}

/**
 * Evenly spaced values in [start, end).
 * @example arange(5); // [0, 1, 2, 3, 4]   arange(1, 2, 0.25); // [1, 1.25, 1.5, 1.75]
 */
export function arange(start: number, end?: number, step = 1, options: Omit<TensorOptions, 'shape'> = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (!Number.isFinite(step) || step === 0) throw argumentError('arange', 'step', step, 'a finite non-zero number');
  const length = Math.max(0, Math.ceil((end - start) / step));
  const dtype = checkDtype('arange', options.dtype ?? 'float32');
  const data = allocate(dtype, length);
  for (let i = 0; i < length; i++) data[i] = start + i * step;
  return fromStorageArray(data, [length], dtype, options.requiresGrad);
}

function randomTensor(fn: string, shape: readonly number[], options: RandomOptions | undefined, draw: (rng: Rng) => number): Tensor {
  checkShape(fn, 'shape', shape);
  options = optionsOf(fn, options);
  const rng = options.rng ?? getDefaultRng();
  const dtype = checkDtype(fn, options.dtype ?? 'float32');
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return fromStorageArray(data, shape, dtype, options.requiresGrad);
}

/** Standard normal samples. @example randn([2, 3], { rng: createRng(0) }) */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomTensor('randn', shape, options, (rng) => rng.normal());
}

/** Uniform samples in [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  return randomTensor('rand', shape, options, (rng) => rng.uniform());
}

/** Integers in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw argumentError('randint', 'high', high, `an integer greater than low (${low})`);
  }
  return randomTensor('randint', shape, { dtype: 'int32', ...options }, (rng) => low + rng.int(high - low));
}
