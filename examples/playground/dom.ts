/** Small DOM helpers shared by the panels. */
import type { PretrainedFiles } from 'lsgrad/nn';

/** The element with this id; a missing one is a bug in index.html, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`playground: index.html has no element #${id}`);
  return element as T;
}

/** The number typed in an <input>; the library's validation reports a bad one. */
export function numberIn(id: string): number {
  return Number(byId<HTMLInputElement>(id).value);
}

export function checkedIn(id: string): boolean {
  return byId<HTMLInputElement>(id).checked;
}

export function valueIn(id: string): string {
  return byId<HTMLInputElement | HTMLSelectElement>(id).value;
}

/** The message of a thrown value, as the library wrote it (its errors name the function, the argument and what was expected). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Offers each file of a checkpoint as a download, under the file names HuggingFace expects. */
export function downloadFiles(files: PretrainedFiles, prefix = ''): void {
  for (const [name, contents] of Object.entries(files)) {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([contents as BlobPart]));
    link.download = `${prefix}${name}`;
    link.click();
    // Revoked later: revoking at once can cancel the download before it starts.
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  }
}

/** 12_300_000 → '12.3 M'. */
export function compact(value: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, unit] of units) if (Math.abs(value) >= size) return `${(value / size).toPrecision(3)} ${unit}`;
  return String(Math.round(value * 100) / 100);
}

/** Milliseconds as '1 min 05 s' or '12 s'. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '…';
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s` : `${seconds} s`;
}
