// Index ops: gather and scatterAdd are kernels (each the other's gradient); the rest compose them.
import { argumentError, opError, optionsOf } from '../errors.js';
import { defineOp, type Op } from '../op.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import { expand, reshape, transpose } from './movement.js';
import { checkTensor } from './prepare.js';

function checkIndexTensor(fn: string, x: Tensor, axis: number, index: Tensor): void {
  checkTensor(fn, 'index', index);
  if (index.dtype !== 'int32') throw argumentError(fn, 'index.dtype', index.dtype, "'int32'");
  if (index.rank !== x.rank) throw opError(fn, `index.shape [${index.shape}] must have the rank of x.shape [${x.shape}]`);
  index.shape.forEach((d, a) => {
    if (a !== axis && d > x.shape[a]!) throw opError(fn, `index.shape [${index.shape}] exceeds x.shape [${x.shape}] on axis ${a}`);
  });
}

const gatherOp: Op<number> = defineOp<number>({
  name: 'gather',
  forward: (backend, [x, index], axis) => ({ storage: backend.gather(x!, axis, index!), shape: index!.shape, dtype: x!.dtype }),
  gradient: ([x, index], _out, dy, axis) => [scatterAddOp([zerosLike(x!), index!, dy], axis), null],
});

const scatterAddOp: Op<number> = defineOp<number>({
  name: 'scatterAdd',
  forward: (backend, [x, index, src], axis) => ({ storage: backend.scatterAdd(x!, axis, index!, src!), shape: x!.shape, dtype: x!.dtype }),
  gradient: ([, index], _out, dy, axis) => [dy, null, gatherOp([dy, index!], axis)],
});

/**
 * out[i][j] = x[i][index[i][j]] for axis 1 (torch.gather); index is int32 with x's rank.
 * @example gather(logProbs, 1, targets.unsqueeze(1))
 */
export function gather(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normalizeAxis('gather', axis, x.rank);
  checkIndexTensor('gather', x, a, index);
  return gatherOp([x, index], a);
}

/** A copy of x with src added at index positions along axis (repeats accumulate). */
export function scatterAdd(x: Tensor, axis: number, index: Tensor, src: Tensor): Tensor {
  const a = normalizeAxis('scatterAdd', axis, x.rank);
  checkIndexTensor('scatterAdd', x, a, index);
  checkTensor('scatterAdd', 'src', src);
  if (src.shape.some((d, k) => d < index.shape[k]!) || src.rank !== index.rank) {
    throw opError('scatterAdd', `src.shape [${src.shape}] must cover index.shape [${index.shape}]`);
  }
  return scatterAddOp([x, index, src.dtype === x.dtype ? src : src.cast(x.dtype)], a);
}

/** The entries at the given positions along one axis. @example indexSelect(weight, 0, ids) */
export function indexSelect(x: Tensor, axis: number, index: Tensor): Tensor {
  const a = normalizeAxis('indexSelect', axis, x.rank);
  checkTensor('indexSelect', 'index', index);
  if (index.rank !== 1) throw argumentError('indexSelect', 'index.shape', index.shape, 'a 1-D tensor');
  const shape = x.shape.map((d, k) => (k === a ? index.shape[0]! : d));
  const spread = expand(reshape(index, x.shape.map((_, k) => (k === a ? -1 : 1))), shape);
  return gather(x, a, spread);
}

export interface TopkOptions {
  axis?: number;
  largest?: boolean;
}

const topkIndicesOp = defineOp<{ k: number; largest: boolean }>({
  name: 'topkIndices',
  forward: (backend, [x], { k, largest }) => ({
    storage: backend.topkIndices(x!, k, largest),
    shape: [...x!.shape.slice(0, -1), k],
    dtype: 'int32',
  }),
});

/**
 * The k largest (or smallest) entries along an axis, sorted, with their int32 indices.
 * Values are gathered, so their gradient flows back to the chosen positions.
 * @example const { values, indices } = scores.topk(4);
 */
export function topk(x: Tensor, k: number, topkOptions?: TopkOptions): { values: Tensor; indices: Tensor } {
  checkTensor('topk', 'x', x);
  const options = optionsOf('topk', topkOptions);
  const a = normalizeAxis('topk', options.axis ?? -1, x.rank);
  if (!Number.isInteger(k) || k < 0 || k > x.shape[a]!) throw argumentError('topk', 'k', k, `an integer in [0, ${x.shape[a]}]`);
  const last = x.rank - 1;
  const moved = transpose(x, a, last);
  const indices = topkIndicesOp([moved], { k, largest: options.largest ?? true });
  const values = gather(moved, last, indices);
  return { values: transpose(values, a, last), indices: transpose(indices, a, last) };
}

/** Rows of weight [vocab, dim] for int32 ids of any shape → [...ids.shape, dim]. */
export function embedding(weight: Tensor, ids: Tensor): Tensor {
  checkTensor('embedding', 'weight', weight);
  if (weight.rank !== 2) throw argumentError('embedding', 'weight.shape', weight.shape, 'a 2-D [vocabSize, dim] tensor');
  checkTensor('embedding', 'ids', ids);
  if (ids.dtype !== 'int32') throw argumentError('embedding', 'ids.dtype', ids.dtype, "'int32' token ids");
  const rows = indexSelect(weight, 0, reshape(ids, [-1]));
  return reshape(rows, [...ids.shape, weight.shape[1]!]);
}
