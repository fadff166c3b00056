// Exact two-step absorption of a large factor and a few small ones (a unit x year panel):
// the large one by group means, the small ones by a direct solve of the reduced system
// (FWL), two passes over the rows per column; never dense dummy matrices.
import type { Factor } from './factors.js';
import type { DemeanInfo } from './demean.js';
import { alternate } from './projections.js';

/** Most levels of the small factors (all of them together) solved directly. */
const EXACT_MAX_LEVELS = 512;

export interface ExactPlan {
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
 * The exact path applies when the factors other than the largest have at most
 * EXACT_MAX_LEVELS levels together, and at most half as many as the largest one
 * (otherwise the two are comparable, as in matched worker-firm panels, where the
 * reduced system is no smaller than the problem: the iterative path handles those).
 */
export function exactPlan(factors: Factor[], counts: Float64Array[]): ExactPlan | null {
  let big = 0;
  for (let d = 1; d < factors.length; d++) if (factors[d].nLevels > factors[big].nLevels) big = d;
  const smallIdx = factors.map((_, d) => d).filter((d) => d !== big);
  const L = smallIdx.reduce((s, d) => s + factors[d].nLevels, 0);
  if (L > EXACT_MAX_LEVELS || 2 * L > factors[big].nLevels) return null;
  // building A costs sum over groups of (distinct small levels in the group)^2: bound it
  const nBig = counts[big], n = factors[big].codes.length;
  let cost = 0;
  for (let g = 0; g < nBig.length; g++) { const m = Math.min(nBig[g] * smallIdx.length, L); cost += m * m; }
  if (cost > 64 * n + (1 << 20)) return null;
  const { start, order } = rowsByLevel(factors[big], nBig);
  let offset = 0;
  const small = smallIdx.map((d) => {
    const codes = factors[d].codes, off = offset;
    offset += factors[d].nLevels;
    if (!order && off === 0) return codes;
    const s = new Int32Array(n);
    for (let r = 0; r < n; r++) s[r] = off + codes[order ? order[r] : r];
    return s;
  });
  const rows = new Float64Array(L);
  offset = 0;
  for (const d of smallIdx) { rows.set(counts[d], offset); offset += factors[d].nLevels; }
  const A = reducedGram(start, small, L, rows);
  return { big, order, start, small, L, A, chol: semiCholesky(A, L), rows };
}

/** Rows grouped by level: a counting sort, or null when each level already is one run, in order. */
function rowsByLevel(f: Factor, count: Float64Array): { start: Int32Array; order: Int32Array | null } {
  const G = f.nLevels, codes = f.codes, n = codes.length;
  const start = new Int32Array(G + 1);
  for (let g = 0; g < G; g++) start[g + 1] = start[g] + count[g];
  let runs = n === 0 || codes[0] === 0;
  for (let i = 1; i < n && runs; i++) { const d = codes[i] - codes[i - 1]; if (d !== 0 && d !== 1) runs = false; }
  if (runs) return { start, order: null };
  const order = new Int32Array(n);
  const next = start.slice(0, G);
  for (let i = 0; i < n; i++) order[next[codes[i]]++] = i;
  return { start, order };
}

/**
 * A = S'M S, S the dummies of the small factors and M the residual maker of the large
 * one: S'S minus, per large group g, v_g v_g' / n_g (v_g = rows of g per small level).
 * By FWL, the residual of x on all the dummies is Mx - MS a with A a = S'Mx.
 * A run of groups whose rows carry the same small levels in the same order (every unit
 * of a sorted balanced panel) is one update times the run's length.
 */
function reducedGram(start: Int32Array, small: Int32Array[], L: number, rows: Float64Array): Float64Array {
  const A = crossTab(small, L, rows);
  const work = { v: new Float64Array(L), levels: new Int32Array(L) };
  let ps = 0, pe = 0, repeats = 0;
  for (let g = 0; g + 1 < start.length; g++) {
    const s = start[g], e = start[g + 1];
    if (repeats > 0 && sameLevels(small, ps, pe, s, e)) { repeats++; continue; }
    if (repeats > 0) subtractGroup(A, L, small, ps, pe, repeats, work);
    ps = s; pe = e; repeats = 1;
  }
  if (repeats > 0) subtractGroup(A, L, small, ps, pe, repeats, work);
  return A;
}

/** Rows [s, e) carry the same small levels as rows [ps, pe), row by row. */
function sameLevels(small: Int32Array[], ps: number, pe: number, s: number, e: number): boolean {
  if (e - s !== pe - ps) return false;
  for (const sd of small) for (let j = 0; j < e - s; j++) if (sd[s + j] !== sd[ps + j]) return false;
  return true;
}

/** A -= times x v v' / n for the group of rows [s, e) (v: its rows per small level, sparse). */
function subtractGroup(A: Float64Array, L: number, small: Int32Array[], s: number, e: number, times: number, work: { v: Float64Array; levels: Int32Array }): void {
  const { v, levels } = work;
  let size = 0;
  for (const sd of small) for (let r = s; r < e; r++) { const l = sd[r]; if (v[l] === 0) levels[size++] = l; v[l]++; }
  const w = times / (e - s);
  for (let p = 0; p < size; p++) {
    const row = levels[p] * L, vp = v[levels[p]] * w;
    for (let q = 0; q < size; q++) A[row + levels[q]] -= vp * v[levels[q]];
  }
  for (let p = 0; p < size; p++) v[levels[p]] = 0;
}

/** S'S: rows per pair of small levels (diagonal blocks: rows per level, known; off-diagonal: cross-tabulations). */
function crossTab(small: Int32Array[], L: number, rows: Float64Array): Float64Array {
  const A = new Float64Array(L * L);
  for (let l = 0; l < L; l++) A[l * L + l] = rows[l];
  for (let d = 0; d < small.length; d++) for (let f = 0; f < small.length; f++) {
    if (d === f) continue;
    const sd = small[d], sf = small[f];
    for (let r = 0; r < sd.length; r++) A[sd[r] * L + sf[r]]++;
  }
  return A;
}

/**
 * Cholesky factor of a positive semi-definite matrix: a pivot below 1e-10 x its
 * diagonal marks a level that is a combination of earlier ones (each small factor's
 * dummies sum to a constant the large factor already has; disconnected panels add
 * more); its column is zeroed, which solves the system on the independent levels:
 * the same projection, since the dropped dummies lie in the span of the kept ones.
 * (A genuine pivot is at least ~1 / rows of its diagonal; rounding leaves a dependent
 * one near 1e-16. A misjudged rank would fail the group-means check in exactDemean.)
 */
function semiCholesky(A: Float64Array, k: number): Float64Array {
  const C = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j];
    for (let p = 0; p < j; p++) d -= C[j * k + p] * C[j * k + p];
    if (!(d > 1e-10 * A[j * k + j])) continue; // dependent: column j stays zero
    const cjj = Math.sqrt(d);
    C[j * k + j] = cjj;
    for (let i = j + 1; i < k; i++) {
      let s = A[i * k + j];
      for (let p = 0; p < j; p++) s -= C[i * k + p] * C[j * k + p];
      C[i * k + j] = s / cjj;
    }
  }
  return C;
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
 * Exact within transformation by FWL, two passes over the rows per column, grouped by
 * the large factor's levels (each group is in cache for its second loop):
 *   1. x~ = x - group mean (the large factor, exactly), and b = S'x~ (small-level sums);
 *   2. solve A a = b (L x L), then subtract M S a: per row a[its small levels] minus
 *      the group's mean of that, so the large factor's group means stay exactly zero.
 * The small factors' group means of the result are (b - A a) / rows: the same test as
 * the iterative path, done in the reduced system; a column that fails it (a rank
 * misjudged by rounding) goes on with alternating projections from where it is.
 */
