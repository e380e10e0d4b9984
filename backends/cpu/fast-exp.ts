// e^x for results stored in float32: a few times cheaper than Math.exp, with relative error ~2e-10,
// far below float32's half ulp (3e-8), so a float32 result rounded from it is within 1 ulp of the
// correctly rounded one (checked in test/engine/fused-ops.test.ts). float64 kernels keep Math.exp.

const INV_LN2 = 1.4426950408889634;
// ln 2 split in two so that k·LN2_HI is exact for |k| < 2^11 (Cody–Waite reduction).
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const MIN_EXPONENT = -1080;
const MAX_EXPONENT = 1024;
/** 2^k for every k the reduction can give, at index k − MIN_EXPONENT. */
const POWERS_OF_TWO = Float64Array.from({ length: MAX_EXPONENT - MIN_EXPONENT + 1 }, (_, i) => 2 ** (i + MIN_EXPONENT));

// Adding then subtracting 1.5·2^52 rounds to the nearest integer in two float additions.
// NOTE: Math.round costs more than the whole polynomial here, so it is avoided on purpose.
const ROUNDING_SHIFTER = 6755399441055744;

/** e^x = 2^k·e^r with r = x − k·ln 2, |r| ≤ ln2/2, and e^r by its degree-8 Taylor polynomial (error < r⁹/9! ≈ 2e-10). */
export function expForFloat32(input: number): number {
  // NOTE: clamped, not branched (branches here cost more than the polynomial): past the ends the
  // table gives 2^1024 = Infinity and 2^-1076 = 0, and NaN indexes no entry, so the result stays NaN.
  const x = Math.min(Math.max(input, -746), 710);
  const k = x * INV_LN2 + ROUNDING_SHIFTER - ROUNDING_SHIFTER;
  const r = x - k * LN2_HI - k * LN2_LO;
  const poly = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r * (1 / 40320))))))));
  return poly * POWERS_OF_TWO[k - MIN_EXPONENT]!;
}

/** The exp a kernel writing into `out` may use: the fast one for float32 output, Math.exp otherwise. */
export function expFor(out: ArrayLike<number>): (x: number) => number {
  return out instanceof Float32Array ? expForFloat32 : Math.exp;
}
