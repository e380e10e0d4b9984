// Kernels index in float32. An output of more than 2^23 elements (where `i + 0.5` is no longer exact) must
// still decode every index to the right coordinates, and one of more than 2^24 elements is refused.
import { tensor, withBackend } from '../../engine/index.js';
import type { CaseResult } from './parity.js';

/** 7 columns (so the divisions are inexact) × enough rows for 2^23 + 6,000 elements. */
const COLUMNS = 7;
const ROWS = Math.ceil((2 ** 23 + 6000) / COLUMNS);

export function checkLargeOutput(backendName: string): CaseResult[] {
  const name = `a ${ROWS * COLUMNS}-element output decodes every index exactly`;
  const refusal = 'an output over 2^24 elements is refused';
  const results: CaseResult[] = [];
  withBackend(backendName, () => {
    const row = tensor([[10, 11, 12, 13, 14, 15, 16]]);
    try {
      const values = row.expand([ROWS, COLUMNS]).contiguous().toTypedArray();
      const wrong = values.findIndex((v, i) => v !== 10 + (i % COLUMNS));
      results.push(wrong < 0 ? { name, ok: true } : { name, ok: false, message: `element ${wrong} is ${values[wrong]}, expected ${10 + (wrong % COLUMNS)}` });
    } catch (error) {
      results.push({ name, ok: false, message: String(error) });
    }
    try {
      row.expand([2 ** 22 + 1, COLUMNS]).contiguous();
      results.push({ name: refusal, ok: false, message: 'no error' });
    } catch (error) {
      const ok = error instanceof RangeError && /2\^24/.test(error.message);
      results.push(ok ? { name: refusal, ok } : { name: refusal, ok, message: String(error) });
    }
  });
  return results;
}
