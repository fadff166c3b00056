// Everything the estimators need from W, prepared once:
//  - log|I - rho W| for any rho in the admissible interval,
//  - (I - rho W)^-1 densely at the estimate (variance, exact effects),
//  - cheap functions of rho for the effect draws (each draw O(n) or O(m), no solve).
// Two routes (STACK.md):
//  * 'symmetric-eigen': W similar to a symmetric matrix: real eigenvalues once by
//    Householder + QL (~1.4 s at N = 1000, 26 ms at N = 300); log-det, traces and the
//    draws' mean diagonals are sums over eigenvalues; rho in (1/min ev, 1/max ev).
//    Taken for dense W and for sparse W up to EIGEN_MAX_SPARSE_N units.
//  * 'envelope-lu': other W (kNN: complex eigenvalues; Hessenberg QR would cost ~10 N^3
//    flops): reverse Cuthill-McKee order, envelope LU of I - rho W at every rho the
//    optimiser asks for (cost ~ sum of squared row envelopes), rho in (-1/R, 1/R) with R the
//    largest absolute row sum (R = 1 for a row-standardised W: the whole (-1, 1) used
//    by LeSage's toolbox). The draws use the derivative of log|I - rho W|, interpolated
//    on the draws' range (tr(W^j) series as in LeSage-Pace would need one dense
//    n x n x k product per two traces: ~1 s at N = 1000 on this machine).
// County scale (issue 13): a sparse W above DENSE_SCALE_MAX_N units never meets an n x n
// matrix. The log-det is then 'envelope-lu' (exact, as above, while one LU costs at most
// LU_COST_MAX multiply-adds) or 'barry-pace' (Barry & Pace 1999: -sum rho^k tr(W^k) / k
// with exact low-order and seeded stochastic higher moments, moments.ts; stated error
// bound). Traces come from the same moments, solves from the LU or the Neumann series.
import { symmetricScaling } from './similarity.js';
import { denseLag } from './panel.js';
import { symmetricEigenvalues } from './symeig.js';
import { toCsr, csrMatVec, csrTranspose, reverseCuthillMcKee, type Csr } from './sparse.js';
import {
  envelopePattern, envelopeLu, envelopeInverse, envelopeSolve, envelopeSolveTransposed, envelopeCost, type EnvelopePattern,
} from './envelope.js';
import { traceMoments, refineMoments, seriesLogdet, seriesTrG, seriesTrGG, EXACT_MOMENTS, type TraceMoments } from './moments.js';
import { neumannSolve, neumannSolveBlock } from './solve.js';

export type WRoute = 'symmetric-eigen' | 'envelope-lu' | 'barry-pace';
/** 'dense': (I - rho W)^-1 may be formed (small n or a dense W); 'sparse': never an n x n */
export type WScale = 'dense' | 'sparse';

export interface WSetup {
  n: number;
  /** dense W (dense scale only) */
  w: Float64Array | null;
  csr: Csr;
  scale: WScale;
  route: WRoute;
  /** open interval of admissible rho */
  interval: [number, number];
  eigenvalues: Float64Array | null;
  /** every row sums to one: W 1 = 1 */
  rowStochastic: boolean;
  /** largest absolute row sum of W */
  maxRowSum: number;
  bandwidth: number | null;
  /** eigenvalue route: s > 0 with diag(s) W symmetric */
  scaling?: Float64Array;
  /** the envelope-LU route's pattern */
  envelope?: EnvelopePattern;
  /** sparse scale: tr(W^k) moments behind the traces (and the Barry-Pace log-det) */
  moments?: TraceMoments;
  /** seed of the stochastic traces (sparse scale) */
  seed: number;
  logdet(rho: number): number;
  /** first and second derivatives of log|I - rho W| (eigenvalue and Barry-Pace routes) */
  logdetDerivatives?(rho: number): [number, number];
  /** Barry-Pace: lengthens the series until its truncation at rho is negligible; true if it did */
  refine?(rho: number): boolean;
  /** bound on |logdet(rho) - log|I - rho W||: 0 on the exact routes */
  logdetErrorBound(rho: number): number;
  /** for the model JSON's logdet_method */
  logdetMethod: string;
}

/** Above this many units a sparse W takes the envelope route even when symmetric-similar:
 * eigenvalues cost (4/3) n^3 whatever the sparsity (~1.4 s at 1000, ~3 min at 5000). */
