// Line charts as SVG: training loss and validation accuracy against the step (linear axes), and
// benchmark time and memory against sequence length (logarithmic axes).
import { escapeXml, niceTicks, px, svgDocument } from './svg.js';

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
  dashed?: boolean;
}

/** 'log' places values by their logarithm; points at or below zero are left out. */
export type AxisScale = 'linear' | 'log';

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range (e.g. [0, 1] for accuracy); otherwise fitted to the data (to whole decades on a log axis). */
  yRange?: readonly [number, number];
  xScale?: AxisScale;
  yScale?: AxisScale;
  /** x tick values (e.g. the measured sequence lengths); by default round steps, or decades on a log axis. */
  xTicks?: readonly number[];
  yFormat?: (value: number) => string;
  /** A dot at every point, for series of a few measured points. */
  markers?: boolean;
  /** 'inside' (default): top right of the plot; 'below': under the x axis, for busy plots. */
  legend?: 'inside' | 'below';
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const LEGEND_COLUMNS = 2;
const LEGEND_ROW_HEIGHT = 16;

/** Powers of ten from below min to above max (at least two). */
function decades(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks.length > 1 ? ticks : [ticks[0]!, ticks[0]! * 10];
}

/** Where a value sits on an axis (its logarithm on a log axis), the axis range, and its ticks. */
function axis(scale: AxisScale, values: readonly number[], fixed: readonly [number, number] | undefined, ticks: readonly number[] | undefined, roughTicks: number, flatPad: number) {
  const position = scale === 'log' ? Math.log10 : (value: number) => value;
  let [min, max] = fixed ?? (values.length > 0 ? [Math.min(...values), Math.max(...values)] : scale === 'log' ? [1, 10] : [0, 1]);
  let tickValues = ticks ? [...ticks] : [];
  if (scale === 'log' && !fixed && !ticks) {
    tickValues = decades(min, max);
    [min, max] = [tickValues[0]!, tickValues.at(-1)!];
  }
  let [low, high] = [position(min), position(max)];
  if (high === low) { low -= flatPad; high += flatPad; }
  if (tickValues.length === 0) tickValues = scale === 'log' ? decades(10 ** low, 10 ** high) : niceTicks(low, high, roughTicks);
  const fraction = (value: number) => (position(value) - low) / (high - low);
  return { fraction, ticks: tickValues.filter((tick) => fraction(tick) >= -1e-9 && fraction(tick) <= 1 + 1e-9) };
}

/**
 * One chart with one polyline per series, axes with round ticks, and a legend.
 * @example lineChartSvg([{ name: 'loss', points: [[1, 0.7], [2, 0.5]] }], { title: 'Loss', xLabel: 'step', yLabel: 'loss' })
 */
