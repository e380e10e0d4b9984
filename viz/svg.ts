// Tiny helpers for writing SVG by hand: escaping and number formatting. No dependencies.

/** Escapes text for SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[character]!);
}

/** Two decimals are plenty for pixel coordinates and keep files small. */
export function px(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/** `niceTicks(0, 1, 5)` → [0, 0.2, 0.4, 0.6, 0.8, 1]: round steps of 1, 2 or 5 × 10^k. */
export function niceTicks(min: number, max: number, roughCount: number): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / Math.max(1, roughCount);
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? rough;
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

export function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