export const EIGEN_MAX_SPARSE_N = 1000;
/** Up to this many units (or for a dense W) the dense scale: exact n x n inverse at the estimate. */
export const DENSE_SCALE_MAX_N = 1000;
/** The exact envelope LU is used at sparse scale while one LU costs at most this (~0.1 s). */
export const LU_COST_MAX = 1.5e7;
/** Barry-Pace series length and stochastic probes (sparse scale). */
export const SERIES_TERMS = 40;
export const SERIES_PROBES = 32;
/** The largest W a set-up accepts (memory: ~100 bytes per non-zero). */
export const MAX_UNITS = 2_000_000;

export interface PrepareOptions {
  /** seed of the stochastic traces and Barry-Pace probes (default 1) */
  seed?: number;
  /** force the scale (tests compare the sparse machinery with the exact dense one) */
  scale?: 'auto' | WScale;
  terms?: number;
  probes?: number;
}

export function prepareW(w: Float64Array | Csr, n: number, route: 'auto' | WRoute = 'auto', opts: PrepareOptions = {}): WSetup {
  if (!(n >= 1 && n <= MAX_UNITS)) throw new Error(`W has ${n} units; at most ${MAX_UNITS} are supported`);
  const given = w instanceof Float64Array ? w : null;
  const csr = given ? toCsr(given, n) : (w as Csr);
  let maxRow = 0;
  let rowStochastic = true;
  for (let i = 0; i < n; i++) {
    let s = 0, a = 0;
    for (let p = csr.rowPtr[i]; p < csr.rowPtr[i + 1]; p++) { s += csr.val[p]; a += Math.abs(csr.val[p]); }
    maxRow = Math.max(maxRow, a);
    if (Math.abs(s - 1) > 1e-12) rowStochastic = false;
  }
  if (rowStochastic && maxRow <= 1 + 1e-12) maxRow = 1; // nonnegative and row-standardised
  const sparse = csr.rowPtr[n] <= 0.1 * n * n;
  const seed = opts.seed ?? 1;
  const scale: WScale = opts.scale && opts.scale !== 'auto' ? opts.scale
    : route === 'barry-pace' || (sparse && n > DENSE_SCALE_MAX_N) ? 'sparse' : 'dense';
  if (scale === 'sparse') return sparseSetup(csr, n, route, maxRow, rowStochastic, seed, opts);
  if (route === 'barry-pace') throw new Error('the barry-pace log-det is for the sparse scale');
  const dense = given ?? densify(csr);
  return denseSetup(dense, csr, n, route, maxRow, rowStochastic, sparse, seed);
}

function densify(c: Csr): Float64Array {
  const n = c.n;
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = c.rowPtr[i]; p < c.rowPtr[i + 1]; p++) d[i * n + c.col[p]] = c.val[p];
  return d;
}

function denseSetup(
  w: Float64Array, csr: Csr, n: number, route: 'auto' | WRoute, maxRow: number, rowStochastic: boolean, sparse: boolean, seed: number,
): WSetup {
  const tryEigen = route === 'symmetric-eigen' || (route === 'auto' && (n <= EIGEN_MAX_SPARSE_N || !sparse));
  const sym = tryEigen ? symmetricScaling(w, n) : null;
  const exact = () => 0;
  if (sym) {
    const ev = symmetricEigenvalues(sym.m, n);
    const lo = ev[0] < 0 ? 1 / ev[0] : -1 / Math.abs(ev[n - 1]);
    const hi = ev[n - 1] > 0 ? 1 / ev[n - 1] : 1 / Math.abs(ev[0]);
    return {
      n, w, csr, scale: 'dense', route: 'symmetric-eigen', interval: [lo, hi], eigenvalues: ev, rowStochastic, maxRowSum: maxRow,
      bandwidth: null, scaling: sym.s, seed,
      logdet(rho) {
        let s = 0;
        for (let i = 0; i < n; i++) s += Math.log(1 - rho * ev[i]);
        return s;
      },
      logdetDerivatives(rho) {
        let d1 = 0, d2 = 0;
        for (let i = 0; i < n; i++) { const g = ev[i] / (1 - rho * ev[i]); d1 -= g; d2 -= g * g; }
        return [d1, d2];
      },
      logdetErrorBound: exact,
      logdetMethod: 'eigenvalues of the symmetric matrix similar to W',
    };
  }
  const ep = envelopePattern(csr, reverseCuthillMcKee(csr));
  return {
    n, w, csr, scale: 'dense', route: 'envelope-lu', interval: [-1 / maxRow, 1 / maxRow], eigenvalues: null, rowStochastic, maxRowSum: maxRow,
    bandwidth: ep.bandwidth, seed,
    logdet: (rho) => envelopeLu(ep, rho).logdet,
    logdetErrorBound: exact,
    logdetMethod: `envelope LU of I - rho W at each rho (reverse Cuthill-McKee order, bandwidth ${ep.bandwidth})`,
    envelope: ep,
  };
}

