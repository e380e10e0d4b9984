// Atomic file writes: a reader (or a crash) never sees a half-written file, because we write
// to a temporary name in the same directory and rename, which POSIX makes atomic.
import { mkdirSync, renameSync, rmSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { writeFileAtomic } from '../nn/index.js';

export { writeFileAtomic };

let temporaryCounter = 0;

/** A unique sibling name for `path`, so the rename stays on one filesystem. */
export function temporarySibling(path: string): string {
  temporaryCounter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${temporaryCounter}`);
}


/** Writes pretty JSON atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Fills a directory atomically: `fill` writes into a temporary directory, which is then renamed
 * to `path`. An existing directory at `path` is replaced (moved aside first, then removed).
 * @example writeDirectoryAtomic('out/checkpoints/step-100', (dir) => model.savePretrained(dir))
 */
export async function writeDirectoryAtomic(path: string, fill: (directory: string) => void | Promise<void>): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporarySibling(path);
  mkdirSync(temporary, { recursive: true });
  try {
    await fill(temporary);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw error;
  }
  if (existsSync(path)) {
    // NOTE: rename cannot replace a non-empty directory, so the old one is moved aside first.
    const previous = temporarySibling(path);
    renameSync(path, previous);
    renameSync(temporary, path);
    rmSync(previous, { recursive: true, force: true });
  } else {
    renameSync(temporary, path);
  }
}
