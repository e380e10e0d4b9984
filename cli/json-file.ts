// Reading the JSON files a run keeps (run.json, lsgrad_model.json, latest-checkpoint.json,
// trainer_state.json): a missing, unreadable or hand-edited file is a CheckpointError that names
// the file and what it should hold, never a SyntaxError from JSON.parse or a TypeError later.
import { readFileSync } from 'node:fs';
import { CheckpointError } from '../engine/errors.js';

/**
 * The object in the JSON file at `path`; `expected` says what it should hold, for the error.
 * @example const meta = readJsonObject(join(dir, 'lsgrad_model.json'), 'loadClassifier', 'the model settings lsgrad train writes');
 */
export function readJsonObject(path: string, fn: string, expected: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CheckpointError(fn, `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected ${expected}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(fn, `${path} is not valid JSON (${(error as Error).message}); expected ${expected}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CheckpointError(fn, `${path} holds ${JSON.stringify(value)?.slice(0, 80)}; expected an object: ${expected}`);
  }
  return value as Record<string, unknown>;
}

/** `object[key]` if `accept` says yes; else a CheckpointError naming the file, the key and the value. */
export function field<T>(object: Record<string, unknown>, key: string, accept: (value: unknown) => value is T, path: string, fn: string, expected: string): T {
  const value = object[key];
  if (!accept(value)) throw new CheckpointError(fn, `${path}: ${key} is ${JSON.stringify(value) ?? 'missing'}; expected ${expected}`);
  return value;
}
