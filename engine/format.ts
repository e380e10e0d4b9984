// How a tensor prints (String(t), t.toString(), console.log(t) in Node): its values laid out by
// dimension, then dtype and shape, abbreviated like PyTorch's printout: past PRINT_THRESHOLD
// elements each dimension shows its first and last EDGE_ITEMS entries around "...", floats share
// one notation (integers as "2.", fixed with PRECISION decimals, or scientific when the magnitudes
// are far apart), and every entry is padded to one width so that columns line up.
import { noGrad } from './autograd.js';
import type { DType } from './dtype.js';
import type { Tensor } from './tensor.js';

export const PRINT_THRESHOLD = 1000;
export const EDGE_ITEMS = 3;
export const PRECISION = 4;
const LINE_WIDTH = 80;

/** The entries that print: shape of the shown block, its row-major values, and which axes were cut. */
interface Shown { shape: number[]; values: number[]; cut: boolean[] }

/**
 * The tensor as text, e.g. for tensor([[1, 2], [3, 4.5]]):
 *   tensor([[1.0000, 2.0000],
 *           [3.0000, 4.5000]], dtype=float32, shape=[2, 2])
 * @example String(tensor([1, 2]))  // 'tensor([1., 2.], dtype=float32, shape=[2])'
 */
export function formatTensor(t: Tensor): string {
  const shown = shownEntries(t);
  const texts = entryTexts(shown.values, t.dtype);
  const width = Math.max(0, ...texts.map((text) => text.length));
  const prefix = 'tensor(';
  const body = shown.shape.length === 0 ? texts[0]! : block(shown, texts.map((text) => text.padStart(width)), width, 0, 0, prefix.length);
  const details = [`dtype=${t.dtype}`, `shape=[${t.shape.join(', ')}]`];
  if (t.backend.name !== 'cpu') details.push(`backend=${t.backend.name}`);
  if (t.requiresGrad) details.push('requiresGrad=true');
  return `${prefix}${body}, ${details.join(', ')})`;
}

/**
 * The entries to print, read from the backend: all of them up to PRINT_THRESHOLD, else the corner
 * blocks (first and last EDGE_ITEMS along each long axis), so a huge tensor is never copied whole.
 */
function shownEntries(t: Tensor): Shown {
  const cut = t.shape.map((n) => t.size > PRINT_THRESHOLD && n > 2 * EDGE_ITEMS);
  const shape = t.shape.map((n, axis) => (cut[axis] ? 2 * EDGE_ITEMS : n));
  if (!cut.includes(true)) return { shape, values: Array.from(t.toTypedArray()), cut };
  const values = new Array<number>(shape.reduce((a, b) => a * b, 1));
  const cutAxes = cut.flatMap((isCut, axis) => (isCut ? [axis] : []));
  noGrad(() => {
    for (let corner = 0; corner < 2 ** cutAxes.length; corner++) {
      // Bit k of corner picks the head (0) or the tail (1) of the k-th cut axis.
      let part = t;
      const origin = shape.map(() => 0);
      cutAxes.forEach((axis, k) => {
        const tail = (corner >> k) & 1;
        part = part.narrow(axis, tail ? t.shape[axis]! - EDGE_ITEMS : 0, EDGE_ITEMS);
        origin[axis] = tail * EDGE_ITEMS;
      });
      scatterBlock(part.toTypedArray(), part.shape, origin, shape, values);
    }
  });
  return { shape, values, cut };
}

/** Copies a row-major block into the row-major array `into` (of shape `shape`) at `origin`. */
function scatterBlock(block: ArrayLike<number>, blockShape: readonly number[], origin: readonly number[], shape: readonly number[], into: number[]): void {
  const index = blockShape.map(() => 0);
  for (let k = 0; k < block.length; k++) {
    let flat = 0;
    for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis]! + origin[axis]! + index[axis]!;
    into[flat] = block[k]!;
    for (let axis = blockShape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < blockShape[axis]!) break;
      index[axis] = 0;
    }
  }
}

/** One text per entry, in the notation the dtype and the shown values call for. */
function entryTexts(values: readonly number[], dtype: DType): string[] {
  if (dtype === 'bool') return values.map((v) => (v ? 'true' : 'false'));
  if (dtype === 'int32') return values.map(String);
  const finite = values.filter(Number.isFinite);
  const magnitudes = finite.map(Math.abs).filter((v) => v > 0);
  const largest = Math.max(0, ...magnitudes);
  const smallest = Math.min(Infinity, ...magnitudes);
  const scientific = largest > 1e8 || (magnitudes.length > 0 && (smallest < 1e-4 || largest / smallest > 1e3));
  const integral = finite.every(Number.isInteger);
  return values.map((v) => {
    if (!Number.isFinite(v)) return String(v);
    // NOTE: integral values stay short ("2.") unless they are huge, as in PyTorch.
    if (integral && largest <= 1e8) return `${Object.is(v, -0) ? '-0' : v}.`;
    if (scientific) return v.toExponential(PRECISION).replace(/e([+-])(\d)$/, 'e$10$2');
    return v.toFixed(PRECISION);
  });
}

/**
 * The bracketed text of the sub-block at `axis` whose first entry is `start` (row-major index into
 * the shown values); `column` is where its "[" stands, for the indentation of the lines below it.
 */
function block(shown: Shown, texts: readonly string[], width: number, axis: number, start: number, column: number): string {
  const last = axis === shown.shape.length - 1;
  const stride = shown.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const items: string[] = [];
  for (let i = 0; i < shown.shape[axis]!; i++) {
    if (shown.cut[axis] && i === EDGE_ITEMS) items.push('...');
    items.push(last ? texts[start + i]! : block(shown, texts, width, axis + 1, start + i * stride, column + 1));
  }
  if (!last) {
    // Dimensions further out are set apart by more blank lines, as in PyTorch.
    return `[${items.join(',' + '\n'.repeat(shown.shape.length - axis - 1) + ' '.repeat(column + 1))}]`;
  }
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - column - 1) / (width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(',\n' + ' '.repeat(column + 1))}]`;
}
