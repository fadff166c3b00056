// The within transformation of one column: the kernels that run per column, by
// alternating projections (Gauss-Seidel over the dimensions, then conjugate gradients:
// the method of reghdfe and fixest) or by the exact two-pass absorption (exact.ts plans
// it); and the column-wise tasks of the fit after it (Gram entries, residual ranges).
// Self-contained on purpose: no imports, no module-level values. Worker threads
// (src/threads.ts) run these functions from their source text, so a column gives the
// same bits on any thread (demeanTask, gramTask, residTask are the tasks they run).
import type { Factor } from './factors.js';

export interface DemeanInfo {
  /** sweeps used by the slowest column */
  iterations: number;
  converged: boolean;
}

/** An exact absorption plan (exactPlan in exact.ts makes it). */
export interface ExactPieces {
  /** index of the largest factor (absorbed by group means) */
  big: number;
  /** row r of the grouped order is input row order[r] (null: the rows already come grouped) */
  order: Int32Array | null;
  /** rows start[g] .. start[g + 1] of the grouped order form level g of the large factor */
  start: Int32Array;
  /** per small factor, each row's index in the reduced system (its level + the factor's offset), grouped order */
  small: Int32Array[];
  /** size of the reduced system, its matrix and its (semi-definite) Cholesky factor */
  L: number;
  A: Float64Array;
  chol: Float64Array;
  /** rows per level of the reduced system (for the convergence check) */
  rows: Float64Array;
}

/**
 * x = src within-transformed by alternating projections (x may be src itself). The first
 * projection is fused with the copy and the scale: x = src - mean_0(src). `sums`: one
 * scratch array per factor (nLevels).
 */
export function sweepColumn(src: Float64Array, x: Float64Array, factors: Factor[], counts: Float64Array[], sums: Float64Array[], tol: number, maxIter: number): DemeanInfo {
  const n = src.length;
  const codes0 = factors[0].codes, s0 = sums[0], c0 = counts[0];
  const scale = groupSums(src, codes0, s0, true);
  for (let g = 0; g < s0.length; g++) s0[g] /= c0[g];
  for (let i = 0; i < n; i++) x[i] = src[i] - s0[codes0[i]];
  if (scale === 0 || factors.length === 1) return { iterations: 1, converged: true };
  return alternate(x, factors, counts, sums, tol * scale, maxIter, 1);
}

/**
 * x = src within-transformed by FWL, two passes over the rows, grouped by the large
 * factor's levels (each group is in cache for its second loop):
 *   1. the group means m_g of the large factor, and b = S'(x - m) (small-level sums);
 *   2. solve A a = b (L x L), then x = (src - m) - M S a: per row a[its small levels]
 *      minus the group's mean of that, so the large factor's group means stay exactly zero.
 * (Pass 1 writes nothing per row and pass 2 writes x once; rows in another order are
 * gathered into `scratch` first, worked on in place there and scattered back.)
 * The small factors' group means of the result are (b - A a) / rows: the same test as
 * the iterative path, done in the reduced system; a column that fails it (a rank
 * misjudged by rounding) goes on with alternating projections from where it is.
 * `scratch`: exactScratch's (one value per level of the large factor, and n more when
 * the plan reorders rows); `sums`: as for sweepColumn, or null (made if needed).
 * `moments` (2 values), when given and the rows come grouped: rawMoments(src), computed on
 * the way (the same sums in the same order); otherwise left alone.
 */