function sparseSetup(
  csr: Csr, n: number, route: 'auto' | WRoute, maxRow: number, rowStochastic: boolean, seed: number, opts: PrepareOptions,
): WSetup {
  if (route === 'symmetric-eigen') throw new Error('the symmetric-eigen log-det needs the dense scale');
  const moments = traceMoments(csr, opts.terms ?? SERIES_TERMS, opts.probes ?? SERIES_PROBES, seed);
  const base = {
    n, w: null, csr, scale: 'sparse' as const, interval: [-1 / maxRow, 1 / maxRow] as [number, number], eigenvalues: null,
    rowStochastic, maxRowSum: maxRow, moments, seed,
  };
  // the envelope is worth building only when an LU of it is affordable
  let ep: EnvelopePattern | null = null;
  if (route !== 'barry-pace') {
    ep = envelopePattern(csr, reverseCuthillMcKee(csr));
    if (route === 'auto' && envelopeCost(ep) > LU_COST_MAX) ep = null;
  }
  if (ep) {
    const pattern = ep;
    return {
      ...base, route: 'envelope-lu', bandwidth: ep.bandwidth, envelope: ep,
      logdet: (rho) => envelopeLu(pattern, rho).logdet,
      logdetErrorBound: () => 0,
      logdetMethod: `sparse envelope LU of I - rho W at each rho (reverse Cuthill-McKee order, bandwidth ${ep.bandwidth}, ${envelopeCost(ep).toExponential(2)} multiply-adds per LU); exact`,
    };
  }
  return {
    ...base, route: 'barry-pace', bandwidth: null,
    logdet: (rho) => seriesLogdet(moments, rho, false).value,
    logdetDerivatives: (rho) => [-seriesTrG(moments, rho, false).value, -seriesTrGG(moments, rho, false).value],
    refine: (rho) => refineMoments(moments, rho),
    logdetErrorBound: (rho) => seriesLogdet(moments, rho).error,
    get logdetMethod() {
      return `Barry-Pace (1999) series -sum_k rho^k tr(W^k)/k, k <= ${moments.m}: tr(W^k) exact for k <= ${EXACT_MOMENTS}, `
      + `Hutchinson estimates from ${moments.probes} Rademacher probes (seed ${seed}) above; error bound = truncation + 3 Monte Carlo standard errors`;
    },
  };
}

/** Solves with I - rho W at one rho. */
export interface WSolver {
  /** x with (I - rho W) x = b (a new array of length n) */
  solve(b: Float64Array): Float64Array;
  /** x with (I - rho W)' x = b */
  solveTransposed(b: Float64Array): Float64Array;
  /** (I_T kron (I - rho W))^-1 v for a stacked n T vector */
  solvePeriods(v: Float64Array, T: number): Float64Array;
}

const transposes = new WeakMap<Csr, Csr>();
export function transposeOf(c: Csr): Csr {
  let t = transposes.get(c);
  if (!t) { t = csrTranspose(c); transposes.set(c, t); }
  return t;
}

