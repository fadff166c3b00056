// Fixed effects as integer factors: encoding, level counts, singleton removal, and the
// degrees of freedom they absorb (connected components, nesting in the clusters).
// Pure kernels over typed arrays: nothing here knows about tables or nodes.

/** Arrays from this many elements up live on shared memory: the demeaning threads read
 * them without a copy (same cost to allocate; fewer elements are not worth a thread). */
export const SHARED_MIN = 1 << 16;
export const int32s = (n: number): Int32Array => (n >= SHARED_MIN ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n));
export const float64s = (n: number): Float64Array => (n >= SHARED_MIN ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n));

/** One fixed-effect dimension: a level code per row and the number of levels. */
export interface Factor {
  codes: Int32Array;
  nLevels: number;
}

/** Integer-code any column (numbers or strings). NaN / null / '' are not allowed here. */
export function encodeFactor(values: ArrayLike<unknown>): Factor {
  const n = values.length;
  const codes = int32s(n);
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
  const codes = int32s(rows.length);
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
 * upper bound (reghdfe's conservative default). `components`: of the first two, when
 * already counted.
 */
export function absorbedDof(factors: Factor[], components?: number | null): number {
  if (factors.length === 0) return 0;
  if (factors.length === 1) return factors[0].nLevels;
  let dof = factors[0].nLevels + factors[1].nLevels - (components ?? connectedComponents(factors[0], factors[1]));
  for (let d = 2; d < factors.length; d++) dof += factors[d].nLevels - 1;
  return dof;
}

/** True when every level of `inner` lies within a single level of `outer` (e.g. unit FE in a unit cluster). */
export function isNested(inner: Factor, outer: Factor): boolean {
  if (inner === outer) return true; // (a cluster that is also a fixed effect reuses its factor)
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
