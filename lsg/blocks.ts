// Turns sequences into per-block key lists with one index table and one gather, so no
// (seq × seq) tensor ever exists. Every query block i sees, in this order (docs/lsg-reference.md#block-keys):
//   [global keys | sparse slots left | sparse slots right | local blocks i-1, i (, i+1)]
// The keys come from a "bank": the rows [global | sparse sequence | tokens | one pad row]
// stacked along the sequence axis; a slot outside the sequence points at the pad row, whose
// key and value are zero and whose mask is MASK_VALUE (the reference pads the same way).
import { cat, tensor, zeros, full, MASK_VALUE, type Tensor } from '../engine/index.js';
import type { SparseSlots } from './slots.js';

export interface BlockTableSpec {
  readonly blockSize: number;
  /** Rows of the token sequence, a multiple of blockSize. */
  readonly tokenLength: number;
  readonly numGlobal: number;
  /** Rows of the sparse sequence (0 when there is no sparse part). */
  readonly sparseLength: number;
  /** Sparse tokens per block: blockSize / sparsityFactor. */
  readonly sparseStep: number;
  readonly slots: SparseSlots;
  /** Causal blocks drop the next block: the local part is [i-1, i]. */
  readonly isCausal: boolean;
}

export interface BlockTable {
  /** Bank row for every (block, column), block-major: length numBlocks · width. */
  readonly rows: Int32Array;
  readonly numBlocks: number;
  /** Keys per block. Causal: the current block is the last blockSize columns. */
  readonly width: number;
}

/**
 * The bank rows each query block reads.
 * @example blockTable({ blockSize: 2, tokenLength: 4, numGlobal: 0, sparseLength: 0, sparseStep: 1, slots: { left: [], right: [] }, isCausal: true }).rows
 * // Int32Array [4, 4, 0, 1, 0, 1, 2, 3]: block 0 sees [pad, pad, 0, 1]
 */
export function blockTable(spec: BlockTableSpec): BlockTable {
  const { blockSize, tokenLength, numGlobal, sparseLength, sparseStep, slots } = spec;
  const numBlocks = tokenLength / blockSize;
  const localBlocks = spec.isCausal ? 2 : 3;
  const sparseOffsets = [...slots.left, ...slots.right];
  const width = numGlobal + sparseOffsets.length + localBlocks * blockSize;
  const sparseBase = numGlobal;
  const tokenBase = numGlobal + sparseLength;
  const padRow = tokenBase + tokenLength;
  const rows = new Int32Array(numBlocks * width);
  let at = 0;
  for (let block = 0; block < numBlocks; block++) {
    for (let g = 0; g < numGlobal; g++) rows[at++] = g;
    for (const offset of sparseOffsets) {
      const slot = block * sparseStep + offset;
      rows[at++] = slot >= 0 && slot < sparseLength ? sparseBase + slot : padRow;
    }
    const localStart = (block - 1) * blockSize;
    for (let position = localStart; position < localStart + localBlocks * blockSize; position++) {
      rows[at++] = position >= 0 && position < tokenLength ? tokenBase + position : padRow;
    }
  }
  return { rows, numBlocks, width };
}

/**
 * `table` for a bank without the sparse rows, [global | tokens | pad], one table per (batch, head)
 * pair, pair-major: where the sparse tokens are token rows (the selection types), sparse slot s of
 * pair p reads token row positions[p·sparseLength + s] itself, so no gathered copy of them exists.
 * @example tokenRowTables(table, spec, Int32Array.from([3, 0]), 1) // spec.sparseLength 2: slot 0 reads token row 3
 */
export function tokenRowTables(table: BlockTable, spec: BlockTableSpec, positions: Int32Array, pairs: number): Int32Array {
  const { numGlobal, sparseLength } = spec;
  const sparseEnd = numGlobal + sparseLength;
  const tableLength = table.rows.length;
  const tables = new Int32Array(pairs * tableLength);
  for (let pair = 0; pair < pairs; pair++) {
    const tableAt = pair * tableLength;
    const positionsAt = pair * sparseLength - numGlobal;
    for (let i = 0; i < tableLength; i++) {
      const row = table.rows[i]!;
      // Global rows stay; sparse rows become their token's row; token and pad rows move up past the sparse rows.
      tables[tableAt + i] = row < numGlobal ? row : row < sparseEnd ? numGlobal + positions[positionsAt + row]! : row - sparseLength;
    }
  }
  return tables;
}

/** Stacks the bank rows (batch, heads, ·, headDim) along the sequence axis, plus the zero pad row. */
export function keyBank(parts: readonly Tensor[]): Tensor {
  const [batch, heads, , headDim] = parts[parts.length - 1]!.shape as [number, number, number, number];
  const padRow = zeros([batch, heads, 1, headDim], { dtype: parts[0]!.dtype });
  return cat([...parts.map((part) => part.expand([batch, heads, part.shape[2]!, headDim])), padRow], 2);
}

/** Stacks additive masks (batch, 1|heads, ·) into a mask bank, plus the MASK_VALUE pad row. */
export function maskBank(parts: readonly Tensor[]): Tensor {
  const batch = parts[0]!.shape[0]!;
  const heads = Math.max(...parts.map((part) => part.shape[1]!));
  const padRow = full([batch, heads, 1], MASK_VALUE, { dtype: parts[0]!.dtype });
  return cat([...parts.map((part) => part.expand([batch, heads, part.shape[2]!])), padRow], 2);
}

/**
 * Reads a bank (batch, heads, rows, headDim) into blocks (batch, heads, numBlocks, width, headDim).
 * @example gatherBlocks(keyBank([keys]), table)
 */
export function gatherBlocks(bank: Tensor, table: BlockTable): Tensor {
  const [batch, heads, , headDim] = bank.shape as [number, number, number, number];
  const index = tensor(table.rows, { shape: [table.rows.length], dtype: 'int32' });
  return bank.indexSelect(2, index).reshape([batch, heads, table.numBlocks, table.width, headDim]);
}

/** (batch, heads, numBlocks·blockSize, headDim) → (batch, heads, numBlocks, blockSize, headDim). */
export function chunkQueries(queries: Tensor, blockSize: number): Tensor {
  const [batch, heads, length, headDim] = queries.shape as [number, number, number, number];
  return queries.reshape([batch, heads, length / blockSize, blockSize, headDim]);
}
