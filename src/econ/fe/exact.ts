// Exact two-step absorption of a large factor and a few small ones (a unit x year panel):
// the large one by group means, the small ones by a direct solve of the reduced system
// (FWL), two passes over the rows per column; never dense dummy matrices.
import { int32s, type Factor } from './factors.js';
import type { ExactPieces } from './columns.js';

export type ExactPlan = ExactPieces;

/** Most levels of the small factors (all of them together) solved directly. */
const EXACT_MAX_LEVELS = 512;

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
    const s = int32s(n);
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
  const start = int32s(G + 1);
  for (let g = 0; g < G; g++) start[g + 1] = start[g] + count[g];
  let runs = n === 0 || codes[0] === 0;
  for (let i = 1; i < n && runs; i++) { const d = codes[i] - codes[i - 1]; if (d !== 0 && d !== 1) runs = false; }
  if (runs) return { start, order: null };
  const order = int32s(n);
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
