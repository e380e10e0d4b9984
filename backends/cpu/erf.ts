// erf to double precision, so float64 gradient checks of gelu agree with its analytic derivative.
// NOTE: a short rational approximation (error ~1e-7) would make those checks fail.

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/** Maclaurin series: accurate to ~1e-15 for |x| < 3 (terms peak near n = x², so few digits cancel). */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= -x2 / n;
    const contribution = term / (2 * n + 1);
    sum += contribution;
    if (Math.abs(contribution) < 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * sum;
}

/** erfc(x) for x ≥ 3 by its continued fraction, evaluated from the tail. */
function erfcContinuedFraction(x: number): number {
  let tail = x;
  for (let n = 60; n >= 1; n--) tail = x + n / 2 / tail;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * tail);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const magnitude = Math.abs(x);
  if (magnitude < 3) return erfSeries(x);
  if (magnitude > 6) return Math.sign(x);
  return Math.sign(x) * (1 - erfcContinuedFraction(magnitude));
}
