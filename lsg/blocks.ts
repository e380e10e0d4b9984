// Turns sequences into per-block key lists, so no (seq × seq) tensor ever exists. Every query
// block i sees, in this order (spec §2 step 4):
//   [global keys | sparse slots left | sparse slots right | local blocks i-1, i (, i+1)]
// A slot outside the sequence reads a pad row, whose key and value are zero and whose mask is
// MASK_VALUE (the reference pads the same way).
// `keyWindows` / `valueWindows` are what attention uses: the local blocks are slices (views) of
// the padded tokens cut into blocks, so one cat is the only copy of them and their gradient copies
// whole runs instead of scattering single indexed elements; only the small sparse part is gathered.
// `blockTable` + `gatherBlocks` spell out the same layout with an explicit index table (one row
// per slot); the tests check the two agree.
import { cat, tensor, zeros, full, type Tensor } from '../engine/index.js';
import { MASK_VALUE } from './masks.js';
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

/** The parts of a block's key (or value) list, each (batch, heads, rows, features). */
export interface BlockBanks {
  readonly global?: Tensor;
  /** The sparse sequence, read through spec.slots. */
  readonly sparse?: Tensor;
  readonly tokens: Tensor;
}

/**
 * Every query block's keys [global | sparse left | sparse right | local], laid out for the score
 * product q · k: (batch, heads, numBlocks, features, width), in the column order of `blockTable`.
 * `padRow` (1, 1, 1, features) fills slots outside a sequence.
 * @example keyWindows({ tokens: keys }, zeros([1, 1, 1, headDim]), spec) // (B, H, T/bs, headDim, 3·bs)
 */
export function keyWindows(banks: BlockBanks, padRow: Tensor, spec: BlockTableSpec): Tensor {
  return blockWindows(banks, padRow, spec, 'featuresByRows');
}

/**
 * The same rows laid out for the context product p · v: (batch, heads, numBlocks, width, features).
 * @example valueWindows({ tokens: values }, zeros([1, 1, 1, headDim]), spec) // (B, H, T/bs, 3·bs, headDim)
 */
export function valueWindows(banks: BlockBanks, padRow: Tensor, spec: BlockTableSpec): Tensor {
  return blockWindows(banks, padRow, spec, 'rowsByFeatures');
}

type WindowOrder = 'featuresByRows' | 'rowsByFeatures';

/**
 * A block's local window is whole blocks of the padded tokens: each block offset is one slice (a
 * view) of the tokens cut into blocks, so the one cat is the only copy of the local rows and each
 * slice's gradient is one copy of contiguous runs. Slices never overlap, so backends that cannot
 * scatter into overlapping views (gpujs) keep the backward on the device. The sparse slots (a
 * small part) are gathered through an index table.
 */
function blockWindows(banks: BlockBanks, padRow: Tensor, spec: BlockTableSpec, order: WindowOrder): Tensor {
  const { blockSize, tokenLength, isCausal } = spec;
  const [batch, heads, , features] = banks.tokens.shape as [number, number, number, number];
  const numBlocks = tokenLength / blockSize;
  const parts: Tensor[] = [];
  if (banks.global && banks.global.shape[2]! > 0) {
    // The same rows for every block: a stride-0 view.
    const numGlobal = banks.global.shape[2]!;
    parts.push(order === 'featuresByRows'
      ? banks.global.transpose(-1, -2).unsqueeze(2).expand([batch, heads, numBlocks, features, numGlobal])
      : banks.global.unsqueeze(2).expand([batch, heads, numBlocks, numGlobal, features]));
  }
  if (banks.sparse && spec.slots.left.length + spec.slots.right.length > 0) {
    // NOTE: step slices of the sparse sequence (like the local part) were measured slower on the
    // CPU: each slice's gradient is a buffer of the whole sparse sequence, summed afterwards.
    const rows = gatherSparseSlots(padRows(banks.sparse, 0, 1, padRow), spec, numBlocks);   // (B, H, nb, slots, F)
    parts.push(order === 'featuresByRows' ? rows.transpose(-1, -2) : rows);
  }
  // Block i reads token blocks i-1, i (, i+1): blocks of the tokens padded by one block on each
  // side (causal: before only).
  const localBlocks = isCausal ? 2 : 3;
  const blocks = tokenBlocks(padRows(banks.tokens, blockSize, isCausal ? 0 : blockSize, padRow), blockSize, order);
  for (let block = 0; block < localBlocks; block++) parts.push(blocks.narrow(2, block, numBlocks));
  return cat(parts, order === 'featuresByRows' ? -1 : -2);
}

/**
 * Padded tokens (batch, heads, rows, features) cut into blocks: (batch, heads, rows/bs, bs,
 * features), or for keys (batch, heads, rows/bs, features, bs), one transposing copy of the tokens
 * so that each later slice is a single view (a transposed slice would cost a second gradient copy).
 */
function tokenBlocks(tokens: Tensor, blockSize: number, order: WindowOrder): Tensor {
  const [batch, heads, rows, features] = tokens.shape as [number, number, number, number];
  const blocks = tokens.reshape([batch, heads, rows / blockSize, blockSize, features]);
  return order === 'featuresByRows' ? blocks.transpose(-1, -2).contiguous() : blocks;
}

/** The sparse slots of every block read through an index table from [sparse rows | one pad row]: (batch, heads, nb, slots, features). */
function gatherSparseSlots(bank: Tensor, spec: BlockTableSpec, numBlocks: number): Tensor {
  const [batch, heads, bankRows, features] = bank.shape as [number, number, number, number];
  const sparseLength = bankRows - 1;
  const offsets = [...spec.slots.left, ...spec.slots.right];
  const rows = new Int32Array(numBlocks * offsets.length);
  let at = 0;
  for (let block = 0; block < numBlocks; block++) {
    for (const offset of offsets) {
      const slot = block * spec.sparseStep + offset;
      rows[at++] = slot >= 0 && slot < sparseLength ? slot : sparseLength;
    }
  }
  const index = tensor(rows, { shape: [rows.length], dtype: 'int32' });
  return bank.indexSelect(2, index).reshape([batch, heads, numBlocks, offsets.length, features]);
}

/** `before` and `after` copies of padRow (1, 1, 1, features) around x's rows (batch, heads, rows, features). */
function padRows(x: Tensor, before: number, after: number, padRow: Tensor): Tensor {
  const [batch, heads, , features] = x.shape as [number, number, number, number];
  const rows = (count: number) => padRow.expand([batch, heads, count, features]);
  return cat([...(before > 0 ? [rows(before)] : []), x, ...(after > 0 ? [rows(after)] : [])], 2);
}
