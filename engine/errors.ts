// The errors lsgrad throws on bad input, one class per kind, so that callers can catch by kind:
//   ShapeError       tensors whose shapes do not fit the op (matmul [2,3] × [4,5], a mask of the wrong shape)
//   ArgumentError    any other bad argument (an axis out of range, a negative size, a wrong type)
//   ConfigError      a configuration that cannot be built (blockSize 7 with sparsityFactor 4, a bad config.json)
//   CheckpointError  a checkpoint that cannot be read or does not fit the model (truncated safetensors, missing weights)
//   DataError        input data that cannot be used (an empty or unreadable email, a corrupt data file)
// All extend LsgradError; every message starts with the function's name and says what was expected.

/** Formats a value for an error message: shapes as [2,3], strings quoted, long arrays shortened. */
export function describe(value: unknown): string {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, 8).map((item) => describe(item)).join(',');
    return `[${shown}${items.length > 8 ? `,… (${items.length} items)` : ''}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (value !== null && typeof value === 'object' && 'shape' in value) {
    return `Tensor(shape ${describe((value as { shape: unknown }).shape)})`;
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value); // an object whose toString throws or is missing
  }
}

/** What a typed error knows beyond its message: the argument, its value, what was expected. */
export interface ErrorDetails {
  argument?: string;
  value?: unknown;
  expected?: string;
}

/** Base class of every error lsgrad throws on purpose; `fn` is the public function that threw. */
export class LsgradError extends Error {
  override name = 'LsgradError';
  readonly fn: string;
  readonly argument?: string;
  readonly value?: unknown;
  readonly expected?: string;
  constructor(fn: string, message: string, details: ErrorDetails = {}) {
    super(`${fn}: ${message}`);
    this.fn = fn;
    if (details.argument !== undefined) this.argument = details.argument;
    if ('value' in details) this.value = details.value;
    if (details.expected !== undefined) this.expected = details.expected;
  }
}

/** Tensors whose shapes do not fit the function (or a shape argument that is invalid). */
export class ShapeError extends LsgradError { override name = 'ShapeError'; }
/** Any other invalid argument: wrong type, out of range, not one of the allowed names. */
export class ArgumentError extends LsgradError { override name = 'ArgumentError'; }
/** A configuration (options object, config.json) that cannot be built. */
export class ConfigError extends LsgradError { override name = 'ConfigError'; }
/** A checkpoint (safetensors, config.json + weights, optimizer state) that cannot be read or does not fit. */
export class CheckpointError extends LsgradError { override name = 'CheckpointError'; }
/** Input data (a file, a text, a dataset record) that cannot be used. */
export class DataError extends LsgradError { override name = 'DataError'; }

type ErrorClass = new (fn: string, message: string, details?: ErrorDetails) => LsgradError;

function invalid(Kind: ErrorClass, fn: string, argument: string, value: unknown, expected: string): LsgradError {
  return new Kind(fn, `${argument} ${describe(value)} is invalid; expected ${expected}`, { argument, value, expected });
}

/**
 * An error for a bad argument: names the function, the argument, the value and what was expected.
 * A ShapeError when the argument is a shape (`x.shape`, `shape`, `q, k, v shapes`), else an ArgumentError.
 * @example throw argumentError('reshape', 'shape', [2, 5], 'a shape with 6 elements');
 */
export function argumentError(fn: string, argument: string, value: unknown, expected: string): LsgradError {
  return invalid(/shape/i.test(argument) ? ShapeError : ArgumentError, fn, argument, value, expected);
}

/**
 * An error whose message is written by the caller, prefixed with the function name: a ShapeError
 * when the message is about shapes (it cites one), else an ArgumentError.
 * @example throw opError('matmul', `a.shape [2,3] and b.shape [4,5] disagree on the inner dimension (3 vs 4)`);
 */
export function opError(fn: string, message: string): LsgradError {
  return new (/\bshapes?\b/.test(message) ? ShapeError : ArgumentError)(fn, message);
}

/**
 * An options argument: `{}` when undefined, else it must be a plain object (null, a number or an
 * array would otherwise fail later with a TypeError from inside lsgrad).
 * @example const { keepDim = false } = optionsOf('variance', options);
 */
export function optionsOf<T extends object>(fn: string, options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw argumentError(fn, 'options', options, 'an object (or nothing)');
  return options;
}

/** A function argument that must be callable (tidy, noGrad, detectAnomaly). */
export function checkFunction(fn: string, argument: string, value: unknown): void {
  if (typeof value !== 'function') throw argumentError(fn, argument, value, 'a function');
}

/**
 * A configuration value that cannot be used.
 * @example throw configError('createLsgConfig', 'sparsityFactor', 4, 'a divisor of blockSize 7');
 */
export function configError(fn: string, argument: string, value: unknown, expected: string): ConfigError {
  return invalid(ConfigError, fn, argument, value, expected);
}
