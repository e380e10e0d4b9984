// A log-log line chart as SVG, drawn by hand: time and memory against sequence length.
import { escapeXml, px, svgDocument } from '../viz/svg.js';

export interface LogSeries {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: ReadonlyArray<readonly [number, number]>;
}

export interface LogPanel {
  readonly title: string;
  readonly yLabel: string;
  /** Formats a y tick value (a power of ten). */
  readonly yFormat: (value: number) => string;
  readonly series: readonly LogSeries[];
}

const PANEL = { width: 400, height: 300, left: 64, right: 24, top: 30, bottom: 40 };

function decades(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) ticks.push(10 ** e);
  return ticks.length > 1 ? ticks : [ticks[0]!, ticks[0]! * 10];
}

function panelSvg(panel: LogPanel, xValues: readonly number[], offsetX: number): string[] {
  const { width, height, left, right, top, bottom } = PANEL;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const ys = panel.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y > 0 && Number.isFinite(y));
  const yTicks = ys.length > 0 ? decades(Math.min(...ys), Math.max(...ys)) : [1, 10];
  const [yMin, yMax] = [Math.log10(yTicks[0]!), Math.log10(yTicks.at(-1)!)];
  const [xMin, xMax] = [Math.log2(Math.min(...xValues)), Math.log2(Math.max(...xValues))];
  const toX = (x: number) => offsetX + left + ((Math.log2(x) - xMin) / Math.max(1e-9, xMax - xMin)) * plotWidth;
  const toY = (y: number) => top + (1 - (Math.log10(y) - yMin) / Math.max(1e-9, yMax - yMin)) * plotHeight;
  const body = [
    `<text x="${offsetX + left + plotWidth / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<rect x="${offsetX + left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
  ];
  for (const x of xValues) {
    body.push(`<line x1="${px(toX(x))}" x2="${px(toX(x))}" y1="${top}" y2="${top + plotHeight}" stroke="#eee"/>`);
    body.push(`<text x="${px(toX(x))}" y="${top + plotHeight + 15}" text-anchor="middle">${x}</text>`);
  }
  for (const y of yTicks) {
    body.push(`<line x1="${offsetX + left}" x2="${offsetX + left + plotWidth}" y1="${px(toY(y))}" y2="${px(toY(y))}" stroke="#eee"/>`);
    body.push(`<text x="${offsetX + left - 5}" y="${px(toY(y) + 4)}" text-anchor="end">${escapeXml(panel.yFormat(y))}</text>`);
  }
  body.push(`<text x="${offsetX + left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">sequence length (log)</text>`);
  body.push(`<text transform="translate(${offsetX + 14} ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`);
  for (const series of panel.series) {
    const points = series.points.filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
    if (points.length === 0) continue;
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    body.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${px(toX(x))},${px(toY(y))}`).join(' ')}"/>`);
    for (const [x, y] of points) body.push(`<circle cx="${px(toX(x))}" cy="${px(toY(y))}" r="2.5" fill="${series.color}"/>`);
  }
  return body;
}

/**
 * Panels side by side sharing one legend below them; both axes logarithmic.
 * @example logLogChartSvg([{ title: 'time', yLabel: 's', yFormat: String, series: [{ name: 'dense', color: '#d62728', points: [[512, 1], [1024, 4]] }] }], 'title')
 */
export function logLogChartSvg(panels: readonly LogPanel[], title: string): string {
  const xValues = [...new Set(panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))))].sort((a, b) => a - b);
  const names = [...new Map(panels.flatMap((p) => p.series).map((s) => [s.name, s])).values()];
  const legendRows = Math.ceil(names.length / 3);
  const width = PANEL.width * panels.length;
  const height = PANEL.height + 30 + legendRows * 18;
  const body = [`<text x="${width / 2}" y="${PANEL.height + 22}" text-anchor="middle" font-size="12">${escapeXml(title)}</text>`];
  panels.forEach((panel, i) => body.push(...panelSvg(panel, xValues.length > 0 ? xValues : [1, 2], i * PANEL.width)));
  names.forEach((series, i) => {
    const x = 20 + (i % 3) * (width / 3);
    const y = PANEL.height + 40 + Math.floor(i / 3) * 18;
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    body.push(`<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    body.push(`<text x="${x + 30}" y="${y}">${escapeXml(series.name)}</text>`);
  });
  return svgDocument(width, height, body);
}
