// Fused layer normalisation over the last axis: one row at a time, statistics in doubles.
import type { LayerNormGradients, View } from '../../engine/backend.js';
import { allocate, type TypedArray } from '../../engine/dtype.js';
import { sizeOf } from '../../engine/shape.js';
import { rowMajorData } from './dense.js';

type Storage = TypedArray;

/** The [width] parameter as doubles, or `fill` everywhere when absent. */
function parameter(p: View<Storage> | null, width: number, fill: number): Float64Array {
  const values = new Float64Array(width).fill(fill);
  if (p) {
    const { data, start } = rowMajorData(p);
    for (let j = 0; j < width; j++) values[j] = data[start + j]!;
  }
  return values;
}

/** Mean and 1/√(biased variance + eps) of the row at `base`, two passes as the composition computes them. */
function rowStatistics(data: Storage, base: number, width: number, eps: number): [number, number] {
  let total = 0;
  for (let j = 0; j < width; j++) total += data[base + j]!;
  const mean = total / width;
  let squares = 0;
  for (let j = 0; j < width; j++) {
    const centered = data[base + j]! - mean;
    squares += centered * centered;
  }
  return [mean, 1 / Math.sqrt(squares / width + eps)];
}

export function layerNorm(x: View<Storage>, weight: View<Storage> | null, bias: View<Storage> | null, eps: number): Storage {
  const size = sizeOf(x.shape);
  const width = x.shape[x.shape.length - 1] ?? 1;
  const out = allocate(x.dtype, size);
  if (size === 0) return out;
  const { data, start } = rowMajorData(x);
  const scale = parameter(weight, width, 1);
  const shift = parameter(bias, width, 0);
  for (let row = 0; row < size; row += width) {
    const base = start + row;
    const [mean, rstd] = rowStatistics(data, base, width, eps);
    for (let j = 0; j < width; j++) out[row + j] = (data[base + j]! - mean) * rstd * scale[j]! + shift[j]!;
  }
  return out;
}

/**
 * With x̂ = (x − mean)·rstd and g = dy ⊙ weight: dx = rstd·(g − mean(g) − x̂·mean(g ⊙ x̂)) per row;
 * dweight = Σ_rows dy ⊙ x̂, dbias = Σ_rows dy.
 */
export function layerNormGrad(x: View<Storage>, weight: View<Storage> | null, dy: View<Storage>, eps: number): LayerNormGradients<Storage> {
  const size = sizeOf(x.shape);
  const width = x.shape[x.shape.length - 1] ?? 1;
  const dx = allocate(x.dtype, size);
  const dweight = new Float64Array(width);
  const dbias = new Float64Array(width);
  const xs = rowMajorData(x);
  const dys = rowMajorData(dy);
  const scale = parameter(weight, width, 1);
  const normalized = new Float64Array(width);
  const scaledGrad = new Float64Array(width);
  for (let row = 0; row < size; row += width) {
    const xBase = xs.start + row;
    const dyBase = dys.start + row;
    const [mean, rstd] = rowStatistics(xs.data, xBase, width, eps);
    let gradTotal = 0;
    let gradDotNormalized = 0;
    for (let j = 0; j < width; j++) {
      const xhat = (xs.data[xBase + j]! - mean) * rstd;
      const upstream = dys.data[dyBase + j]!;
      const g = upstream * scale[j]!;
      normalized[j] = xhat;
      scaledGrad[j] = g;
      gradTotal += g;
      gradDotNormalized += g * xhat;
      dweight[j] = dweight[j]! + upstream * xhat;
      dbias[j] = dbias[j]! + upstream;
    }
    const gradMean = gradTotal / width;
    const projection = gradDotNormalized / width;
    for (let j = 0; j < width; j++) dx[row + j] = rstd * (scaledGrad[j]! - gradMean - normalized[j]! * projection);
  }
  const toDtype = (values: Float64Array) => {
    const stored = allocate(x.dtype, width);
    stored.set(values);
    return stored;
  };
  return { dx, dweight: toDtype(dweight), dbias: toDtype(dbias) };
}
