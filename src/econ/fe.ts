// Fixed effects as integer factors, and the within transformation: exact in two passes
// when all but the largest factor have few levels (unit x year panels), else by
// alternating projections (the method of reghdfe and fixest); never dense dummy
// matrices. Pure kernels over typed arrays: nothing here knows about tables or nodes.

/** One fixed-effect dimension: a level code per row and the number of levels. */
export interface Factor {
  codes: Int32Array;
  nLevels: number;
}

/** Integer-code any column (numbers or strings). NaN / null / '' are not allowed here. */
export function encodeFactor(values: ArrayLike<unknown>): Factor {
  const n = values.length;
  const codes = new Int32Array(n);
  // Fast path: small-range integers (ids, years) index an array directly.
  if (values instanceof Float64Array || values instanceof Int32Array) {
    let lo = Infinity, hi = -Infinity, ints = true;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (ints && v !== Math.floor(v)) ints = false;
    }
    if (ints && n > 0 && hi - lo < 4 * n + 1024) {
      const map = new Int32Array(hi - lo + 1).fill(-1);
      let next = 0;
      for (let i = 0; i < n; i++) {
        const j = values[i] - lo;
        let c = map[j];
        if (c < 0) { c = next++; map[j] = c; }
        codes[i] = c;
      }
      return { codes, nLevels: next };
    }
  }
  const map = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let c = map.get(v);
    if (c === undefined) { c = map.size; map.set(v, c); }
    codes[i] = c;
  }
  return { codes, nLevels: map.size };
}

/** Rows per level. */
export function levelCounts(f: Factor): Float64Array {
  const c = new Float64Array(f.nLevels);
  const codes = f.codes;
  for (let i = 0; i < codes.length; i++) c[codes[i]]++;
  return c;
}

/** Re-code a factor on the rows where keep[i] = 1 (levels renumbered densely). */
export function subsetFactor(f: Factor, rows: Int32Array): Factor {
  const map = new Int32Array(f.nLevels).fill(-1);
  const codes = new Int32Array(rows.length);
  let next = 0;
  for (let r = 0; r < rows.length; r++) {
    const c0 = f.codes[rows[r]];
    let c = map[c0];
    if (c < 0) { c = next++; map[c0] = c; }
    codes[r] = c;
  }
  return { codes, nLevels: next };
}

/**
 * Rows to keep after iteratively removing singletons: a level observed once in any
 * dimension is perfectly fitted by its own effect and carries no information about
 * the slopes (Correia 2015); removing it can create new singletons, hence the loop.
 * `counts`: rows per level of each factor among the kept rows.
 */
export function singletonMask(factors: Factor[], n: number): { keep: Uint8Array; dropped: number; counts: Int32Array[] } {
  const keep = new Uint8Array(n).fill(1);
  let dropped = 0;
  if (factors.length === 0) return { keep, dropped, counts: [] };
  const counts = factors.map((f) => new Int32Array(f.nLevels));
  for (let d = 0; d < factors.length; d++) {
    const c = counts[d], codes = factors[d].codes;
    for (let i = 0; i < n; i++) c[codes[i]]++;
  }
  // the common case: no level is observed once, nothing to scan
  if (!counts.some((c) => c.indexOf(1) >= 0)) return { keep, dropped, counts };
  for (let changed = true; changed; ) {
    changed = false;
    for (let d = 0; d < factors.length; d++) {
      const c = counts[d], codes = factors[d].codes;
      for (let i = 0; i < n; i++) {
        if (keep[i] && c[codes[i]] === 1) {
          keep[i] = 0;
          dropped++;
          changed = true;
          for (let e = 0; e < factors.length; e++) counts[e][factors[e].codes[i]]--;
        }
      }
    }
  }
  return { keep, dropped, counts };
}

export interface DemeanOptions {
  /** rows per level of each factor, when the caller has them */
  counts?: Float64Array[];
  /** stop when the largest change of a sweep is below tol x the column's scale */
  tol?: number;
  maxIter?: number;
  /** false: always alternating projections (the reference the exact path is tested against) */
  exact?: boolean;
}

export interface DemeanInfo {
  /** sweeps used by the slowest column */
  iterations: number;
  converged: boolean;
}

/**
 * Within transformation of each column against all factors (in place on copies).
 * Two ways, same answer (the least-squares residual on all the dummies):
 * - exact (exactDemean): when the factors other than the largest have few levels in
 *   all (a unit x year panel), a direct solve; `iterations` is then 1.
 * - alternating projections (Gauss-Seidel over dimensions): subtract group means of
 *   one dimension after the other until a sweep changes nothing, then conjugate
 *   gradients for slow panels. One factor is exact in one sweep.
 */