export function exactColumn(src: Float64Array, x: Float64Array, p: ExactPieces, factors: Factor[], counts: Float64Array[], sums: Float64Array[] | null, scratch: Float64Array, tol: number, maxIter: number, moments: Float64Array | null = null): DemeanInfo {
  const { order, start, small, L, A, chol, rows } = p;
  const n = src.length;
  const b = new Float64Array(L);
  let scale: number, a: Float64Array | null = null;
  const G = start.length - 1;
  const means = scratch.subarray(0, G);
  if (order) {
    const xs = scratch.subarray(G, G + n); // works in grouped order, in place
    for (let r = 0; r < n; r++) xs[r] = src[order[r]];
    scale = groupMeansAndSums(xs, start, small, means, b, null);
    if (scale > 0) a = semiSolve(chol, L, b);
    writeWithin(xs, xs, start, small, means, a);
    for (let r = 0; r < n; r++) x[order[r]] = xs[r];
  } else {
    scale = groupMeansAndSums(src, start, small, means, b, moments);
    if (scale > 0) a = semiSolve(chol, L, b);
    writeWithin(src, x, start, small, means, a);
  }
  if (a && reducedMeanMax(A, L, a, b, rows) > tol * scale) {
    sums ??= factors.map((f) => new Float64Array(f.nLevels));
    const r = alternate(x, factors, counts, sums, tol * scale, maxIter, p.big + 1); // x is projected on `big`
    return { iterations: 1 + r.iterations, converged: r.converged };
  }
  return { iterations: 1, converged: true };
}

/**
 * Mean and sum of squares about the mean of a column, the sums shifted by its first value
 * (which keeps the digits when the mean is large): { mean, ss } into out[0], out[1].
 */
export function rawMoments(c: Float64Array, out: Float64Array): void {
  const N = c.length, c0 = N > 0 ? c[0] : 0;
  let m = 0, q = 0;
  for (let i = 0; i < N; i++) { const v = c[i] - c0; m += v; q += v * v; }
  out[0] = c0 + m / N;
  out[1] = q - m * m / N;
}

/**
 * What demeanTask reads and writes: columns (shared), and per column in `results` (4
 * values): iterations, convergence (1/0), and with `moments` rawMoments of the input.
 */
export interface DemeanJob {
  src: Float64Array[]; out: Float64Array[]; factors: Factor[]; counts: Float64Array[];
  plan: ExactPieces | null; tol: number; maxIter: number; moments: boolean; results: Float64Array;
}

/** Task j of the demeaning: column j (on any thread; scratch of its own). */
export function demeanTask(d: DemeanJob, j: number): void {
  const n = d.src[j].length;
  const mo = d.moments ? d.results.subarray(4 * j + 2, 4 * j + 4) : null;
  // exactColumn computes the moments on the way when the rows come grouped; else first (src may be out)
  if (mo && !(d.plan && d.plan.order === null)) rawMoments(d.src[j], mo);
  const r = d.plan
    ? exactColumn(d.src[j], d.out[j], d.plan, d.factors, d.counts, null, exactScratch(d.plan, n), d.tol, d.maxIter, mo)
    : sweepColumn(d.src[j], d.out[j], d.factors, d.counts, d.factors.map((f) => new Float64Array(f.nLevels)), d.tol, d.maxIter);
  d.results[4 * j] = r.iterations;
  d.results[4 * j + 1] = r.converged ? 1 : 0;
}

/** The scratch array exactColumn needs for a plan on n rows. */
export function exactScratch(p: ExactPieces, n: number): Float64Array {
  return new Float64Array(p.start.length - 1 + (p.order ? n : 0));
}

/**
 * Alternating projections on x from dimension `first` on (x already projected on the
 * one before), then CG if they stall. A dimension whose group means are all below
 * the threshold is left alone and counted "clean"; once the D - 1 dimensions after
 * the last real projection are clean, x is orthogonal to all of them (a balanced
 * two-way panel: project A, project B, check A: five passes).
 */
