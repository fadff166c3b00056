// Trace moments t_k = tr(W^k), k = 0..m, for log-determinants and traces at county scale
// (Barry & Pace 1999; LeSage & Pace 2009, sec. 4.1):
//   log|I - rho W| = -sum_k rho^k t_k / k,   tr(G) = sum_k rho^(k-1) t_k,
//   tr(G G) = sum_k (k - 1) rho^(k-2) t_k,    G = W (I - rho W)^-1,
// all polynomials in rho once the moments are known. t_0..t_4 are exact (from the sparse
// W^2, n k^2 entries); t_5..t_m are Hutchinson estimates x'W^k x with seeded Rademacher
// probes (one chain of m sparse products per probe), whose spread across probes gives a
// Monte Carlo standard error. The exact low-order terms carry almost all of the variance
// of Barry and Pace's all-stochastic estimator (rho^k / k shrinks the rest).
// Truncation: |t_k| <= n R^k with R the largest absolute row sum (the spectral radius is at
// most R), so the tail beyond m is at most n (|rho| R)^(m+1) / ((m + 1)(1 - |rho| R)).
import { makeRng } from '../rng.js';
import { csrMatVec, csrTranspose, type Csr } from './sparse.js';

export const EXACT_MOMENTS = 4;

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

/** Exact t_0..t_4 and the Frobenius products of W and W^2. */
function exactMoments(w: Csr) {
  const n = w.n;
  const wt = csrTranspose(w);
  const acc = new Float64Array(n), accT = new Float64Array(n);
  const mark = new Int32Array(n).fill(-1), markT = new Int32Array(n).fill(-1);
  const cols: number[] = [], colsT: number[] = [];
  let t1 = 0, t2 = 0, t3 = 0, t4 = 0, f11 = 0, f12 = 0, f22 = 0;
  for (let i = 0; i < n; i++) {
    // row i of W^2 (acc) and of (W')^2 = column i of W^2 (accT)
    cols.length = 0; colsT.length = 0;
    for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) {
      const j = w.col[p], v = w.val[p];
      if (j === i) t1 += v;
      f11 += v * v;
      for (let q = w.rowPtr[j]; q < w.rowPtr[j + 1]; q++) {
        const c = w.col[q];
        if (mark[c] !== i) { mark[c] = i; acc[c] = 0; cols.push(c); }
        acc[c] += v * w.val[q];
      }
    }
    for (let p = wt.rowPtr[i]; p < wt.rowPtr[i + 1]; p++) {
      const j = wt.col[p], v = wt.val[p];
      for (let q = wt.rowPtr[j]; q < wt.rowPtr[j + 1]; q++) {
        const c = wt.col[q];
        if (markT[c] !== i) { markT[c] = i; accT[c] = 0; colsT.push(c); }
        accT[c] += v * wt.val[q];
      }
    }
    if (mark[i] === i) t2 += acc[i];
    // t3 = sum_ij (W^2)_ij W_ji, t4 = sum_ij (W^2)_ij (W^2)_ji
    for (let p = wt.rowPtr[i]; p < wt.rowPtr[i + 1]; p++) { const c = wt.col[p]; if (mark[c] === i) t3 += acc[c] * wt.val[p]; }
    for (const c of colsT) if (mark[c] === i) t4 += acc[c] * accT[c];
    for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) { const c = w.col[p]; if (mark[c] === i) f12 += w.val[p] * acc[c]; }
    for (const c of cols) f22 += acc[c] * acc[c];
  }
  return { t: [n, t1, t2, t3, t4], frob: [f11, f12, f22] as [number, number, number] };
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
