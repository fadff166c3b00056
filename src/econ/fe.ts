// Fixed effects as integer factors, and the within transformation by alternating
// projections (the method of reghdfe and fixest: no dense dummy matrices). Pure
// kernels over typed arrays: nothing here knows about tables or nodes.

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
 */
export function singletonMask(factors: Factor[], n: number): { keep: Uint8Array; dropped: number } {
  const keep = new Uint8Array(n).fill(1);
  let dropped = 0;
  if (factors.length === 0) return { keep, dropped };
  const counts = factors.map((f) => new Int32Array(f.nLevels));
  for (let d = 0; d < factors.length; d++) {
    const c = counts[d], codes = factors[d].codes;
    for (let i = 0; i < n; i++) c[codes[i]]++;
  }
  // the common case: no level is observed once, nothing to scan
  if (counts.every((c) => c.every((v) => v !== 1))) return { keep, dropped };
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
  return { keep, dropped };
}

export interface DemeanOptions {
  /** rows per level of each factor, when the caller has them */
  counts?: Float64Array[];
  /** stop when the largest change of a sweep is below tol x the column's scale */
  tol?: number;
  maxIter?: number;
}

export interface DemeanInfo {
  /** sweeps used by the slowest column */
  iterations: number;
  converged: boolean;
}

/**
 * Within transformation of each column against all factors (in place on copies).
 * Alternating projections (Gauss-Seidel over dimensions): subtract group means of one
 * dimension after the other until a sweep changes nothing. With one factor this is
 * exact in one sweep; with a balanced two-way panel in one sweep (checked by a second).
 */
export function demean(columns: Float64Array[], factors: Factor[], opts: DemeanOptions = {}): { out: Float64Array[]; info: DemeanInfo } {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 10_000;
  if (factors.length === 0) return { out: columns.map((c) => c.slice()), info: { iterations: 0, converged: true } };
  const n = columns[0]?.length ?? 0;
  const counts = opts.counts ?? factors.map((f) => levelCounts(f));
  const sums = factors.map((f) => new Float64Array(f.nLevels));
  const D = factors.length;
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
    if (scale === 0 || D === 1) { if (1 > maxIterUsed) maxIterUsed = 1; continue; }
    const thresh = tol * scale;
    // Then one dimension after the other. A dimension whose group means are all below
    // the threshold is left alone and counted "clean"; once the D - 1 dimensions after
    // the last real projection are clean, x is orthogonal to all of them (a balanced
    // two-way panel: project A, project B, check A: five passes).
    let clean = 0, steps = 1, converged = false;
    const plainSteps = Math.min(maxIter, PLAIN_SWEEPS) * D;
    for (let d = 1 % D; steps < plainSteps; d = (d + 1) % D) {
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
    if (sweeps > maxIterUsed) maxIterUsed = sweeps;
    if (!converged) allConverged = false;
  }
  return { out, info: { iterations: maxIterUsed, converged: allConverged } };
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