export function exactDemean(columns: Float64Array[], factors: Factor[], counts: Float64Array[], plan: ExactPlan, tol: number, maxIter: number) {
  const { order, start, small, L, A, chol, rows } = plan;
  const n = columns[0].length;
  const out: Float64Array[] = [];
  let iterations = 1, converged = true;
  let sums: Float64Array[] | null = null;
  const tmp = order ? new Float64Array(n) : null;
  for (const src of columns) {
    const x = new Float64Array(n);
    const xs = tmp ?? x; // works in grouped order
    if (order) for (let r = 0; r < n; r++) xs[r] = src[order[r]];
    const b = new Float64Array(L);
    const scale = order ? centreGroups(xs, xs, start, small, b) : centreGroups(src, x, start, small, b);
    let a: Float64Array | null = null;
    if (scale > 0) {
      a = semiSolve(chol, L, b);
      subtractFit(xs, start, small, a);
    }
    if (order) for (let r = 0; r < n; r++) x[order[r]] = xs[r];
    out.push(x);
    if (a && reducedMeanMax(A, L, a, b, rows) > tol * scale) {
      sums ??= factors.map((f) => new Float64Array(f.nLevels));
      const r = alternate(x, factors, counts, sums, tol * scale, maxIter, plan.big + 1); // x is projected on `big`
      iterations = Math.max(iterations, 1 + r.iterations);
      if (!r.converged) converged = false;
    }
  }
  return { out, info: { iterations, converged } };
}

/** Pass 1: x = src minus its mean within each group (contiguous rows), b[l] = sum of x at small level l. Returns max |src|. */
function centreGroups(src: Float64Array, x: Float64Array, start: Int32Array, small: Int32Array[], b: Float64Array): number {
  let scale = 0;
  const one = small.length === 1 ? small[0] : null;
  for (let g = 0; g + 1 < start.length; g++) {
    const s = start[g], e = start[g + 1];
    let acc = 0;
    for (let r = s; r < e; r++) { const v = src[r]; acc += v; const a = v < 0 ? -v : v; if (a > scale) scale = a; }
    const m = acc / (e - s);
    if (one) {
      for (let r = s; r < e; r++) { const v = src[r] - m; x[r] = v; b[one[r]] += v; }
    } else {
      for (let r = s; r < e; r++) x[r] = src[r] - m;
      for (const sd of small) for (let r = s; r < e; r++) b[sd[r]] += x[r];
    }
  }
  return scale;
}

/** Pass 2: x -= M S a, i.e. per row the fitted small effects minus their mean over the row's group. */
function subtractFit(x: Float64Array, start: Int32Array, small: Int32Array[], a: Float64Array): void {
  const one = small.length === 1 ? small[0] : null;
  for (let g = 0; g + 1 < start.length; g++) {
    const s = start[g], e = start[g + 1];
    let acc = 0;
    if (one) {
      for (let r = s; r < e; r++) acc += a[one[r]];
      const m = acc / (e - s);
      for (let r = s; r < e; r++) x[r] -= a[one[r]] - m;
    } else {
      for (const sd of small) for (let r = s; r < e; r++) acc += a[sd[r]];
      const m = acc / (e - s);
      for (let r = s; r < e; r++) {
        let fit = 0;
        for (const sd of small) fit += a[sd[r]];
        x[r] -= fit - m;
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