export function demean(columns: Float64Array[], factors: Factor[], opts: DemeanOptions = {}): { out: Float64Array[]; info: DemeanInfo } {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 10_000;
  if (factors.length === 0) return { out: columns.map((c) => c.slice()), info: { iterations: 0, converged: true } };
  const counts = opts.counts ?? factors.map((f) => levelCounts(f));
  const plan = factors.length >= 2 && columns.length > 0 && opts.exact !== false ? exactPlan(factors, counts) : null;
  if (plan) return exactDemean(columns, factors, counts, plan, tol, maxIter);
  const n = columns[0]?.length ?? 0;
  const sums = factors.map((f) => new Float64Array(f.nLevels));
  let maxIterUsed = 0, allConverged = true;
  const out: Float64Array[] = [];
  for (const src of columns) {
    // First projection fused with the copy and the scale: x = src - mean_0(src).
    const codes0 = factors[0].codes, s0 = sums[0], c0 = counts[0];
    const scale = groupSums(src, codes0, s0, true);
    for (let g = 0; g < s0.length; g++) s0[g] /= c0[g];
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = src[i] - s0[codes0[i]];
    out.push(x);
    if (scale === 0 || factors.length === 1) { if (1 > maxIterUsed) maxIterUsed = 1; continue; }
    const r = alternate(x, factors, counts, sums, tol * scale, maxIter, 1);
    if (r.iterations > maxIterUsed) maxIterUsed = r.iterations;
    if (!r.converged) allConverged = false;
  }
  return { out, info: { iterations: maxIterUsed, converged: allConverged } };
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
  const plainSteps = Math.min(maxIter, PLAIN_SWEEPS) * D;
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

// ---- exact two-step absorption (a large factor and a few small ones) ----

/** Most levels of the small factors (all of them together) solved directly. */
const EXACT_MAX_LEVELS = 512;

interface ExactPlan {
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
function exactPlan(factors: Factor[], counts: Float64Array[]): ExactPlan | null {
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
function exactDemean(columns: Float64Array[], factors: Factor[], counts: Float64Array[], plan: ExactPlan, tol: number, maxIter: number) {
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

const PLAIN_SWEEPS = 8;

/**
 * s[g] = sum of x over rows with code g. Runs of equal codes (a panel sorted by unit)
 * are summed in a register: adding into s[codes[i]] row after row would chain each
 * add to the previous store of the same slot.
 */
export function groupSums(x: Float64Array, codes: Int32Array, s: Float64Array, withMax = false): number {
  s.fill(0);
  const n = x.length;
  if (n === 0) return 0;
  let g = codes[0], acc = 0, max = 0;
  if (withMax) {
    for (let i = 0; i < n; i++) {
      const c = codes[i], v = x[i];
      if (c !== g) { s[g] += acc; acc = 0; g = c; }
      acc += v;
      const a = v < 0 ? -v : v;
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

/** Number of connected components of the bipartite graph of two factors' levels. */
export function connectedComponents(a: Factor, b: Factor): number {
  const parent = new Int32Array(a.nLevels + b.nLevels);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) { parent[x] = parent[parent[x]]; x = parent[x]; }
    return x;
  };
  let comps = parent.length;
  for (let i = 0; i < a.codes.length; i++) {
    const ra = find(a.codes[i]), rb = find(a.nLevels + b.codes[i]);
    if (ra !== rb) { parent[ra] = rb; comps--; }
  }
  return comps;
}

/**
 * Degrees of freedom absorbed by the fixed effects (the rank of the dummy matrix,
 * constant included). Exact for one and two dimensions (levels minus connected
 * components, Abowd-Creecy-Kramarz); each further dimension adds levels - 1, an
 * upper bound (reghdfe's conservative default).
 */
export function absorbedDof(factors: Factor[]): number {
  if (factors.length === 0) return 0;
  if (factors.length === 1) return factors[0].nLevels;
  let dof = factors[0].nLevels + factors[1].nLevels - connectedComponents(factors[0], factors[1]);
  for (let d = 2; d < factors.length; d++) dof += factors[d].nLevels - 1;
  return dof;
}

/** True when every level of `inner` lies within a single level of `outer` (e.g. unit FE in a unit cluster). */
export function isNested(inner: Factor, outer: Factor): boolean {
  const owner = new Int32Array(inner.nLevels).fill(-1);
  for (let i = 0; i < inner.codes.length; i++) {
    const g = inner.codes[i], o = outer.codes[i];
    if (owner[g] < 0) owner[g] = o;
    else if (owner[g] !== o) return false;
  }
  return true;
}

/**
 * Absorbed dof of the dimensions not nested in any of the cluster factors: what
 * Stata xtreg/fixest count in K for the cluster small-sample factor.
 */
export function nonNestedDof(factors: Factor[], clusters: Factor[], dofAll?: number): number {
  const kept = factors.filter((f) => !clusters.some((c) => isNested(f, c)));
  if (kept.length === factors.length) return (dofAll ?? absorbedDof(factors)) - 1; // the constant is counted separately
  if (kept.length === 0) return 0;
  // The nested dimensions carry the constant: the rest contribute their rank beyond it.
  const all = dofAll ?? absorbedDof(factors);
  const nested = absorbedDof(factors.filter((f) => !kept.includes(f)));
  return all - nested;
}
