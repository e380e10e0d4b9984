// Fused layer normalisation over the last axis: one row at a time, statistics in doubles. float32
// runs rows.wat (SIMD, float32 statistics) where it can; these loops are the fallback and reference.
import type { LayerNormGradients, View } from '../../engine/backend.js';
import type { TypedArray } from '../../engine/dtype.js';
import { newBuffer, newBufferToOverwrite, newFloat32Output } from './buffer-pool.js';
import { sizeOf } from '../../engine/shape.js';
import { rowMajorData } from './dense.js';
import { wasmLayerNorm, wasmLayerNormGrad } from './wasm/rows-wasm.js';

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

/** Mean and 1/√(biased variance + eps) of the row at `base`, two passes as the composition computes them, into `stats`. */
function rowStatistics(data: Storage, base: number, width: number, eps: number, stats: Float64Array): void {
  let total = 0;
  for (let j = 0; j < width; j++) total += data[base + j]!;
  const mean = total / width;
  let squares = 0;
  for (let j = 0; j < width; j++) {
    const centered = data[base + j]! - mean;
    squares += centered * centered;
  }
  stats[0] = mean;
  stats[1] = 1 / Math.sqrt(squares / width + eps);
}

export function layerNorm(x: View<Storage>, weight: View<Storage> | null, bias: View<Storage> | null, eps: number): Storage {
  const size = sizeOf(x.shape);
  const width = x.shape[x.shape.length - 1] ?? 1;
  if (size === 0) return newBuffer(x.dtype, 0);
  const { data, start } = rowMajorData(x);
  const fromWasm = wasmLayerNorm({ data, start }, weight && rowMajorData(weight), bias && rowMajorData(bias), size, width, eps, newFloat32Output);
  if (fromWasm) return fromWasm;
  const out = newBufferToOverwrite(x.dtype, size);
  const scale = parameter(weight, width, 1);
  const shift = parameter(bias, width, 0);
  const stats = new Float64Array(2);
  for (let row = 0; row < size; row += width) {
    const base = start + row;
    rowStatistics(data, base, width, eps, stats);
    const mean = stats[0]!;
    const rstd = stats[1]!;
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
  const xs = rowMajorData(x);
  const dys = rowMajorData(dy);
  const toDtype = (values: Float64Array) => {
    const stored = newBuffer(x.dtype, width);
    stored.set(values);
    return stored;
  };
  const fromWasm = wasmLayerNormGrad(xs, weight && rowMajorData(weight), dys, size, width, eps, newFloat32Output);
  if (fromWasm) return { dx: fromWasm.dx, dweight: toDtype(fromWasm.dweight), dbias: toDtype(fromWasm.dbias) };
  const dx = newBufferToOverwrite(x.dtype, size);
  const dweight = new Float64Array(width);
  const dbias = new Float64Array(width);
  const scale = parameter(weight, width, 1);
  const stats = new Float64Array(2);
  const X = xs.data;
  const D = dys.data;
  for (let row = 0; row < size; row += width) {
    const xBase = xs.start + row;
    const dyBase = dys.start + row;
    rowStatistics(X, xBase, width, eps, stats);
    const mean = stats[0]!;
    const rstd = stats[1]!;
    let gradTotal = 0;
    let gradDotNormalized = 0;
    for (let j = 0; j < width; j++) {
      const xhat = (X[xBase + j]! - mean) * rstd;
      const upstream = D[dyBase + j]!;
      const g = upstream * scale[j]!;
      gradTotal += g;
      gradDotNormalized += g * xhat;
      dweight[j] = dweight[j]! + upstream * xhat;
      dbias[j] = dbias[j]! + upstream;
    }
    const gradMean = gradTotal / width;
    const projection = gradDotNormalized / width;
    // x̂ and g again rather than kept from the first loop: recomputing is cheaper than storing them.
    for (let j = 0; j < width; j++) {
      const xhat = (X[xBase + j]! - mean) * rstd;
      dx[row + j] = rstd * (D[dyBase + j]! * scale[j]! - gradMean - xhat * projection);
    }
  }
  return { dx, dweight: toDtype(dweight), dbias: toDtype(dbias) };
}