function alternate(x: Float64Array, factors: Factor[], counts: Float64Array[], sums: Float64Array[], thresh: number, maxIter: number, first: number): DemeanInfo {
  const D = factors.length;
  let clean = 0, steps = 1, converged = false;
  const plainSteps = Math.min(maxIter, 8) * D; // 8 plain sweeps, then CG
  for (let d = first % D; steps < plainSteps; d = (d + 1) % D) {
    steps++;
    const change = groupMeans(x, factors[d], counts[d], sums[d]);
    if (change <= thresh) {
      if (++clean >= D - 1) { converged = true; break; }
      continue;
    }
    subtractMeans(x, factors[d], sums[d]);
    clean = 0;
  }
  let sweeps = Math.ceil(steps / D);
  if (!converged) {
    // slow (poorly connected) panels: conjugate gradients from here
    const r = cgDemean(x, factors, counts, thresh, maxIter - sweeps);
    sweeps += r.iterations;
    converged = r.converged;
  }
  return { iterations: sweeps, converged };
}

/**
 * s[g] = sum of x over rows with code g. Runs of equal codes (a panel sorted by unit)
 * are summed in a register: adding into s[codes[i]] row after row would chain each
 * add to the previous store of the same slot.
 */
function groupSums(x: Float64Array, codes: Int32Array, s: Float64Array, withMax = false): number {
  s.fill(0);
  const n = x.length;
  if (n === 0) return 0;
  let g = codes[0], acc = 0, max = 0;
  if (withMax) {
    for (let i = 0; i < n; i++) {
      const c = codes[i], v = x[i];
      if (c !== g) { s[g] += acc; acc = 0; g = c; }
      acc += v;
      const a = Math.abs(v);
      if (a > max) max = a;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      if (c !== g) { s[g] += acc; acc = 0; g = c; }
      acc += x[i];
    }
  }
  s[g] += acc;
  return max;
}

/** Group means of x by f into s; returns the largest absolute mean. */
function groupMeans(x: Float64Array, f: Factor, count: Float64Array, s: Float64Array): number {
  groupSums(x, f.codes, s);
  let change = 0;
  for (let g = 0; g < s.length; g++) {
    s[g] /= count[g];
    const a = Math.abs(s[g]);
    if (a > change) change = a;
  }
  return change;
}

function subtractMeans(x: Float64Array, f: Factor, s: Float64Array): void {
  const codes = f.codes, n = x.length;
  for (let i = 0; i < n; i++) x[i] -= s[codes[i]];
}

/**
 * Remove the remaining FE component of x by conjugate gradients on the normal equations
 * D'D a = D'x (D the dummy matrix, never formed: D p is a gather, D'v a scatter),
 * preconditioned by the group counts; reghdfe's approach for slow panels, where plain
 * alternating projections need thousands of sweeps (CG needs ~ sqrt of that). The
 * group means of x - D a are D'(x - D a) / counts = the CG residual / counts, which is
 * the convergence test; it is re-checked on the final x.
 */
