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
import { csrMatBlock, csrTranspose, interleave, type Csr } from './sparse.js';

export const EXACT_MOMENTS = 6;

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
  // F[a][b] = tr((W^a)' W^b), a, b = 1..3 (row-wise inner products)
  let f11 = 0, f12 = 0, f13 = 0, f22 = 0, f23 = 0, f33 = 0;
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
      f13 += wv[p] * w3.at(i, wi[p]);
    }
    t[2] += w2.at(i, i);
    for (let p = 0; p < lenT; p++) t[3] += tv[p] * w2.at(i, ti[p]);
    t[4] += dotRows(w2, t2r, i);
    t[5] += dotRows(w2, t3r, i);
    t[6] += dotRows(w3, t3r, i);
    for (const c of w2.cols) { f22 += w2.acc[c] * w2.acc[c]; f23 += w2.acc[c] * w3.at(i, c); }
    for (const c of w3.cols) f33 += w3.acc[c] * w3.acc[c];
  }
  const frob = [[f11, f12, f13], [f12, f22, f23], [f13, f23, f33]];
  return { t, frob };
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

export interface TraceMoments {
  n: number;
  /** highest power so far (extendMoments raises it) */
  m: number;
  /** t[k], k = 0..m: exact for k <= EXACT_MOMENTS, else the probes' mean */
  t: Float64Array;
  /** exact t_0..t_EXACT_MOMENTS */
  exact: number[];
  /** per probe: x'W^k x for k = 0..m (only k > EXACT_MOMENTS used) */
  probe: Float64Array[];
  probes: number;
  /** largest absolute row sum of W */
  R: number;
  /** exact tr((W^a)' W^b), a, b = 1..3: the control variate of tr(G'G) */
  frob: number[][];
  seed: number;
  /** the probes x and W^m x, interleaved (entry j of probe r at j probes + r), to continue the chains */
  state: { x: Float64Array; v: Float64Array };
  w: Csr;
}

export function traceMoments(w: Csr, m: number, probes: number, seed: number): TraceMoments {
  const n = w.n;
  const ex = exactMoments(w);
  const rng = makeRng(seed);
  const stacked = new Float64Array(n * probes);
  for (let r = 0; r < probes; r++) stacked.set(rademacher(rng, n), r * n);
  const x = interleave(stacked, n, probes);
  const state = { x, v: Float64Array.from(x) };
  const mo: TraceMoments = {
    n, m: 0, t: Float64Array.of(n), exact: ex.t, probe: Array.from({ length: probes }, () => new Float64Array(1)), probes, R: maxAbsRowSum(w),
    frob: ex.frob, seed, state, w,
  };
  extendMoments(mo, m);
  return mo;
}

/** Continues every probe's chain x, W x, W^2 x, ... up to W^m x (one blocked product per power). */
export function extendMoments(mo: TraceMoments, m: number): void {
  if (m <= mo.m) return;
  const { n, w, probes: p } = mo;
  const { x } = mo.state;
  let v: Float64Array = mo.state.v, nv: Float64Array = new Float64Array(n * p);
  mo.probe = mo.probe.map((old) => { const est = new Float64Array(m + 1); est.set(old); return est; });
  const dots = new Float64Array(p);
  for (let k = mo.m + 1; k <= m; k++) {
    csrMatBlock(w, v, nv, p);
    [v, nv] = [nv, v];
    if (k <= EXACT_MOMENTS) continue;
    dots.fill(0);
    for (let j = 0; j < n; j++) for (let r = 0; r < p; r++) dots[r] += x[j * p + r] * v[j * p + r];
    for (let r = 0; r < p; r++) mo.probe[r][k] = dots[r];
  }
  mo.state.v = v;
  const t = new Float64Array(m + 1);
  t.set(mo.t);
  for (let k = mo.m + 1; k <= m; k++) {
    if (k <= EXACT_MOMENTS) { t[k] = mo.exact[k]; continue; }
    let s = 0;
    for (let r = 0; r < mo.probes; r++) s += mo.probe[r][k];
    t[k] = s / mo.probes;
  }
  mo.t = t;
  mo.m = m;
}

