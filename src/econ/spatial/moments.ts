// Trace moments t_k = tr(W^k), k = 0..m, for log-determinants and traces at county scale
// (Barry & Pace 1999; LeSage & Pace 2009, sec. 4.1):
//   log|I - rho W| = -sum_k rho^k t_k / k,   tr(G) = sum_k rho^(k-1) t_k,
//   tr(G G) = sum_k (k - 1) rho^(k-2) t_k,    G = W (I - rho W)^-1,
// all polynomials in rho once the moments are known. t_0..t_6 are exact (from the sparse
// rows of W^2, W^3 and of their transposes: O(n k^3)); t_7..t_m are Hutchinson estimates x'W^k x with seeded Rademacher
// probes (one chain of m sparse products per probe), whose spread across probes gives a
// Monte Carlo standard error. The exact low-order terms carry almost all of the variance
// of Barry and Pace's all-stochastic estimator (rho^k / k shrinks the rest).
// Truncation: |t_k| <= n R^k with R the largest absolute row sum (the spectral radius is at
// most R), so the tail beyond m is at most n (|rho| R)^(m+1) / ((m + 1)(1 - |rho| R)).
import { makeRng } from '../rng.js';
import { csrMatVec, csrTranspose, type Csr } from './sparse.js';

export const EXACT_MOMENTS = 6;

export interface TraceMoments {
  n: number;
  m: number;
  /** t[k], k = 0..m: exact for k <= EXACT_MOMENTS, else the probes' mean */
  t: Float64Array;
  /** probes x (m + 1): each probe's x'W^k x (only k > EXACT_MOMENTS used) */
  probe: Float64Array;
  probes: number;
  /** largest absolute row sum of W */
  R: number;
  /** exact tr(W'W), tr(W'W^2), tr((W^2)'W^2): the control variate of tr(G'G) */
  frob: [number, number, number];
  seed: number;
}

/** Rows of A B (sparse, accumulated in a dense scratch row): reused across rows i. */
class RowProduct {
  readonly acc: Float64Array;
  readonly mark: Int32Array;
  readonly cols: number[] = [];
  constructor(n: number) { this.acc = new Float64Array(n); this.mark = new Int32Array(n).fill(-1); }
  /** row i of (sparse row r, given as index/value lists) times B */
  build(i: number, idx: ArrayLike<number>, val: ArrayLike<number>, len: number, b: Csr): void {
    const { acc, mark, cols } = this;
    cols.length = 0;
    for (let p = 0; p < len; p++) {
      const j = idx[p], v = val[p];
      for (let q = b.rowPtr[j]; q < b.rowPtr[j + 1]; q++) {
        const c = b.col[q];
        if (mark[c] !== i) { mark[c] = i; acc[c] = 0; cols.push(c); }
        acc[c] += v * b.val[q];
      }
    }
  }
  /** value at column c of the row last built for i (0 if absent) */
  at(i: number, c: number): number { return this.mark[c] === i ? this.acc[c] : 0; }
  values(): Float64Array { return Float64Array.from(this.cols, (c) => this.acc[c]); }
}

/**
 * Exact t_0..t_6 and the Frobenius products of W and W^2. Row i of W^a and of (W')^b
 * (a, b <= 3) give t_(a+b) = sum_i <row i of W^a, row i of (W')^b>, as (W^b)_ji = ((W')^b)_ij;
 * a row of W^3 has at most k^3 entries, so this is O(n k^3).
 */
function exactMoments(w: Csr) {
  const n = w.n;
  const wt = csrTranspose(w);
  const w2 = new RowProduct(n), w3 = new RowProduct(n), t2r = new RowProduct(n), t3r = new RowProduct(n);
  const t = [n, 0, 0, 0, 0, 0, 0];
  let f11 = 0, f12 = 0, f22 = 0;
  const dotRows = (a: RowProduct, b: RowProduct, i: number) => { let s = 0; for (const c of a.cols) s += a.acc[c] * b.at(i, c); return s; };
  for (let i = 0; i < n; i++) {
    const p0 = w.rowPtr[i], len = w.rowPtr[i + 1] - p0;
    const wi = w.col.subarray(p0, p0 + len), wv = w.val.subarray(p0, p0 + len);
    const q0 = wt.rowPtr[i], lenT = wt.rowPtr[i + 1] - q0;
    const ti = wt.col.subarray(q0, q0 + lenT), tv = wt.val.subarray(q0, q0 + lenT);
    w2.build(i, wi, wv, len, w);
    t2r.build(i, ti, tv, lenT, wt);
    const w2c = Int32Array.from(w2.cols), w2v = w2.values();
    w3.build(i, w2c, w2v, w2c.length, w);
    const t2c = Int32Array.from(t2r.cols), t2v = t2r.values();
    t3r.build(i, t2c, t2v, t2c.length, wt);
    for (let p = 0; p < len; p++) {
      if (wi[p] === i) t[1] += wv[p];
      f11 += wv[p] * wv[p];
      f12 += wv[p] * w2.at(i, wi[p]);
    }
    t[2] += w2.at(i, i);
    for (let p = 0; p < lenT; p++) t[3] += tv[p] * w2.at(i, ti[p]);
    t[4] += dotRows(w2, t2r, i);
    t[5] += dotRows(w2, t3r, i);
    t[6] += dotRows(w3, t3r, i);
    for (const c of w2.cols) f22 += w2.acc[c] * w2.acc[c];
  }
  return { t, frob: [f11, f12, f22] as [number, number, number] };
}

