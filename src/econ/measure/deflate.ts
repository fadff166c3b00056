// Chained price deflator from a year-on-year index (previous year = 100), METHOD 1.3:
// P_b = 1, P_t = P_(t-1) x idx_t / 100 for t > b, and backwards P_(t-1) = P_t / (idx_t / 100)
// for t < b. A missing index value breaks the chain: every year that needs it is NaN.

/**
 * Deflator for consecutive years firstYear, firstYear + 1, ... (idx[j] is year firstYear + j).
 * The base year may lie one year before the first index year (its index is never used).
 * Returns NaN everywhere when the base is out of that range.
 */
export function chainDeflator(idx: Float64Array, firstYear: number, base: number): Float64Array {
  const n = idx.length;
  const P = new Float64Array(n).fill(NaN);
  const b = base - firstYear; // position of the base year (may be -1)
  if (b < -1 || b > n - 1) return P;
  if (b >= 0) P[b] = 1;
  let p = 1;
  for (let j = b + 1; j < n; j++) {
    p *= idx[j] / 100;
    P[j] = p;
  }
  p = 1;
  for (let j = b - 1; j >= 0; j--) {
    p /= idx[j + 1] / 100;
    P[j] = p;
  }
  return P;
}

/** real_i = nominal_i / P_i */
export function deflateBy(nominal: Float64Array, P: Float64Array): Float64Array {
  const out = new Float64Array(nominal.length);
  for (let i = 0; i < out.length; i++) out[i] = nominal[i] / P[i];
  return out;
}