export function lineChartSvg(series: readonly Series[], options: LineChartOptions): string {
  const { xScale = 'linear', yScale = 'linear', legend = 'inside', yFormat = String } = options;
  const width = options.width ?? 640;
  const legendHeight = legend === 'below' ? Math.ceil(series.length / LEGEND_COLUMNS) * LEGEND_ROW_HEIGHT + 8 : 0;
  const height = (options.height ?? 360) + legendHeight;
  const margin = { left: 60, right: 20, top: 36, bottom: 46 + legendHeight };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const plotted = series.map((line) => line.points.filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y) && (xScale === 'linear' || x > 0) && (yScale === 'linear' || y > 0)));
  const all = plotted.flat();
  const xAxis = axis(xScale, all.map(([x]) => x), undefined, options.xTicks, 6, 1);
  const yAxis = axis(yScale, all.map(([, y]) => y), options.yRange, undefined, 5, 0.5);
  const toX = (x: number) => margin.left + xAxis.fraction(x) * plotWidth;
  const toY = (y: number) => margin.top + (1 - yAxis.fraction(y)) * plotHeight;
  const bottom = margin.top + plotHeight;

  const body: string[] = [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  ];
  for (const tick of xAxis.ticks) {
    body.push(`<line x1="${px(toX(tick))}" x2="${px(toX(tick))}" y1="${bottom}" y2="${bottom + 4}" stroke="#888"/>`);
    body.push(`<text x="${px(toX(tick))}" y="${bottom + 17}" text-anchor="middle">${tick}</text>`);
  }
  for (const tick of yAxis.ticks) {
    body.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${px(toY(tick))}" y2="${px(toY(tick))}" stroke="#eee"/>`);
    body.push(`<text x="${margin.left - 6}" y="${px(toY(tick) + 4)}" text-anchor="end">${escapeXml(yFormat(tick))}</text>`);
  }
  body.push(`<text x="${margin.left + plotWidth / 2}" y="${bottom + 38}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  body.push(`<text transform="translate(14 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  series.forEach((line, index) => {
    const color = line.color ?? PALETTE[index % PALETTE.length];
    const dash = line.dashed ? ' stroke-dasharray="5 3"' : '';
    const points = plotted[index]!;
    const [first] = points;
    if (points.length === 1 && first) {
      body.push(`<circle cx="${px(toX(first[0]))}" cy="${px(toY(first[1]))}" r="3" fill="${color}"/>`);
    } else if (points.length > 1) {
      const path = points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ');
      body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="1.5"${dash}/>`);
      if (options.markers) for (const [x, y] of points) body.push(`<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="2.5" fill="${color}"/>`);
    }
    const [legendX, legendY] = legend === 'below'
      ? [margin.left + (index % LEGEND_COLUMNS) * (plotWidth / LEGEND_COLUMNS), bottom + 60 + Math.floor(index / LEGEND_COLUMNS) * LEGEND_ROW_HEIGHT]
      : [margin.left + plotWidth - 130, margin.top + 14 + index * LEGEND_ROW_HEIGHT];
    body.push(`<line x1="${px(legendX)}" x2="${px(legendX + 20)}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"${dash}/>`);
    body.push(`<text x="${px(legendX + 26)}" y="${legendY}">${escapeXml(line.name)}</text>`);
  });
  return svgDocument(width, height, body);
}

/** The size of a chart made by lineChartSvg, and its body without the <svg> element. */
function chartParts(chart: string): { width: number; height: number; inner: string } {
  const match = /width="(\d+)" height="(\d+)"/.exec(chart);
  const [width, height] = match ? [Number(match[1]), Number(match[2])] : [640, 360];
  return { width, height, inner: chart.replace(/^<svg[^>]*>\n?/, '').replace(/<\/svg>\s*$/, '') };
}

/** Charts in one SVG, one after another along `direction`, with an optional caption under them. */
function arrangeCharts(charts: readonly string[], direction: 'down' | 'across', caption?: string): string {
  const parts = charts.map(chartParts);
  let offset = 0;
  const body = parts.map(({ width, height, inner }) => {
    const group = `<g transform="translate(${direction === 'across' ? `${offset} 0` : `0 ${offset}`})">\n${inner}</g>`;
    offset += direction === 'across' ? width : height;
    return group;
  });
  const width = direction === 'across' ? offset : Math.max(...parts.map((part) => part.width));
  const height = direction === 'down' ? offset : Math.max(...parts.map((part) => part.height));
  if (caption) body.push(`<text x="${width / 2}" y="${height + 16}" text-anchor="middle">${escapeXml(caption)}</text>`);
  return svgDocument(width, height + (caption ? 24 : 0), body);
}

/** Charts stacked in one SVG, top to bottom (e.g. loss above, accuracy below). */
export function stackedChartsSvg(charts: readonly string[]): string {
  return arrangeCharts(charts, 'down');
}

/** Charts side by side in one SVG, left to right, with an optional caption under them. */
export function sideBySideChartsSvg(charts: readonly string[], caption?: string): string {
  return arrangeCharts(charts, 'across', caption);
}