/**
 * sum_{k >= 1} a(k) rho^(k - shift) t_k by Horner; with `se`, also the Monte Carlo standard
 * error, from the spread of the probes' own sums over k > EXACT_MOMENTS.
 */
function series(mo: TraceMoments, rho: number, shift: number, a: (k: number) => number, se: boolean): { value: number; se: number } {
  const horner = (get: Float64Array, from: number) => {
    let s = 0;
    for (let k = mo.m; k >= from; k--) s = s * rho + a(k) * get[k];
    return s * rho ** (from - shift);
  };
  const value = horner(mo.t, 1);
  if (!se || mo.m <= EXACT_MOMENTS || mo.probes < 2) return { value, se: 0 };
  const per = mo.probe.map((est) => horner(est, EXACT_MOMENTS + 1));
  let mean = 0;
  for (const v of per) mean += v / mo.probes;
  let ss = 0;
  for (const v of per) ss += (v - mean) ** 2;
  return { value, se: Math.sqrt(ss / (mo.probes - 1) / mo.probes) };
}

/** Bound on sum_{k > m} |rho|^k |t_k| k^power (power <= 1), with |t_k| <= n R^k. */
function tail(mo: TraceMoments, rho: number, power: number, m = mo.m): number {
  const q = Math.abs(rho) * mo.R;
  // (k / (m+1))^power <= (1 + 1/(m+1))^(k-m-1), so the tail is bounded by a geometric series
  const m1 = m + 1;
  const ratio = power > 0 ? q * (1 + 1 / m1) : q;
  if (ratio >= 1) return Infinity;
  return (mo.n * q ** m1 * m1 ** power) / (1 - ratio);
}

/** Number of standard errors in the stated error bounds (a 99.7% normal interval). */
export const SE_MULTIPLE = 3;

export interface SeriesValue { value: number; error: number }

const minusInv = (k: number) => -1 / k, one = () => 1, kMinus1 = (k: number) => k - 1;
const safe = (r: number) => Math.max(Math.abs(r), 1e-300);

export function seriesLogdet(mo: TraceMoments, rho: number, withError = true): SeriesValue {
  const s = series(mo, rho, 0, minusInv, withError);
  return { value: s.value, error: withError ? tail(mo, rho, -1) + SE_MULTIPLE * s.se : NaN };
}

/** tr(G) = -d/drho log|I - rho W| = sum_k rho^(k-1) t_k. */
export function seriesTrG(mo: TraceMoments, rho: number, withError = true): SeriesValue {
  const s = series(mo, rho, 1, one, withError);
  return { value: s.value, error: withError ? tail(mo, rho, 0) / safe(rho) + SE_MULTIPLE * s.se : NaN };
}

/** tr(G G) = -d2/drho2 log|I - rho W| = sum_k (k - 1) rho^(k-2) t_k. */
export function seriesTrGG(mo: TraceMoments, rho: number, withError = true): SeriesValue {
  const s = series(mo, rho, 2, kMinus1, withError);
  return { value: s.value, error: withError ? tail(mo, rho, 1) / safe(rho * rho) + SE_MULTIPLE * s.se : NaN };
}

/** Series are extended until their truncation bounds at the estimate are below this. */
export const TAIL_TOL = 1e-8;
export const MAX_TERMS = 2000;

/**
 * Extends the moments until the truncation bounds of the log-det, tr(G) and tr(GG) at rho
 * are below TAIL_TOL (at most MAX_TERMS terms); true when it extended them.
 */
export function refineMoments(mo: TraceMoments, rho: number): boolean {
  const fine = (m: number) => tail(mo, rho, -1, m) <= TAIL_TOL && tail(mo, rho, 0, m) / safe(rho) <= TAIL_TOL
    && tail(mo, rho, 1, m) / safe(rho * rho) <= TAIL_TOL;
  let m = mo.m;
  while (m < MAX_TERMS && !fine(m)) m = Math.min(MAX_TERMS, Math.ceil(m * 1.25));
  if (m === mo.m) return false;
  extendMoments(mo, m);
  return true;
}
