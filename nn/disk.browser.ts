/**
 * disk.ts for browser bundles (package.json's "browser" field maps one to the other): there is no
 * file system, so each function names the in-memory call to use instead. Same exports as disk.ts
 * (test/browser.test.ts checks the types).
 */
const IN_MEMORY = 'model.toPretrainedFiles() to save, Model.fromPretrained(files) to load, and parseSafetensors / serializeSafetensors for bytes';

function noFileSystem(what: string, path: string): never {
  throw new Error(`${what}('${path}'): there is no file system in a browser; use ${IN_MEMORY}`);
}

export function joinPath(...segments: string[]): string {
  return segments.filter((segment) => segment !== '').join('/').replace(/\/+/g, '/');
}

export function fileExists(path: string): boolean {
  return noFileSystem('fileExists', path);
}

export function readBytes(path: string): Uint8Array {
  return noFileSystem('readBytes', path);
}

export function readText(path: string): string {
  return noFileSystem('readText', path);
}

export function makeDirectory(path: string): void {
  noFileSystem('makeDirectory', path);
}

export function copyFile(from: string, _to: string): void {
  noFileSystem('copyFile', from);
}

export function writeFileAtomic(path: string, _contents: string | Uint8Array): void {
  noFileSystem('writeFileAtomic', path);
}