export function solverAt(setup: WSetup, rho: number): WSolver {
  const n = setup.n;
  const periods = (solve: (b: Float64Array) => Float64Array) => (v: Float64Array, T: number) => {
    const out = new Float64Array(n * T);
    for (let t = 0; t < T; t++) out.set(solve(v.subarray(t * n, t * n + n)), t * n);
    return out;
  };
  if (setup.scale === 'dense') {
    const inv = inverseWithSolver(setup, rho);
    const S = inv.dense;
    const solve = (b: Float64Array) => denseLag(S, n, b, 1);
    const solveTransposed = (b: Float64Array) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) { const bi = b[i]; const row = S.subarray(i * n, i * n + n); for (let j = 0; j < n; j++) out[j] += row[j] * bi; }
      return out;
    };
    return { solve, solveTransposed, solvePeriods: inv.solvePeriods };
  }
  if (setup.envelope) {
    const ep = setup.envelope;
    const lu = envelopeLu(ep, rho);
    const work = new Float64Array(n);
    const solve = (b: Float64Array) => { const x = Float64Array.from(b); envelopeSolve(ep, lu, x, work); return x; };
    const solveTransposed = (b: Float64Array) => { const x = Float64Array.from(b); envelopeSolveTransposed(ep, lu, x, work); return x; };
    return { solve, solveTransposed, solvePeriods: periods(solve) };
  }
  const R = setup.maxRowSum;
  const solve = (b: Float64Array) => neumannSolve(setup.csr, rho, b, R);
  const wt = transposeOf(setup.csr);
  const solveTransposed = (b: Float64Array) => neumannSolve(wt, rho, b, R, 'one');
  return { solve, solveTransposed, solvePeriods: (v, T) => neumannSolveBlock(setup.csr, rho, v, T, R) };
}

/** (I - rho W)^-1 at one rho: dense, and as a solver for T right-hand sides. */
export interface InverseAt {
  dense: Float64Array;
  /** x <- (I - rho W)^-1 x for each period block of a stacked vector */
  solvePeriods(v: Float64Array, T: number): Float64Array;
}

export function inverseAt(setup: WSetup, rho: number): Float64Array {
  return inverseWithSolver(setup, rho).dense;
}

export function inverseWithSolver(setup: WSetup, rho: number): InverseAt {
  const n = setup.n;
  if (setup.scale !== 'dense' || !setup.w) {
    throw new Error(`(I - rho W)^-1 as a dense matrix is not formed for a sparse W of ${n} units: use solverAt and tracesAt`);
  }
  const ep = setup.envelope ?? sparseEnough(setup, rho);
  if (ep) {
    const lu = envelopeLu(ep, rho);
    const dense = envelopeInverse(ep, lu);
    return {
      dense,
      solvePeriods(v, T) {
        const out = Float64Array.from(v);
        const work = new Float64Array(n);
        for (let t = 0; t < T; t++) envelopeSolve(ep, lu, out.subarray(t * n, t * n + n), work);
        return out;
      },
    };
  }
  const w = setup.w;
  const dense = setup.scaling ? similarInverse(w, n, rho, setup.scaling) : generalInverse(w, n, rho);
  return { dense, solvePeriods: (v, T) => denseLag(dense, n, v, T) };
}

function generalInverse(w: Float64Array, n: number, rho: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) a[i] = -rho * w[i];
  for (let i = 0; i < n; i++) a[i * n + i] += 1;
  return denseInverse(a, n);
}

// W = D^-1/2 M D^1/2 with M symmetric (D = diag(s)), so (I - rho W)^-1 =
// D^-1/2 (I - rho M)^-1 D^1/2, and I - rho M is positive definite on the admissible
// interval: a Cholesky inverse costs n^3/2 multiply-adds against n^3 and more for
// Gauss-Jordan.
function similarInverse(w: Float64Array, n: number, rho: number, s: Float64Array): Float64Array {
  const r = Float64Array.from(s, Math.sqrt);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      // symmetrised M_ij = sqrt(s_i/s_j) w_ij
      const m = 0.5 * ((r[i] / r[j]) * w[i * n + j] + (r[j] / r[i]) * w[j * n + i]);
      a[i * n + j] = (i === j ? 1 : 0) - rho * m;
    }
  }
  const b = spdInverseLower(a, n);
  if (!b) return generalInverse(w, n, rho);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = b[i * n + j];
      out[i * n + j] = v * (r[j] / r[i]);
      out[j * n + i] = v * (r[i] / r[j]);
    }
  }
  return out;
}

/**
 * Inverse of a symmetric positive definite matrix given by its lower triangle
 * (row-major, overwritten); returns the lower triangle of the inverse, or null when
 * not positive definite. Cholesky (row dot products), U = L^-1 by row axpys, then
 * B = U'U as rank-one updates: every inner loop runs over a contiguous row.
 */