function cgDemean(x: Float64Array, factors: Factor[], counts: Float64Array[], thresh: number, budget: number) {
  const n = x.length, D = factors.length;
  const size = factors.map((f) => f.nLevels);
  const mk = () => size.map((m) => new Float64Array(m));
  const scatter = (v: Float64Array, out: Float64Array[]) => {
    for (let d = 0; d < D; d++) { const o = out[d], codes = factors[d].codes; o.fill(0); for (let i = 0; i < n; i++) o[codes[i]] += v[i]; }
  };
  const gather = (p: Float64Array[], v: Float64Array) => {
    v.fill(0);
    for (let d = 0; d < D; d++) { const pd = p[d], codes = factors[d].codes; for (let i = 0; i < n; i++) v[i] += pd[codes[i]]; }
  };
  const dot = (a: Float64Array[], b: Float64Array[]) => { let s = 0; for (let d = 0; d < D; d++) { const ad = a[d], bd = b[d]; for (let g = 0; g < ad.length; g++) s += ad[g] * bd[g]; } return s; };
  const maxMean = (r: Float64Array[]) => { let m = 0; for (let d = 0; d < D; d++) { const rd = r[d], c = counts[d]; for (let g = 0; g < rd.length; g++) { const a = Math.abs(rd[g] / c[g]); if (a > m) m = a; } } return m; };
  const v = new Float64Array(n);
  let iters = 0;
  while (iters < budget) {
    const alpha = mk(), r = mk(), z = mk(), p = mk(), q = mk();
    scatter(x, r); // r = D'x - D'D 0
    if (maxMean(r) <= thresh) return { iterations: iters, converged: true };
    for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) { z[d][g] = r[d][g] / counts[d][g]; p[d][g] = z[d][g]; }
    let rz = dot(r, z);
    while (iters < budget) {
      iters++;
      gather(p, v);
      scatter(v, q);
      const pq = dot(p, q);
      if (!(pq > 0)) break;
      const step = rz / pq;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) { alpha[d][g] += step * p[d][g]; r[d][g] -= step * q[d][g]; }
      if (maxMean(r) <= thresh * 0.1) break;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) z[d][g] = r[d][g] / counts[d][g];
      const rzNew = dot(r, z);
      const beta = rzNew / rz;
      rz = rzNew;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) p[d][g] = z[d][g] + beta * p[d][g];
    }
    gather(alpha, v);
    for (let i = 0; i < n; i++) x[i] -= v[i];
    // loop: the true group means of the new x decide (CG's recursive residual can drift)
  }
  const r = mk();
  scatter(x, r);
  return { iterations: iters, converged: maxMean(r) <= thresh };
}

/** Solve with a semiCholesky factor; dependent levels get 0. */
function semiSolve(C: Float64Array, k: number, b: Float64Array): Float64Array {
  const x = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const cii = C[i * k + i];
    if (cii === 0) continue;
    let s = b[i];
    for (let p = 0; p < i; p++) s -= C[i * k + p] * x[p];
    x[i] = s / cii;
  }
  for (let i = k - 1; i >= 0; i--) {
    const cii = C[i * k + i];
    if (cii === 0) { x[i] = 0; continue; }
    let s = x[i];
    for (let p = i + 1; p < k; p++) s -= C[p * k + i] * x[p];
    x[i] = s / cii;
  }
  return x;
}

/**
 * Pass 1 on grouped rows: means[g] = mean of src over group g, b[l] += src - its group mean
 * at small level l. Returns max |src|. With `moments`: rawMoments(src) into it (the groups
 * cover the rows in order, so its sums run in the same order).
 */
function groupMeansAndSums(src: Float64Array, start: Int32Array, small: Int32Array[], means: Float64Array, b: Float64Array, moments: Float64Array | null): number {
  let scale = 0, m = 0, q = 0;
  const one = small.length === 1 ? small[0] : null;
  const c0 = src.length > 0 ? src[0] : 0, withMoments = moments !== null;
  for (let g = 0; g + 1 < start.length; g++) {
    const s = start[g], e = start[g + 1];
    let acc = 0;
    if (withMoments) for (let r = s; r < e; r++) { const v = src[r]; acc += v; const a = Math.abs(v); if (a > scale) scale = a; const w = v - c0; m += w; q += w * w; }
    else for (let r = s; r < e; r++) { const v = src[r]; acc += v; const a = Math.abs(v); if (a > scale) scale = a; }
    const mg = acc / (e - s);
    means[g] = mg;
    if (one) for (let r = s; r < e; r++) b[one[r]] += src[r] - mg;
    else for (const sd of small) for (let r = s; r < e; r++) b[sd[r]] += src[r] - mg;
  }
  if (moments) { const N = src.length; moments[0] = c0 + m / N; moments[1] = q - m * m / N; }
  return scale;
}

