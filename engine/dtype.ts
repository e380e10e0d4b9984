import { argumentError } from './errors.js';

/** Element types. `bool` is stored one byte per element; `int32` holds indices. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** `dtype` if it is one of DTYPES; else an ArgumentError naming `fn`. */
export function checkDtype(fn: string, dtype: unknown): DType {
  if (!DTYPES.includes(dtype as DType)) throw argumentError(fn, 'dtype', dtype, `one of ${DTYPES.join(', ')}`);
  return dtype as DType;
}

const CONSTRUCTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
} as const;

/** The most elements one tensor may hold (a typed array's length limit, 2^31 - 1, minus nothing). */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** A zero-filled typed array of `size` elements for `dtype`. */
export function allocate(dtype: DType, size: number): TypedArray {
  if (!Number.isInteger(size) || size < 0 || size > MAX_ELEMENTS) {
    throw argumentError('allocate', 'size', size, `a whole number of elements from 0 to ${MAX_ELEMENTS} (2^31 - 1)`);
  }
  return new CONSTRUCTORS[checkDtype('allocate', dtype)](size);
}

/** The dtype whose storage is this typed array, or undefined for other array kinds. */
export function dtypeOfArray(data: unknown): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'bool';
  return undefined;
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype two operands are computed in: the wider of the two (bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

export function bytesPerElement(dtype: DType): number {
  return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
}
