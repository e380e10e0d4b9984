// Batched matmul. float32 products go to the system BLAS where Node has one (blas.ts); otherwise
// both operands are packed into panels, then a register tile walks K. Packing makes
// every inner-loop read sequential whatever the input strides (transposes are free), and lets the
// second core take half of the row panels (matmul-pool.ts). float32 products run the WebAssembly
// SIMD kernel (wasm/matmul.wat, a 4×8 tile over operands in its memory: packed there, or copied
// as they are when each matrix is stored without gaps, A row-major or transposed, B row-major); float64, int32, and float32 where wasm SIMD is missing or
// LSGRAD_WASM=0 run the JS kernel (matmul-tiles.ts, a 4×4 tile).
import type { View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { contiguousStrides, sizeOf } from '../../engine/shape.js';
import { NO_TRANSPOSE, systemSgemm, TRANSPOSE, type Sgemm } from './blas.js';
import { newBuffer, newBufferToOverwrite, releaseScratch } from './buffer-pool.js';
import { contiguous } from './movement.js';
import { runUnits, sharedArray } from './matmul-pool.js';
import { forEachRun } from './strided.js';
import { DATA_START, reserveWasmMemory, wasmKernel, type WasmKernel, type WasmLayout } from './wasm/kernel.js';

type Storage = TypedArray;
type Floats = Float32Array | Float64Array;
/** Rows per panel of A (both kernels); columns per panel of B: 4 for the JS kernel, 8 for wasm. */
const ROWS_PER_PANEL = 4;
const JS_COLUMNS_PER_PANEL = 4;
const WASM_COLUMNS_PER_PANEL = 8;

/**
 * Packs rows [0, rows) × depth [0, depth) of a strided matrix into panels of `width` rows, k-major
 * inside. A last panel's missing rows are written as zeros (the wasm memory is reused, not fresh).
 */
function packPanels(src: Storage, base: number, rowStride: number, depthStride: number, rows: number, depth: number, width: number, panels: Floats, at: number): void {
  for (let p = 0; p * width < rows; p++) {
    const first = p * width;
    const count = Math.min(width, rows - first);
    // Writes run sequentially through the panel; reads take the panel's rows side by side per k.
    let d = at + p * depth * width;
    let s = base + first * rowStride;
    // NOTE: the unrolled full panels pack 2–3× faster than the general loop (V8 keeps the strided
    // reads apart); at ~1 ns per element packing is still a large part of a product with small K.
    if (count === 4 && width === 4) {
      for (let k = 0; k < depth; k++, d += 4, s += depthStride) {
        panels[d] = src[s]!; panels[d + 1] = src[s + rowStride]!; panels[d + 2] = src[s + 2 * rowStride]!; panels[d + 3] = src[s + 3 * rowStride]!;
      }
    } else if (count === 8 && width === 8) {
      for (let k = 0; k < depth; k++, d += 8, s += depthStride) {
        panels[d] = src[s]!; panels[d + 1] = src[s + rowStride]!; panels[d + 2] = src[s + 2 * rowStride]!; panels[d + 3] = src[s + 3 * rowStride]!;
        panels[d + 4] = src[s + 4 * rowStride]!; panels[d + 5] = src[s + 5 * rowStride]!; panels[d + 6] = src[s + 6 * rowStride]!; panels[d + 7] = src[s + 7 * rowStride]!;
      }
    } else {
      for (let k = 0; k < depth; k++, d += width, s += depthStride) {
        for (let r = 0; r < count; r++) panels[d + r] = src[s + r * rowStride]!;
        for (let r = count; r < width; r++) panels[d + r] = 0;
      }
    }
  }
}

interface Product {
  a: View<Storage>; b: View<Storage>;
  M: number; K: number; N: number; batches: number;
  /** A weight broadcast over the batch (every batch stride 0) is packed once. */
  sharedB: boolean;
}

/**
 * Packs every batch entry of A into panelsA from atA, and of B (once when shared) into panelsB from
 * atB; a null target is not packed.
 */
function packOperands(p: Product, columnsPerPanel: number, panelsA: Floats | null, atA: number, panelsB: Floats | null, atB: number): void {
  const { a, b, M, K, N, sharedB } = p;
  const rank = a.shape.length;
  const panelSizeA = Math.ceil(M / ROWS_PER_PANEL) * ROWS_PER_PANEL * K;
  const panelSizeB = Math.ceil(N / columnsPerPanel) * columnsPerPanel * K;
  const [aRow, aDepth] = [a.strides[rank - 2]!, a.strides[rank - 1]!];
  const [bDepth, bColumn] = [b.strides[rank - 2]!, b.strides[rank - 1]!];
  const batchLayouts = [
    { strides: a.strides.slice(0, rank - 2), offset: a.offset },
    { strides: b.strides.slice(0, rank - 2), offset: b.offset },
  ];
  forEachRun(a.shape.slice(0, rank - 2), batchLayouts, (bases, length, start, steps) => {
    for (let j = 0; j < length; j++) {
      const batch = start + j;
      if (panelsA) packPanels(a.storage, bases[0]! + j * steps[0]!, aRow, aDepth, M, K, ROWS_PER_PANEL, panelsA, atA + batch * panelSizeA);
      if (panelsB && (!sharedB || batch === 0)) packPanels(b.storage, bases[1]! + j * steps[1]!, bColumn, bDepth, N, K, columnsPerPanel, panelsB, atB + (sharedB ? 0 : batch) * panelSizeB);
    }
  });
}

/** The JS kernel: packs into fresh (shared) arrays. */
function multiplyJs(p: Product, out: Storage): void {
  const packedKind = p.a.dtype === 'float64' ? 'float64' : 'float32';
  const panelSizeA = Math.ceil(p.M / ROWS_PER_PANEL) * ROWS_PER_PANEL * p.K;
  const panelSizeB = Math.ceil(p.N / JS_COLUMNS_PER_PANEL) * JS_COLUMNS_PER_PANEL * p.K;
  const packedA = sharedArray(packedKind, p.batches * panelSizeA);
  const packedB = sharedArray(packedKind, (p.sharedB ? 1 : p.batches) * panelSizeB);
  packOperands(p, JS_COLUMNS_PER_PANEL, packedA, 0, packedB, 0);
  runUnits({ kind: 'js', packedA, packedB, out: out as Floats | Int32Array, M: p.M, N: p.N, K: p.K, batchStrideB: p.sharedB ? 0 : panelSizeB, unitStart: 0, unitEnd: p.batches * Math.ceil(p.M / ROWS_PER_PANEL) });
}

/**
 * How an operand's matrices are stored: 'rows' when each is row-major without gaps ([rows, depth]
 * for A, [K, N] for B), 'columns' when each is stored transposed without gaps (A as [K, M]), else
 * null (then it is packed). A size-1 axis fits either stride.
 */
type InPlaceLayout = 'rows' | 'columns';
function matrixLayout(view: View<Storage>): InPlaceLayout | null {
  const rank = view.shape.length;
  const [rows, columns] = [view.shape[rank - 2]!, view.shape[rank - 1]!];
  const [rowStride, columnStride] = [view.strides[rank - 2]!, view.strides[rank - 1]!];
  if ((columns === 1 || columnStride === 1) && (rows === 1 || rowStride === columns)) return 'rows';
  if ((rows === 1 || rowStride === 1) && (columns === 1 || columnStride === rows)) return 'columns';
  return null;
}

/**
 * Copies the matrices of the first `entries` batch entries of a view whose matrices are each stored
 * without gaps (matrixLayout) one after the other into memory from float index `at`: one copy when
 * the batch entries are adjacent too, else one per entry.
 */
function copyMatrices(view: View<Storage>, entries: number, memory: Float32Array, at: number): void {
  const rank = view.shape.length;
  const size = view.shape[rank - 2]! * view.shape[rank - 1]!;
  const storage = view.storage as Float32Array;
  if (entries === 1) {
    memory.set(storage.subarray(view.offset, view.offset + size), at);
    return;
  }
  forEachRun(view.shape.slice(0, rank - 2), [{ strides: view.strides.slice(0, rank - 2), offset: view.offset }], (bases, length, start, steps) => {
    const base = bases[0]!;
    if (steps[0] === size) {
      memory.set(storage.subarray(base, base + length * size), at + start * size);
    } else {
      for (let j = 0; j < length; j++) memory.set(storage.subarray(base + j * steps[0]!, base + j * steps[0]! + size), at + (start + j) * size);
    }
  });
}

/** Rounds a float count up to whole 16-byte vectors, so that every region starts aligned. */
const wholeVectors = (floats: number) => Math.ceil(floats / 4) * 4;

/**
 * The wasm kernel over [A | B | output] in its memory from DATA_START (one region reused by every
 * call: matmul calls never nest); the output is copied out. An operand whose matrices are stored
 * without gaps (A row-major or transposed, B row-major) is copied as it is (about a tenth of the
 * cost of packing it) and read in place; otherwise it is packed into panels. An edge tile read in
 * place also reads the rows (or columns) past the matrix edge: the next matrix's, or after the last
 * one a pad of zeros. Each output lane sums only its own row and column, and only the lanes inside
 * the matrix are stored, so the result is the same bits as from zero-padded panels.
 * False when the memory cannot hold the product; the caller then uses the JS kernel.
 */
function multiplyWasm(kernel: WasmKernel, p: Product, out: Float32Array): boolean {
  const { a, b, M, K, N, batches, sharedB } = p;
  const layoutA = matrixLayout(a);
  const layoutB = matrixLayout(b) === 'rows' ? 'rows' : null;
  const rowPanels = Math.ceil(M / ROWS_PER_PANEL);
  const columnPanels = Math.ceil(N / WASM_COLUMNS_PER_PANEL);
  const entryA = layoutA ? M * K : rowPanels * ROWS_PER_PANEL * K; // floats per batch entry
  const entryB = layoutB ? K * N : columnPanels * WASM_COLUMNS_PER_PANEL * K;
  const entriesB = sharedB ? 1 : batches;
  // What the last edge tile reads past the last matrix read in place: whole rows of A (or, stored
  // transposed, fewer floats), the columns of B's last row.
  const padA = layoutA ? (rowPanels * ROWS_PER_PANEL - M) * K : 0;
  const padB = layoutB ? columnPanels * WASM_COLUMNS_PER_PANEL - N : 0;
  const atA = DATA_START / 4; // float indices
  const atB = atA + wholeVectors(batches * entryA + padA);
  const atOut = atB + wholeVectors(entriesB * entryB + padB);
  if (!reserveWasmMemory(kernel, (atOut + out.length) * 4)) return false;
  const memory = new Float32Array(kernel.memory.buffer, 0, kernel.memory.buffer.byteLength / 4);
  if (layoutA) {
    copyMatrices(a, batches, memory, atA);
    memory.fill(0, atA + batches * entryA, atA + batches * entryA + padA);
  }
  if (layoutB) {
    copyMatrices(b, entriesB, memory, atB);
    memory.fill(0, atB + entriesB * entryB, atB + entriesB * entryB + padB);
  }
  packOperands(p, WASM_COLUMNS_PER_PANEL, layoutA ? null : memory, atA, layoutB ? null : memory, atB);
  // Byte strides of A: row-major in place, rows K floats apart and k adjacent; transposed in place,
  // rows adjacent and k M floats apart (a panel's 4 rows are then 4 adjacent floats, as packed);
  // packed, rows adjacent and k 4 floats apart.
  const strideA = layoutA === 'rows' ? { aRowBytes: 4 * K, aDepthBytes: 4, aPanelBytes: 16 * K }
    : layoutA === 'columns' ? { aRowBytes: 4, aDepthBytes: 4 * M, aPanelBytes: 16 }
    : { aRowBytes: 4, aDepthBytes: 16, aPanelBytes: 16 * K };
  const layout: WasmLayout = {
    a: atA * 4, ...strideA, aBatchBytes: 4 * entryA,
    // In place: the next 8 columns are the next panel; packed: a panel holds K × 8 floats.
    b: atB * 4, bDepthBytes: layoutB ? 4 * N : 32, bPanelBytes: layoutB ? 32 : 32 * K, bBatchBytes: sharedB ? 0 : 4 * entryB,
    out: atOut * 4,
  };
  runUnits({ kind: 'wasm', kernel, layout, M, N, K, unitStart: 0, unitEnd: batches * rowPanels });
  out.set(memory.subarray(atOut, atOut + out.length));
  return true;
}

/**
 * How BLAS reads one matrix [rows, columns] of a view: row-major with a leading dimension of at
 * least `columns` (not transposed), or column-major with one of at least `rows` (transposed); null
 * for any other layout (broadcast, overlapping or negative strides), which is copied first.
 */
function blasOperand(view: View<Storage>): { transpose: typeof NO_TRANSPOSE | typeof TRANSPOSE; leading: number } | null {
  const rank = view.shape.length;
  const [rows, columns] = [view.shape[rank - 2]!, view.shape[rank - 1]!];
  const [rowStride, columnStride] = [view.strides[rank - 2]!, view.strides[rank - 1]!];
  // A size-1 axis fits any stride: the leading dimension is then only the smallest legal one.
  if ((columns === 1 || columnStride === 1) && (rows === 1 || rowStride >= columns)) {
    return { transpose: NO_TRANSPOSE, leading: rows === 1 ? columns : rowStride };
  }
  if ((rows === 1 || rowStride === 1) && (columns === 1 || columnStride >= rows)) {
    return { transpose: TRANSPOSE, leading: columns === 1 ? rows : columnStride };
  }
  return null;
}

/** The system BLAS, one sgemm per batch entry, each reading its operands where they are stored. */
function multiplyBlas(sgemm: Sgemm, p: Product, out: Float32Array): void {
  const { M, K, N } = p;
  const rank = p.a.shape.length;
  // An operand BLAS cannot read is copied row-major, which it can.
  const readable = (view: View<Storage>) => {
    const operand = blasOperand(view);
    if (operand) return { view, operand };
    const copy = { ...view, storage: contiguous(view), strides: contiguousStrides(view.shape), offset: 0 };
    return { view: copy, operand: blasOperand(copy)! };
  };
  const [{ view: a, operand: opA }, { view: b, operand: opB }] = [readable(p.a), readable(p.b)];
  const A = a.storage as Float32Array;
  const B = b.storage as Float32Array;
  const batchLayouts = [
    { strides: a.strides.slice(0, rank - 2), offset: a.offset },
    { strides: b.strides.slice(0, rank - 2), offset: b.offset },
  ];
  forEachRun(a.shape.slice(0, rank - 2), batchLayouts, (bases, length, start, steps) => {
    for (let j = 0; j < length; j++) {
      const at = (start + j) * M * N;
      sgemm(opA.transpose, opB.transpose, M, N, K, 1, A.subarray(bases[0]! + j * steps[0]!), opA.leading,
        B.subarray(bases[1]! + j * steps[1]!), opB.leading, 0, out.subarray(at, at + M * N), N);
    }
  });
  if (a !== p.a) releaseScratch(a.storage);
  if (b !== p.b) releaseScratch(b.storage);
}

export function matmul(a: View<Storage>, b: View<Storage>): Storage {
  const rank = a.shape.length;
  const [M, K] = [a.shape[rank - 2]!, a.shape[rank - 1]!];
  const N = b.shape[rank - 1]!;
  const batchShape = a.shape.slice(0, rank - 2);
  const batches = sizeOf(batchShape);
  const outKind = a.dtype === 'float64' ? 'float64' : a.dtype === 'int32' ? 'int32' : 'float32';
  const size = batches * M * N;
  if (size === 0 || K === 0) return newBuffer(outKind, size); // an empty sum is zero
  const sharedB = b.strides.slice(0, rank - 2).every((s, axis) => s === 0 || batchShape[axis] === 1);
  const product: Product = { a, b, M, K, N, batches, sharedB };
  const sgemm = a.dtype === 'float32' ? systemSgemm() : null;
  if (sgemm) {
    // beta 0: BLAS writes every element of out without reading it, so a pooled buffer fits.
    const out = newBufferToOverwrite('float32', size) as Float32Array;
    multiplyBlas(sgemm, product, out);
    return out;
  }
  const kernel = a.dtype === 'float32' ? wasmKernel() : null;
  if (kernel) {
    // The wasm kernel writes every element of out (copied from its memory), so a pooled buffer fits.
    const out = newBufferToOverwrite('float32', size) as Float32Array;
    if (multiplyWasm(kernel, product, out)) return out;
    releaseScratch(out);
  }
  // The helper thread writes into out: shared memory where there is one.
  const out = sharedArray(outKind, size);
  multiplyJs(product, out);
  return out;
}
