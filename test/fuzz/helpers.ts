// Shared by the fuzz suites: how many cases to run, with which seed, and the one rule every public
// call must follow: return what it documents (finite values for finite inputs) or throw one of
// lsgrad's typed errors. `npm test` runs a few cases with a fixed seed; `npm run fuzz -- --runs N`
// runs N per property with a fresh seed (scripts/fuzz.ts sets the two variables read here).
import { test } from 'uvu';
import fc from 'fast-check';
import { LsgradError, tensor, type DType, type Tensor } from '../../engine/index.js';
import { PROPERTY_SEED } from '../helpers/property-seed.js';

const RUNS = Number(process.env.LSGRAD_FUZZ_RUNS ?? '') || undefined;
const SEED = PROPERTY_SEED;

/**
 * A uvu test that checks `property` over `defaultRuns` cases (LSGRAD_FUZZ_RUNS overrides), prints
 * how many ran, and on failure the seed and path that replay it:
 * `fc.assert(property, { seed, path, endOnFailure: true })` in a regression test.
 */
export function fuzz<T>(name: string, defaultRuns: number, property: fc.IProperty<T> | fc.IAsyncProperty<T>): void {
  test(name, async () => {
    const numRuns = RUNS ?? defaultRuns;
    const started = performance.now();
    counts.returned = 0;
    counts.refused = 0;
    try {
      await fc.assert(property as fc.IAsyncProperty<T>, { numRuns, seed: SEED });
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      console.error(`fuzz "${name}" FAILED with seed ${SEED} (replay: LSGRAD_FUZZ_SEED=${SEED}); fast-check says:\n${(error as Error).message}` +
        (cause ? `\ncause: ${cause.stack ?? cause.message}` : ''));
      throw error;
    }
    const calls = counts.returned + counts.refused > 0 ? `; calls: ${counts.returned} returned, ${counts.refused} typed refusals` : '';
    console.log(`fuzz "${name}": ${numRuns} cases passed (seed ${SEED}, ${((performance.now() - started) / 1000).toFixed(1)} s${calls})`);
  });
}

/** Calls of the running property that returned, and that threw a typed error (printed with the run). */
const counts = { returned: 0, refused: 0 };

/** What a call did: returned a value, or threw one of lsgrad's typed errors. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: LsgradError };

/**
 * Runs `fn`; a typed error is an allowed outcome, any other exception (a TypeError from inside
 * lsgrad, a RangeError from a typed array) fails the case with its stack.
 */
export function typedOrValue<T>(fn: () => T): Outcome<T> {
  try {
    const value = fn();
    counts.returned++;
    return { ok: true, value };
  } catch (error) {
    if (error instanceof LsgradError) { counts.refused++; return { ok: false, error }; }
    throw new Error(`an untyped ${(error as Error)?.name ?? typeof error} escaped: ${(error as Error)?.stack ?? String(error)}`);
  }
}

/** Asserts `t` has `shape` and only finite values; names what it checks in the failure. */
export function expectShapeAndFinite(what: string, t: Tensor, shape: readonly number[]): void {
  if (t.shape.join() !== shape.join()) throw new Error(`${what}: shape [${t.shape}], expected [${shape}]`);
  const values = t.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new Error(`${what}: value ${values[i]} at ${i} from finite inputs`);
  }
}

/** Small shapes, including empty axes and scalars. */
export const shapeArb = (maxRank = 4, maxDim = 4) => fc.array(fc.integer({ min: 0, max: maxDim }), { minLength: 0, maxLength: maxRank });

/** Finite values on a quarter grid in [-8, 8]: exact in float32, far from overflow. */
export const valueArb = fc.integer({ min: -32, max: 32 }).map((v) => v / 4);

export const FLOAT_DTYPES: readonly DType[] = ['float32', 'float64'];
export const ALL_DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'bool'];

/** How a tensor's values are laid out: the same logical values, contiguous or as a view. */
export type Layout = 'contiguous' | 'transposed' | 'narrowed' | 'expanded';
export const layoutArb = fc.constantFrom<Layout>('contiguous', 'transposed', 'narrowed', 'expanded');

/** Product of the dimensions. */
export const sizeOfShape = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A tensor with row-major `values` and `shape`, laid out as asked: a permuted copy permuted back,
 * a slice of a larger tensor, or row 0 broadcast over axis 0 (then `values` is row 0 repeated).
 * Returns the tensor and the row-major values it holds.
 */
export function laidOut(values: readonly number[], shape: readonly number[], dtype: DType, layout: Layout): { t: Tensor; values: number[] } {
  if (layout === 'expanded' && shape.length >= 1 && shape[0]! >= 1) {
    const row = values.slice(0, sizeOfShape(shape.slice(1)));
    const t = tensor(row, { shape: [1, ...shape.slice(1)], dtype }).expand([...shape]);
    return { t, values: Array.from({ length: shape[0]! }, () => row).flat() };
  }
  return { t: layoutOf(values, shape, dtype, layout), values: [...values] };
}

function layoutOf(values: readonly number[], shape: readonly number[], dtype: DType, layout: Layout): Tensor {
  const rank = shape.length;
  if (layout === 'transposed' && rank >= 2) {
    const order = Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const transposedShape = order.map((axis) => shape[axis]!);
    const strides = rowMajorStrides(shape);
    const transposed = new Array<number>(values.length);
    forEachIndex(transposedShape, (index, flat) => {
      let source = 0;
      index.forEach((i, k) => (source += i * strides[order[k]!]!));
      transposed[flat] = values[source]!;
    });
    return tensor(transposed, { shape: transposedShape, dtype }).permute(order);
  }
  if (layout === 'narrowed' && rank >= 1) {
    const wider = [shape[0]! + 2, ...shape.slice(1)];
    const rowSize = sizeOfShape(shape.slice(1));
    const padded = [...new Array<number>(rowSize).fill(0), ...values, ...new Array<number>(rowSize).fill(0)];
    return tensor(padded, { shape: wider, dtype }).narrow(0, 1, shape[0]!);
  }
  return tensor([...values], { shape: [...shape], dtype });
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = step; step *= shape[i]!; }
  return strides;
}

/** Calls fn with every multi-index of `shape` in row-major order and its flat position. */
export function forEachIndex(shape: readonly number[], fn: (index: number[], flat: number) => void): void {
  const total = sizeOfShape(shape);
  const index = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < total; flat++) {
    fn(index, flat);
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      if (++index[axis]! < shape[axis]!) break;
      index[axis] = 0;
    }
  }
}

/** NumPy broadcasting of two shapes, or undefined when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** The row-major position in `shape` that broadcasting maps `index` (of the output) to. */
export function broadcastSource(index: readonly number[], shape: readonly number[]): number {
  const offset = index.length - shape.length;
  let flat = 0;
  for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis]! + (shape[axis] === 1 ? 0 : index[offset + axis]!);
  return flat;
}
