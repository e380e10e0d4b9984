import { Tensor, embedding, where, noGrad, tensor } from '../engine/index.js';
import { argumentError } from '../engine/errors.js';
import { Module } from './module.js';
import { normalParameter, type InitOptions } from './init.js';

export interface EmbeddingOptions extends InitOptions {
  /** Row whose output is used but never trained, as in PyTorch (its gradient stays zero). Initialised to zeros. */
  paddingIdx?: number | null;
  /** Standard deviation of the normal initialisation (default 1, as PyTorch; HuggingFace models use initializerRange). */
  std?: number;
}

/**
 * A lookup table: ids (any shape, int32) → rows of `weight` ([numEmbeddings, embeddingDim]).
 * Initialised normal(0, 1) like PyTorch.
 * @example
 *   const table = new Embedding(10, 4, { paddingIdx: 0 });
 *   table.forward(tensor([[1, 0]], { dtype: 'int32' })).shape; // [1, 2, 4]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly paddingIdx: number | null;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    for (const [name, value] of [['numEmbeddings', numEmbeddings], ['embeddingDim', embeddingDim]] as const) {
      if (!Number.isInteger(value) || value <= 0) throw argumentError('Embedding', name, value, 'a positive integer');
    }
    const paddingIdx = options.paddingIdx ?? null;
    if (paddingIdx !== null && !(Number.isInteger(paddingIdx) && paddingIdx >= 0 && paddingIdx < numEmbeddings)) {
      throw argumentError('Embedding', 'paddingIdx', paddingIdx, `null or an integer in [0, ${numEmbeddings})`);
    }
    this.paddingIdx = paddingIdx;
    this.weight = normalParameter([numEmbeddings, embeddingDim], options.std ?? 1, options);
    if (paddingIdx !== null) {
      noGrad(() => this.weight.assign(this.weight.mul(rowIsNot(numEmbeddings, paddingIdx, this.weight.dtype))));
    }
  }

  forward(ids: Tensor): Tensor {
    const looked = embedding(this.weight, ids);
    if (this.paddingIdx === null) return looked;
    // PyTorch's padding_idx: same values, but the padding row receives no gradient. Positions
    // holding paddingIdx take their value from a detached copy of the table.
    const isPadding = ids.eq(this.paddingIdx).unsqueeze(-1);
    return where(isPadding, embedding(this.weight.detach(), ids), looked);
  }
}

/** A [rows, 1] column of ones with a zero at `row`. */
function rowIsNot(rows: number, row: number, dtype: Tensor['dtype']): Tensor {
  const column = new (dtype === 'float64' ? Float64Array : Float32Array)(rows).fill(1);
  column[row] = 0;
  return tensor(column, { shape: [rows, 1], dtype });
}
