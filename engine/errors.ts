/** Formats a value for an error message: shapes as [2,3], strings quoted, long arrays shortened. */
export function describe(value: unknown): string {
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const items = Array.from(value as ArrayLike<unknown>);
    const shown = items.slice(0, 8).map((item) => describe(item)).join(',');
    return `[${shown}${items.length > 8 ? `,… (${items.length} items)` : ''}]`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value !== null && typeof value === 'object' && 'shape' in value) {
    return `Tensor(shape ${describe((value as { shape: unknown }).shape)})`;
  }
  return String(value);
}

/**
 * An error for a bad argument: names the function, the argument, the value and what was expected.
 * @example throw argumentError('reshape', 'shape', [2, 5], 'a shape with 6 elements');
 */
export function argumentError(fn: string, argument: string, value: unknown, expected: string): Error {
  return new RangeError(`${fn}: ${argument} ${describe(value)} is invalid; expected ${expected}`);
}

/** An error whose message is written by the caller, prefixed with the function name. */
export function opError(fn: string, message: string): Error {
  return new RangeError(`${fn}: ${message}`);
}