export function spdInverseLower(a: Float64Array, n: number): Float64Array | null {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (i === j) {
        if (!(s > 0)) return null;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j];
      }
    }
  }
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ui = u.subarray(i * n, i * n + i + 1);
    ui[i] = 1;
    for (let k = 0; k < i; k++) {
      const l = a[i * n + k];
      if (l === 0) continue;
      const uk = u.subarray(k * n, k * n + k + 1);
      for (let c = 0; c <= k; c++) ui[c] -= l * uk[c];
    }
    const d = 1 / a[i * n + i];
    for (let c = 0; c <= i; c++) ui[c] *= d;
  }
  const b = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const uk = u.subarray(k * n, k * n + k + 1);
    for (let i = 0; i <= k; i++) {
      const f = uk[i];
      if (f === 0) continue;
      const bi = b.subarray(i * n, i * n + i + 1);
      for (let j = 0; j <= i; j++) bi[j] += f * uk[j];
    }
  }
  return b;
}

// A sparse W on the eigenvalue route (contiguity, a distance cutoff) is still cheaper
// to invert through its envelope when rho keeps I - rho W diagonally dominant.
function sparseEnough(setup: WSetup, rho: number): EnvelopePattern | null {
  const n = setup.n;
  if (setup.csr.rowPtr[n] > 0.1 * n * n || Math.abs(rho) * maxAbsRowSum(setup.csr) >= 1) return null;
  const ep = envelopePattern(setup.csr, reverseCuthillMcKee(setup.csr));
  return 3 * ep.size * n < (n * n * n) / 2 ? ep : null;
}

function maxAbsRowSum(c: Csr): number {
  let m = 0;
  for (let i = 0; i < c.n; i++) {
    let a = 0;
    for (let p = c.rowPtr[i]; p < c.rowPtr[i + 1]; p++) a += Math.abs(c.val[p]);
    m = Math.max(m, a);
  }
  return m;
}

/** Gauss-Jordan inverse with partial pivoting; `a` is overwritten. */
export function denseInverse(a: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let k = 0; k < n; k++) {
    let piv = k, best = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i * n + k]) > best) { best = Math.abs(a[i * n + k]); piv = i; }
    if (!(best > 1e-300)) throw new Error('I - rho W is singular');
    if (piv !== k) {
      for (const m of [a, inv]) {
        const t = m.slice(k * n, k * n + n);
        m.copyWithin(k * n, piv * n, piv * n + n);
        m.set(t, piv * n);
      }
    }
    const d = 1 / a[k * n + k];
    const ak = a.subarray(k * n, k * n + n), ik = inv.subarray(k * n, k * n + n);
    for (let j = 0; j < n; j++) { ak[j] *= d; ik[j] *= d; }
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const f = a[i * n + k];
      if (f === 0) continue;
      const ai = a.subarray(i * n, i * n + n), ii = inv.subarray(i * n, i * n + n);
      for (let j = k; j < n; j++) ai[j] -= f * ak[j];
      for (let j = 0; j < n; j++) ii[j] -= f * ik[j];
    }
  }
  return inv;
}

/**
 * The scalar functions of rho behind LeSage-Pace effects, for S = (I - rho W)^-1:
 *   a = tr(S)/n, b = tr(S W)/n (mean diagonals), c0 = 1'S1/n, c1 = 1'SW1/n (mean row sums).
 * Direct effect of x_k: beta a + theta b; total: beta c0 + theta c1.
 */
export interface EffectScalars {
  a(rho: number): number;
  b(rho: number): number;
  c0(rho: number): number;
  c1(rho: number): number;
  /** how they were computed, for the model output */
  method: string;
}

const SERIES_TOL = 1e-13;
const SERIES_MAX = 2000;

/**
 * Effect scalars for rho in [rhoLo, rhoHi] (the range of the draws).
 * With eigenvalues: exact sums over them. Otherwise from the log-determinant alone:
 * tr(G) = -d/drho log|I - rho W| with G = W S = S W, so b = tr(G)/n and
 * a = tr(S)/n = 1 + rho b (as rho W S = S - I). log|I - rho W| (one envelope LU each) is
 * interpolated at Chebyshev points of the draws' range and differentiated exactly; the
 * degree grows until the last two coefficients fall below 1e-11 of the largest. The
 * range is short and away from the singularities 1/lambda, so 8-16 points suffice.
 * Mean row sums: 1/(1 - rho) when W 1 = 1, else the power series sum rho^j 1'W^j 1 / n.
 */