export function maxAbsRowSum(c: Csr): number {
  let m = 0;
  for (let i = 0; i < c.n; i++) {
    let a = 0;
    for (let p = c.rowPtr[i]; p < c.rowPtr[i + 1]; p++) a += Math.abs(c.val[p]);
    m = Math.max(m, a);
  }
  return m;
}

/** A Rademacher probe vector (entries +-1), from the stream rng. */
export function rademacher(rng: ReturnType<typeof makeRng>, n: number): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform() < 0.5 ? -1 : 1;
  return x;
}

export function traceMoments(w: Csr, m: number, probes: number, seed: number): TraceMoments {
  const n = w.n;
  const ex = exactMoments(w);
  const t = new Float64Array(m + 1);
  for (let k = 0; k <= Math.min(m, EXACT_MOMENTS); k++) t[k] = ex.t[k];
  const probe = new Float64Array(probes * (m + 1));
  const rng = makeRng(seed);
  let v = new Float64Array(n), nv = new Float64Array(n);
  for (let r = 0; r < probes; r++) {
    const x = rademacher(rng, n);
    v.set(x);
    for (let k = 1; k <= m; k++) {
      csrMatVec(w, v, nv);
      [v, nv] = [nv, v];
      if (k <= EXACT_MOMENTS) continue;
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * v[i];
      probe[r * (m + 1) + k] = s;
    }
  }
  for (let k = EXACT_MOMENTS + 1; k <= m; k++) {
    let s = 0;
    for (let r = 0; r < probes; r++) s += probe[r * (m + 1) + k];
    t[k] = s / probes;
  }
  return { n, m, t, probe, probes, R: maxAbsRowSum(w), frob: ex.frob, seed };
}

/** sum_k c_k(rho) t_k over the moments (coefficients by k), and its MC standard error. */
function series(mo: TraceMoments, coef: (k: number) => number): { value: number; se: number } {
  let value = 0;
  for (let k = 1; k <= mo.m; k++) value += coef(k) * mo.t[k];
  if (mo.m <= EXACT_MOMENTS || mo.probes < 2) return { value, se: 0 };
  const per = new Float64Array(mo.probes);
  for (let r = 0; r < mo.probes; r++) {
    let s = 0;
    for (let k = EXACT_MOMENTS + 1; k <= mo.m; k++) s += coef(k) * mo.probe[r * (mo.m + 1) + k];
    per[r] = s;
  }
  let mean = 0;
  for (const v of per) mean += v / mo.probes;
  let ss = 0;
  for (const v of per) ss += (v - mean) ** 2;
  return { value, se: Math.sqrt(ss / (mo.probes - 1) / mo.probes) };
}

/** Bound on sum_{k > m} |rho|^k |t_k| k^power (power -1: log-det, 0: tr(G) / rho, 1: tr(GG) / rho^2). */
function tail(mo: TraceMoments, rho: number, power: number): number {
  const q = Math.abs(rho) * mo.R;
  if (q >= 1) return Infinity;
  // sum_{k > m} q^k k^power <= q^(m+1) (m+1)^power / (1 - ratio), as (k/(m+1))^power <= (1 + 1/(m+1))^(k-m-1)
  const m1 = mo.m + 1;
  const ratio = power > 0 ? q * (1 + 1 / m1) : q;
  if (ratio >= 1) return Infinity;
  const growth = 1 / (1 - ratio);
  return mo.n * q ** m1 * m1 ** power * growth;
}

/** Number of standard errors in the stated error bounds (a 99.7% normal interval). */
export const SE_MULTIPLE = 3;

export interface SeriesValue { value: number; error: number }

export function seriesLogdet(mo: TraceMoments, rho: number): SeriesValue {
  const s = series(mo, (k) => -(rho ** k) / k);
  return { value: s.value, error: tail(mo, rho, -1) + SE_MULTIPLE * s.se };
}

/** tr(G) = -d/drho log|I - rho W|. */
export function seriesTrG(mo: TraceMoments, rho: number): SeriesValue {
  const s = series(mo, (k) => rho ** (k - 1));
  return { value: s.value, error: tail(mo, rho, 0) / Math.max(Math.abs(rho), 1e-300) + SE_MULTIPLE * s.se };
}

/** tr(G G) = -d2/drho2 log|I - rho W|. */
export function seriesTrGG(mo: TraceMoments, rho: number): SeriesValue {
  const s = series(mo, (k) => (k - 1) * rho ** (k - 2));
  return { value: s.value, error: tail(mo, rho, 1) / Math.max(rho * rho, 1e-300) + SE_MULTIPLE * s.se };
}
