// Small statistics for benchmark tables: medians and log-log least-squares slopes.

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The exponent p of y ≈ c·xᵖ: the least-squares slope of log y against log x.
 * NaN with fewer than two usable points (x, y > 0 and finite).
 * @example scalingExponent([[512, 1], [1024, 4], [2048, 16]]) // 2
 */
export function scalingExponent(points: ReadonlyArray<readonly [number, number]>): number {
  const usable = points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y));
  if (usable.length < 2) return Number.NaN;
  const logs = usable.map(([x, y]) => [Math.log(x), Math.log(y)] as const);
  const meanX = logs.reduce((s, [x]) => s + x, 0) / logs.length;
  const meanY = logs.reduce((s, [, y]) => s + y, 0) / logs.length;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of logs) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance > 0 ? covariance / variance : Number.NaN;
}