export function effectScalars(setup: WSetup, rhoLo: number, rhoHi: number): EffectScalars {
  const { n } = setup;
  let c0: (r: number) => number, c1: (r: number) => number;
  if (setup.rowStochastic) {
    c0 = c1 = (rho) => 1 / (1 - rho);
  } else {
    const q = Math.max(Math.abs(rhoLo), Math.abs(rhoHi)) * maxAbsRowSum(setup.csr);
    if (q >= 1) throw new Error('effects: rho draws reach 1 / max row sum of a W that is not row-standardised; the series for the total effect diverges. Row-standardise W.');
    let m = 1;
    while (m < SERIES_MAX && q ** (m + 1) / (1 - q) > SERIES_TOL) m++;
    const mom = new Float64Array(m + 2);
    let v = new Float64Array(n).fill(1), nv = new Float64Array(n);
    for (let j = 0; j <= m + 1; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += v[i];
      mom[j] = s / n;
      csrMatVec(setup.csr, v, nv);
      [v, nv] = [nv, v];
    }
    const series = (shift: number) => (rho: number) => {
      let s = 0, p = 1;
      for (let j = 0; j + shift < mom.length; j++) { s += p * mom[j + shift]; p *= rho; }
      return s;
    };
    c0 = series(0);
    c1 = series(1);
  }
  const ev = setup.eigenvalues;
  if (ev) {
    return {
      a: (rho) => { let s = 0; for (let i = 0; i < n; i++) s += 1 / (1 - rho * ev[i]); return s / n; },
      b: (rho) => { let s = 0; for (let i = 0; i < n; i++) s += ev[i] / (1 - rho * ev[i]); return s / n; },
      c0, c1,
      method: 'eigenvalues',
    };
  }
  if (setup.moments && !setup.envelope) {
    const mo = setup.moments;
    const b = (rho: number) => seriesTrG(mo, rho, false).value / n;
    return {
      a: (rho) => 1 + rho * b(rho),
      b,
      c0, c1,
      method: `mean diagonals from the series sum_k rho^(k-1) tr(W^k) (the log-det's trace moments, ${mo.probes} probes, seed ${mo.seed})`,
    };
  }
  const [lo, hi] = setup.interval;
  const pad = 0.05 * (rhoHi - rhoLo) + 1e-6;
  const A = Math.max(rhoLo - pad, lo + 0.5 * (rhoLo - lo));
  const B = Math.min(rhoHi + pad, hi - 0.5 * (hi - rhoHi));
  const cheb = chebyshevDerivative((r) => setup.logdet(r), A, B);
  const b = (rho: number) => -cheb.eval(rho) / n;
  return {
    a: (rho) => 1 + rho * b(rho),
    b,
    c0, c1,
    method: `log-determinant interpolated at ${cheb.points} Chebyshev points of [${A}, ${B}] and differentiated`,
  };
}

/** Chebyshev interpolant of f on [A, B] (adaptive degree), returned as its derivative. */
function chebyshevDerivative(f: (x: number) => number, A: number, B: number) {
  const mid = (A + B) / 2, half = (B - A) / 2;
  let m = 8;
  let c = new Float64Array(0);
  for (;;) {
    const fx = new Float64Array(m);
    for (let k = 0; k < m; k++) fx[k] = f(mid + half * Math.cos((Math.PI * (k + 0.5)) / m));
    c = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += fx[k] * Math.cos((Math.PI * j * (k + 0.5)) / m);
      c[j] = (2 / m) * s;
    }
    c[0] /= 2;
    let big = 0;
    for (let j = 1; j < m; j++) big = Math.max(big, Math.abs(c[j]));
    const tail = Math.max(Math.abs(c[m - 1]), Math.abs(c[m - 2]));
    if (tail <= 1e-11 * big || m >= 48) break;
    m = m < 16 ? m + 4 : m + 8;
  }
  // derivative coefficients: d_{j-1} = d_{j+1} + 2 j c_j (then d_0 halved), scaled by 1/half
  const d = new Float64Array(m + 1);
  for (let j = m - 1; j >= 1; j--) d[j - 1] = d[j + 1] + 2 * j * c[j];
  d[0] /= 2;
  const points = m;
  return {
    points,
    eval(x: number) {
      const t = (x - mid) / half;
      // Clenshaw
      let b1 = 0, b2 = 0;
      for (let j = m - 1; j >= 1; j--) { const b0 = 2 * t * b1 - b2 + d[j]; b2 = b1; b1 = b0; }
      return (t * b1 - b2 + d[0]) / half;
    },
  };
}