/** Pass 2 on grouped rows: x = (src - group mean) - (fitted small effects - their group mean); without a fit (a null), x = src - group mean. */
function writeWithin(src: Float64Array, x: Float64Array, start: Int32Array, small: Int32Array[], means: Float64Array, a: Float64Array | null): void {
  const one = small.length === 1 ? small[0] : null;
  for (let g = 0; g + 1 < start.length; g++) {
    const s = start[g], e = start[g + 1], m = means[g];
    if (!a) { for (let r = s; r < e; r++) x[r] = src[r] - m; continue; }
    let acc = 0;
    if (one) {
      for (let r = s; r < e; r++) acc += a[one[r]];
      const ma = acc / (e - s);
      for (let r = s; r < e; r++) x[r] = (src[r] - m) - (a[one[r]] - ma);
    } else {
      for (const sd of small) for (let r = s; r < e; r++) acc += a[sd[r]];
      const ma = acc / (e - s);
      for (let r = s; r < e; r++) {
        let fit = 0;
        for (const sd of small) fit += a[sd[r]];
        x[r] = (src[r] - m) - (fit - ma);
      }
    }
  }
}

/** max over small levels l of |(b - A a)_l| / rows_l: the small factors' group means after the solve. */
function reducedMeanMax(A: Float64Array, L: number, a: Float64Array, b: Float64Array, rows: Float64Array): number {
  let max = 0;
  for (let l = 0; l < L; l++) {
    if (rows[l] === 0) continue;
    let s = b[l];
    for (let p = 0; p < L; p++) s -= A[l * L + p] * a[p];
    const m = Math.abs(s) / rows[l];
    if (m > max) max = m;
  }
  return max;
}

/** Sum of a[i] b[i] in blocks of `block` rows added up in order: crossprodBlocked's (a, b) entry, bit for bit. */
export function blockedDot(a: Float64Array, b: Float64Array, block: number): number {
  const n = a.length;
  let out = 0;
  for (let s = 0; s < n; s += block) {
    const e = Math.min(n, s + block);
    let acc = 0;
    for (let i = s; i < e; i++) acc += a[i] * b[i];
    out += acc;
  }
  return out;
}

/** What gramTask reads and writes: shared columns, the Gram matrix (k x k), and for task 0 the connected components of two factors. */
export interface GramJob { cols: Float64Array[]; gram: Float64Array; block: number; pairs: Int32Array; components: Int32Array; f0: Factor | null; f1: Factor | null }

/** Task t of the Gram step: t = 0 the factors' connected components (if asked: the longest task first), then the pairs. */
export function gramTask(d: GramJob, t: number, k: { connectedComponents: (a: Factor, b: Factor) => number }): void {
  if (t === 0) { if (d.f0 && d.f1) d.components[0] = k.connectedComponents(d.f0, d.f1); return; }
  const a = d.pairs[2 * (t - 1)], b = d.pairs[2 * (t - 1) + 1], K = d.cols.length;
  const v = blockedDot(d.cols[a], d.cols[b], d.block);
  d.gram[a * K + b] = v;
  d.gram[b * K + a] = v;
}

/** What residTask reads and writes: y, the columns of X and beta (shared), resid; rows in ranges of `rows`. */
export interface ResidJob { y: Float64Array; X: Float64Array[]; beta: Float64Array; resid: Float64Array; rows: number }

/** Task t of the residuals: resid = y - X beta on rows [t rows, (t + 1) rows), each row's operations in the serial order. */
export function residTask(d: ResidJob, t: number): void {
  const s = t * d.rows, e = Math.min(d.y.length, s + d.rows), k = d.X.length, resid = d.resid, y = d.y;
  for (let i = s; i < e; i++) resid[i] = y[i];
  for (let a = 0; a < k; a++) { const xa = d.X[a], b = d.beta[a]; for (let i = s; i < e; i++) resid[i] -= xa[i] * b; }
}

/** Every function above: the kernel set the worker threads run (src/threads.ts). */
export const COLUMN_KERNELS = {
  demeanTask, gramTask, blockedDot, residTask, rawMoments, exactScratch, sweepColumn, exactColumn, alternate, groupSums, groupMeans, subtractMeans,
  cgDemean, semiSolve, groupMeansAndSums, writeWithin, reducedMeanMax,
};
