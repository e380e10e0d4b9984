/**
 * The file system, for checkpoints on disk. The only module of nn/ and lsg/ that touches node:fs,
 * so that a browser bundle can swap it: package.json's "browser" field maps it to
 * disk.browser.ts, which has the same exports and explains what to use instead.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let temporaryCounter = 0;

/** Joins path segments with the platform's separator. */
export const joinPath: (...segments: string[]) => string = join;

export function fileExists(path: string): boolean {
  return existsSync(path);
}

export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Creates `path` and its parents where missing. */
export function makeDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
}

export function copyFile(from: string, to: string): void {
  copyFileSync(from, to);
}

/**
 * Writes `contents` to `path` (creating its folder) through a temporary file in the same folder, so a reader never sees
 * a half-written file and a crash leaves the old file intact.
 * @example
 *   writeFileAtomic('out/config.json', JSON.stringify(config, null, 2));
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.${temporaryCounter++}.tmp`;
  try {
    writeFileSync(temporary, contents);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
