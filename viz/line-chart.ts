// Line charts as SVG, e.g. training loss and validation accuracy against the step.
import { escapeXml, niceTicks, px, svgDocument } from './svg.js';

export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
  color?: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Fixed y range (e.g. [0, 1] for accuracy); otherwise fitted to the data. */
  yRange?: readonly [number, number];
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/**
 * One chart with one polyline per series, axes with round ticks, and a legend.
 * @example lineChartSvg([{ name: 'loss', points: [[1, 0.7], [2, 0.5]] }], { title: 'Loss', xLabel: 'step', yLabel: 'loss' })
 */
export function lineChartSvg(series: readonly Series[], options: LineChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const margin = { left: 60, right: 20, top: 36, bottom: 46 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = series.flatMap((line) => line.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  let [xMin, xMax] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [yMin, yMax] = options.yRange ?? (ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (xMax === xMin) { xMin -= 1; xMax += 1; }
  if (yMax === yMin) { yMin -= 0.5; yMax += 0.5; }
  const toX = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const toY = (y: number) => margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotHeight;

  const body: string[] = [
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  ];
  for (const tick of niceTicks(xMin, xMax, 6)) {
    body.push(`<line x1="${px(toX(tick))}" x2="${px(toX(tick))}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="#888"/>`);
    body.push(`<text x="${px(toX(tick))}" y="${margin.top + plotHeight + 17}" text-anchor="middle">${tick}</text>`);
  }
  for (const tick of niceTicks(yMin, yMax, 5)) {
    body.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${px(toY(tick))}" y2="${px(toY(tick))}" stroke="#eee"/>`);
    body.push(`<text x="${margin.left - 6}" y="${px(toY(tick) + 4)}" text-anchor="end">${tick}</text>`);
  }
  body.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  body.push(`<text transform="translate(14 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);
  series.forEach((line, index) => {
    const color = line.color ?? PALETTE[index % PALETTE.length];
    const points = line.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const [first] = points;
    if (points.length === 1 && first) {
      body.push(`<circle cx="${px(toX(first[0]))}" cy="${px(toY(first[1]))}" r="3" fill="${color}"/>`);
    } else if (points.length > 1) {
      const path = points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ');
      body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    const legendY = margin.top + 14 + index * 16;
    body.push(`<line x1="${margin.left + plotWidth - 130}" x2="${margin.left + plotWidth - 110}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`);
    body.push(`<text x="${margin.left + plotWidth - 104}" y="${legendY}">${escapeXml(line.name)}</text>`);
  });
  return svgDocument(width, height, body);
}

/** Two charts stacked in one SVG (e.g. loss above, accuracy below). */
export function stackedChartsSvg(charts: readonly string[]): string {
  const sizes = charts.map((chart): [number, number] => {
    const match = /width="(\d+)" height="(\d+)"/.exec(chart);
    return match ? [Number(match[1]), Number(match[2])] : [640, 360];
  });
  const width = Math.max(...sizes.map(([w]) => w));
  const height = sizes.reduce((total, [, h]) => total + h, 0);
  let offset = 0;
  const body = charts.map((chart, index) => {
    const inner = chart.replace(/^<svg[^>]*>\n?/, '').replace(/<\/svg>\s*$/, '');
    const group = `<g transform="translate(0 ${offset})">\n${inner}</g>`;
    offset += sizes[index]![1];
    return group;
  });
  return svgDocument(width, height, body);
}
