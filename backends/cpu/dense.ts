// Row-major access to a view: its own storage when the view is already contiguous, a copy otherwise.
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { isContiguous } from '../../engine/shape.js';
import { contiguous } from './movement.js';

/** The view's elements in row-major order: `data[start + i]` is element i. Copies only when strided. */
export function rowMajorData(x: View<TypedArray>): { data: TypedArray; start: number } {
  return isContiguous(x.shape, x.strides) ? { data: x.storage, start: x.offset } : { data: contiguous(x), start: 0 };
}
