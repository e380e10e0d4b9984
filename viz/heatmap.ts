// Heatmaps as SVG, e.g. which keys each query attends to (rows: queries, columns: keys).
import { escapeXml, svgDocument } from './svg.js';

export interface HeatmapOptions {
  title: string;
  /** Smaller lines under the title. */
  subtitles?: readonly string[];
  xLabel?: string;
  yLabel?: string;
  /** Pixel size of one cell before downsampling. */
  cellSize?: number;
  /** Larger matrices are max-pooled into at most this many rows/columns (keeps files small). */
  maxCells?: number;
  /**
   * Draws classes instead of a ramp: value v (1..n) takes categories[v - 1]'s colour, 0 stays
   * white, and a legend names them. Pooling keeps the highest class, so list the most important last.
   */
  categories?: readonly HeatmapCategory[];
}

export interface HeatmapCategory {
  label: string;
  color: string;
}

/** White (0) → dark blue (1), through a light-blue ramp that prints well. */
function colorOf(value: number): string {
  const clamped = Math.max(0, Math.min(1, value));
  const channel = (from: number, to: number) => Math.round(from + (to - from) * clamped);
  return `rgb(${channel(255, 8)},${channel(255, 48)},${channel(255, 107)})`;
}

/**
 * Max-pools a `rows × columns` matrix (row-major) to at most `maxCells` per side, so that a
 * single attended key still shows in a 4096 × 4096 pattern.
 */
export function poolMatrix(values: ArrayLike<number>, rows: number, columns: number, maxCells: number): { values: Float64Array; rows: number; columns: number } {
  const rowFactor = Math.max(1, Math.ceil(rows / maxCells));
  const columnFactor = Math.max(1, Math.ceil(columns / maxCells));
  const pooledRows = Math.ceil(rows / rowFactor);
  const pooledColumns = Math.ceil(columns / columnFactor);
  const pooled = new Float64Array(pooledRows * pooledColumns);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const index = Math.floor(row / rowFactor) * pooledColumns + Math.floor(column / columnFactor);
      pooled[index] = Math.max(pooled[index]!, values[row * columns + column]!);
    }
  }
  return { values: pooled, rows: pooledRows, columns: pooledColumns };
}

/**
 * A heatmap of a row-major matrix; values are scaled by the maximum so the strongest cell is darkest.
 * @example heatmapSvg([1, 0, 0, 1], 2, 2, { title: 'identity' })
 */
export function heatmapSvg(values: ArrayLike<number>, rows: number, columns: number, options: HeatmapOptions): string {
  if (values.length !== rows * columns) {
    throw new Error(`heatmapSvg: ${values.length} values for a ${rows} × ${columns} matrix; expected ${rows * columns}`);
  }
  const pooled = poolMatrix(values, rows, columns, options.maxCells ?? 256);
  const cell = options.cellSize ?? Math.max(1, Math.floor(512 / Math.max(pooled.rows, pooled.columns)));
  const subtitles = options.subtitles ?? [];
  const categories = options.categories ?? [];
  const margin = { left: 40, top: 36 + 16 * subtitles.length, right: 16, bottom: 36 + (categories.length > 0 ? 22 : 0) };
  const legendWidth = categories.reduce((total, category) => total + 28 + 7 * category.label.length, 0);
  const width = Math.max(margin.left + pooled.columns * cell + margin.right, 120 + 6.5 * Math.max(options.title.length, ...subtitles.map((line) => line.length)), 2 * margin.left + legendWidth);
  margin.left = Math.max(margin.left, Math.floor((width - pooled.columns * cell) / 2)); // centre the grid under long titles
  const height = margin.top + pooled.rows * cell + margin.bottom;
  let maximum = 0;
  for (const value of pooled.values) maximum = Math.max(maximum, value);
  const scale = maximum > 0 ? 1 / maximum : 0;
  const body: string[] = [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    ...subtitles.map((line, index) => `<text x="${width / 2}" y="${38 + 16 * index}" text-anchor="middle" font-size="11" fill="#444">${escapeXml(line)}</text>`),
  ];
  for (let row = 0; row < pooled.rows; row++) {
    for (let column = 0; column < pooled.columns; column++) {
      const value = pooled.values[row * pooled.columns + column]!;
      if (value <= 0) continue; // white background already
      const fill = categories.length > 0 ? categories[Math.min(categories.length, Math.round(value)) - 1]!.color : colorOf(value * scale);
      body.push(`<rect x="${margin.left + column * cell}" y="${margin.top + row * cell}" width="${cell}" height="${cell}" fill="${fill}"/>`);
    }
  }
  body.push(`<rect x="${margin.left}" y="${margin.top}" width="${pooled.columns * cell}" height="${pooled.rows * cell}" fill="none" stroke="#888"/>`);
  body.push(`<text x="${margin.left + (pooled.columns * cell) / 2}" y="${height - 10 - (categories.length > 0 ? 22 : 0)}" text-anchor="middle">${escapeXml(options.xLabel ?? `keys (${columns})`)}</text>`);
  body.push(`<text transform="translate(${margin.left - 12} ${margin.top + (pooled.rows * cell) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel ?? `queries (${rows})`)}</text>`);
  let legendX = Math.max(8, (width - legendWidth) / 2);
  for (const category of categories) {
    body.push(`<rect x="${legendX}" y="${height - 24}" width="12" height="12" fill="${category.color}" stroke="#888"/>`);
    body.push(`<text x="${legendX + 16}" y="${height - 14}">${escapeXml(category.label)}</text>`);
    legendX += 28 + 7 * category.label.length;
  }
  return svgDocument(width, height, body);
}
