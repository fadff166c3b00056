// Coefficient tables and Wald tests as pure functions of (estimates, V, df).
import { pTwoSidedT, pUpperF, qT } from './dist.js';
import { quadInv } from './linalg.js';

export interface CoefRow {
  term: string;
  estimate: number | null;
  std_error: number | null;
  statistic: number | null;
  p_value: number | null;
  conf_low: number | null;
  conf_high: number | null;
}

/** JSON-safe number: NaN / Infinity become null. */
export const num = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** broom-style rows; t(df) reference distribution (df = Infinity for normal). */
export function coefTable(terms: string[], est: ArrayLike<number>, V: Float64Array, k: number, df: number, level = 0.95): CoefRow[] {
  const q = qT(1 - (1 - level) / 2, df);
  return terms.map((term, i) => {
    const se = Math.sqrt(V[i * k + i]);
    const tstat = est[i] / se;
    return {
      term,
      estimate: num(est[i]),
      std_error: num(se),
      statistic: num(tstat),
      p_value: num(pTwoSidedT(tstat, df)),
      conf_low: num(est[i] - q * se),
      conf_high: num(est[i] + q * se),
    };
  });
}

/** Wald test that the coefficients `idx` are zero: chi2, F = chi2 / q with df (q, df2). */
export function waldZero(est: ArrayLike<number>, V: Float64Array, k: number, idx: number[], df2: number) {
  const q = idx.length;
  const sub = new Float64Array(q * q);
  const b = new Float64Array(q);
  idx.forEach((i, a) => { b[a] = est[i]; idx.forEach((j, c) => { sub[a * q + c] = V[i * k + j]; }); });
  const chi2 = quadInv(sub, q, b);
  const F = chi2 / q;
  return { chi2, F, df1: q, df2, p: pUpperF(F, q, df2) };
}

/** The k x k sub-block of a square matrix. */
export function subMatrix(V: Float64Array, k: number, idx: number[]): Float64Array {
  const q = idx.length;
  const out = new Float64Array(q * q);
  idx.forEach((i, a) => idx.forEach((j, c) => { out[a * q + c] = V[i * k + j]; }));
  return out;
}

/** Row-major matrix as nested arrays (JSON). */
export function toNested(V: Float64Array, k: number): (number | null)[][] {
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => num(V[i * k + j])));
}
