// Banded LU of I - rho W in a bandwidth-reducing order, for W that is not similar to a
// symmetric matrix (kNN): log|I - rho W| = sum log|u_ii| (never the raw determinant
// product, which underflows), and (I - rho W)^-1 by n band solves.
//
// No pivoting: for |rho| * max_i sum_j |w_ij| < 1 the matrix is strictly row
// diagonally dominant, a property Gaussian elimination preserves, so the pivots stay
// away from zero. The caller restricts rho to that interval.
import type { Csr } from './sparse.js';

export interface BandPattern {
  n: number;
  perm: Int32Array;      // perm[new] = old
  lower: number;         // lower bandwidth in the new order
  upper: number;
  /** W's entries in the new order as (row, col, value) triples */
  rows: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

export function bandPattern(w: Csr, perm: Int32Array): BandPattern {
  const n = w.n;
  const inv = new Int32Array(n);
  for (let k = 0; k < n; k++) inv[perm[k]] = k;
  const nnz = w.rowPtr[n];
  const rows = new Int32Array(nnz), cols = new Int32Array(nnz), vals = new Float64Array(nnz);
  let lower = 0, upper = 0;
  for (let i = 0; i < n; i++) {
    for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) {
      const r = inv[i], c = inv[w.col[p]];
      rows[p] = r; cols[p] = c; vals[p] = w.val[p];
      if (r > c) lower = Math.max(lower, r - c); else upper = Math.max(upper, c - r);
    }
  }
  return { n, perm, lower, upper, rows, cols, vals };
}

export interface BandLu {
  logdet: number;
  /** band storage: row i, column j at i * width + (j - i + lower) */
  band: Float64Array;
  width: number;
}

/** LU (Doolittle, unit lower) of I - rho W in band storage. */
export function bandLu(bp: BandPattern, rho: number): BandLu {
  const { n, lower, upper } = bp;
  const width = lower + upper + 1;
  const band = new Float64Array(n * width);
  for (let i = 0; i < n; i++) band[i * width + lower] = 1;
  for (let p = 0; p < bp.rows.length; p++) {
    const i = bp.rows[p];
    band[i * width + (bp.cols[p] - i + lower)] -= rho * bp.vals[p];
  }
  let logdet = 0;
  for (let k = 0; k < n; k++) {
    const kb = k * width;
    const piv = band[kb + lower];
    if (!(Math.abs(piv) > 1e-300)) throw new Error('banded LU: zero pivot (rho outside the diagonally dominant range)');
    logdet += Math.log(Math.abs(piv));
    const jEnd = Math.min(n - 1, k + upper);
    const iEnd = Math.min(n - 1, k + lower);
    for (let i = k + 1; i <= iEnd; i++) {
      const ib = i * width - i + lower; // offset so that ib + j addresses (i, j)
      const lik = band[ib + k];
      if (lik === 0) continue;
      const l = lik / piv;
      band[ib + k] = l;
      const kr = kb - k + lower;
      for (let j = k + 1; j <= jEnd; j++) band[ib + j] -= l * band[kr + j];
    }
  }
  return { logdet, band, width };
}

/** Solves (L U) x = b in place (b in the new order). */
export function bandSolve(lu: BandLu, bp: BandPattern, x: Float64Array): void {
  const { n, lower, upper } = bp;
  const { band, width } = lu;
  for (let i = 0; i < n; i++) {
    const ib = i * width - i + lower;
    let s = x[i];
    for (let j = Math.max(0, i - lower); j < i; j++) s -= band[ib + j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ib = i * width - i + lower;
    let s = x[i];
    const jEnd = Math.min(n - 1, i + upper);
    for (let j = i + 1; j <= jEnd; j++) s -= band[ib + j] * x[j];
    x[i] = s / band[ib + i];
  }
}

/**
 * Dense (I - rho W)^-1 in the original order (row-major). All n right-hand sides are
 * solved together with the unknowns in rows (row i holds x_i for every right-hand
 * side), so each elimination step is a contiguous axpy over a row; the forward sweep
 * skips the columns still zero (e_c has nothing above row c).
 */
export function bandInverse(bp: BandPattern, rho: number): Float64Array {
  const { n, perm, lower, upper } = bp;
  const { band, width } = bandLu(bp, rho);
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  for (let i = 0; i < n; i++) {
    const ib = i * width - i + lower;
    const xi = x.subarray(i * n, i * n + i + 1);
    for (let j = Math.max(0, i - lower); j < i; j++) {
      const l = band[ib + j];
      if (l === 0) continue;
      const xj = x.subarray(j * n, j * n + j + 1);
      for (let c = 0; c <= j; c++) xi[c] -= l * xj[c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const ib = i * width - i + lower;
    const xi = x.subarray(i * n, i * n + n);
    const jEnd = Math.min(n - 1, i + upper);
    for (let j = i + 1; j <= jEnd; j++) {
      const u = band[ib + j];
      if (u === 0) continue;
      const xj = x.subarray(j * n, j * n + n);
      for (let c = 0; c < n; c++) xi[c] -= u * xj[c];
    }
    const d = 1 / band[ib + i];
    for (let c = 0; c < n; c++) xi[c] *= d;
  }
  // back to the original order: out[perm[r], perm[c]] = x[r, c]
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) {
    const o = perm[r] * n;
    const xr = x.subarray(r * n, r * n + n);
    for (let c = 0; c < n; c++) out[o + perm[c]] = xr[c];
  }
  return out;
}
