// ndarray interop: zero-copy both ways for contiguous tensors on the CPU backend.
import ndarray from 'ndarray';
import { getBackend } from './backend.js';
import { dtypeOfArray } from './dtype.js';
import { argumentError } from './errors.js';
import { Tensor } from './tensor.js';

/**
 * The ndarray members lsgrad reads and returns, declared here rather than imported from
 * @types/ndarray so that lsgrad's published types need no @types package; a full `ndarray`
 * object (of any typed array) fits it.
 */
export interface NdArrayView {
  data: ArrayLike<number>;
  shape: number[];
  stride: number[];
  offset: number;
  size: number;
  dimension: number;
  get(...indices: number[]): number;
  set(...indicesThenValue: number[]): number;
  index(...indices: number[]): number;
  transpose(...axes: number[]): NdArrayView;
}

/**
 * An ndarray over the same memory as a CPU tensor (any strides, negative ones included).
 * @example const nd = toNdarray(tensor([[1, 2], [3, 4]])); nd.get(1, 0) // 3
 */
export function toNdarray(t: Tensor): NdArrayView {
  if (!(t instanceof Tensor)) throw argumentError('toNdarray', 't', t, 'a Tensor');
  if (t.backend.name !== 'cpu') throw argumentError('toNdarray', 'tensor.backend', t.backend.name, "'cpu' (copy it with toBackend('cpu') first)");
  return ndarray(t.storage as Float32Array, [...t.shape], [...t.strides], t.offset);
}

/**
 * A CPU tensor sharing an ndarray's typed-array memory (float32, float64, int32 or uint8 as bool).
 * @example fromNdarray(ndarray(new Float32Array(6), [2, 3]))
 */
export function fromNdarray(nd: Pick<NdArrayView, 'data' | 'shape' | 'stride' | 'offset'>): Tensor {
  if (nd === null || typeof nd !== 'object') throw argumentError('fromNdarray', 'nd', nd, 'an ndarray ({ data, shape, stride, offset })');
  const dtype = dtypeOfArray(nd.data);
  if (!dtype) throw argumentError('fromNdarray', 'nd.data', Object.prototype.toString.call(nd.data), 'a Float32Array, Float64Array, Int32Array or Uint8Array');
  const backend = getBackend('cpu');
  return new Tensor({ storage: nd.data, shape: nd.shape, strides: nd.stride, offset: nd.offset, dtype, backend });
}
