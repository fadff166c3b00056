// SAR / SDM panel models with fixed effects by exact concentrated maximum likelihood
// (Elhorst 2014, ch. 3; Lee & Yu 2010 for the bias correction).
//
//   y = rho W y + X beta + W X theta + FE + e,   stacked by period (row t n + i).
//
// The spatial lags Wy and WX are built from the raw data, then every column is
// demeaned (Elhorst, xsmle). splm's two-way spml instead lags the demeaned y; the two
// agree only when W's columns also sum to one, so our two-way estimates differ from
// splm's but match Elhorst's routines (reference/produc_sar.json).
//
// With Z the demeaned [X, WX]: b0, b1 = OLS of y~ and (Wy)~ on Z, e(rho) = e0 - rho e1,
// and the concentrated log-likelihood
//   Lc(rho) = -(N'/2) log(e(rho)'e(rho) / N') + T' (log|I - rho W| - c log(1 - rho))
// is maximised by Brent over the admissible interval; N' = nT, T' = T, c = 0 without
// the correction. Lee-Yu (2010) transformation approach: individual effects cost one
// period (T' = T - 1), time effects one unit and the unit eigenvalue of the
// row-standardised W (n' = n - 1, c = 1), N' = n'T'. Individual FE only: rho and beta
// unchanged, sigma2 times T/(T-1).
import { cholesky, choleskySolve, choleskyInverse, crossprod, crossprodVec } from '../linalg.js';
import { brentMinimize } from './optimize.js';
import { demean, denseLag, spatialLag, feComponent, type SpatialFe } from './panel.js';
import { inverseWithSolver, solverAt, transposeOf, type WSetup } from './setup.js';
import { gTraces, tracesAt, dropUnitEigenvalue, leeYuSizes } from './traces.js';
import { residual, dot, corr } from './vec.js';
import { csrMatVec } from './sparse.js';
import { observedInformation, type Information } from './information.js';

export interface SpatialMlInput {
  n: number;
  T: number;
  y: Float64Array;
  /** regressors, columns of length n T */
  X: Float64Array[];
  /** indices into X of the regressors also entered as W x (SDM); [] for SAR */
  wx: number[];
  fe: SpatialFe;
  leeYu: boolean;
  setup: WSetup;
  /** which information matrix the covariance inverts (default expected) */
  information?: Information;
}

export interface SpatialMlFit {
  n: number;
  T: number;
  fe: SpatialFe;
  leeYu: boolean;
  rho: number;
  /** beta (X) then theta (W X) */
  coef: Float64Array;
  sigma2: number;
  loglik: number;
  /** covariance of (coef..., rho, sigma2), order as stated, (K + 2)^2 row-major */
  vcov: Float64Array;
  r2: number;
  r2Within: number;
  /** (I - rho W)^-1 at the estimate, for exact effect point estimates (dense scale only) */
  inverse: Float64Array | null;
  /** how tr(G), tr(GG), tr(G'G) were computed, and bounds on their errors */
  traceMethod: string;
  traceErrors: { trG: number; trGG: number; trGtG: number };
  /** bound on the log-det's error at the estimate (0: exact) */
  logdetErrorBound: number;
  /** effective sample sizes of the likelihood */
  nEff: number;
  tEff: number;
  interval: [number, number];
  evaluations: number;
  timings: { setupMs: number; optimiseMs: number; varianceMs: number };
}

export const MSG = {
  collinear: 'the demeaned regressors are collinear (a regressor constant within units or periods is absorbed by the fixed effects, or W x duplicates x): drop one.',
  boundary: (rho: number, lo: number, hi: number) =>
    `rho reached the edge of its admissible interval (${rho} in (${lo}, ${hi})): the likelihood has no interior maximum; check W and the model.`,
} as const;

export function fitSpatialPanel(inp: SpatialMlInput): SpatialMlFit {
  const { n, T, fe, leeYu, setup } = inp;
  const t0 = performance.now();
  const { nEff, tEff, dropUnit } = leeYuSizes(n, T, fe, leeYu, setup.rowStochastic);
  const N = nEff * tEff;

  // raw lags, then the within transformation
  const Zraw = [...inp.X, ...inp.wx.map((k) => spatialLag(setup.csr, inp.X[k], T))];
  const Wy = spatialLag(setup.csr, inp.y, T);
  const Z = Zraw.map((c) => demean(c, n, T, fe));
  const yd = demean(inp.y, n, T, fe);
  const wyd = demean(Wy, n, T, fe);
  const K = Z.length;
  const L = cholesky(crossprod(Z), K);
  if (!L) throw new Error(MSG.collinear);
  const b0 = choleskySolve(L, K, crossprodVec(Z, yd));
  const b1 = choleskySolve(L, K, crossprodVec(Z, wyd));
  const e0 = residual(yd, Z, b0), e1 = residual(wyd, Z, b1);
  const s00 = dot(e0, e0), s01 = dot(e0, e1), s11 = dot(e1, e1);
  const ee = (rho: number) => s00 - 2 * rho * s01 + rho * rho * s11;
  const negLc = (rho: number) =>
    (N / 2) * Math.log(ee(rho) / N) - tEff * (setup.logdet(rho) - dropUnit * Math.log(1 - rho));
  // d/drho of Lc and its second derivative (eigenvalue route)
  const score = (r: number): [number, number] => {
    const q = ee(r), q1 = -2 * s01 + 2 * r * s11;
    const [d1, d2] = setup.logdetDerivatives!(r);
    const u = dropUnit / (1 - r);
    return [-(N / 2) * (q1 / q) + tEff * (d1 + u), -(N / 2) * ((2 * s11 * q - q1 * q1) / (q * q)) + tEff * (d2 + u * u)];
  };
  const newtonPolish = (x: number, a: number, b: number): number => {
    let r = x;
    for (let it = 0; it < 8; it++) {
      const [g, h] = score(r);
      if (!(h < 0)) return x;
      const next = r - g / h;
      if (!(next > a && next < b) || Math.abs(next - x) > 1e-4 * (b - a)) return x;
      if (Math.abs(next - r) <= 1e-15 * Math.max(1, Math.abs(r))) return next;
      r = next;
    }
    return r;
  };
  const t1 = performance.now();

  const [lo, hi] = setup.interval;
  const margin = 1e-9 * (hi - lo);
  // 1e-9 relative in rho: below that the likelihood is flat to double precision and
  // Brent only spends log-determinants (18 against 13 at N = 1000)
  let opt = brentMinimize(negLc, lo + margin, hi - margin, 1e-10, 1e-9);
  // Barry-Pace: a longer series where the estimate needs one, then optimise again
  for (let pass = 0; pass < 4 && setup.refine?.(opt.x); pass++) {
    const again = brentMinimize(negLc, lo + margin, hi - margin, 1e-10, 1e-9);
    opt = { ...again, evaluations: opt.evaluations + again.evaluations };
  }
  // Brent stops where the likelihood is flat to double precision (~1e-8 in rho); with
  // eigenvalues the score and its derivative are exact, so Newton finishes the job.
  const rho = setup.logdetDerivatives ? newtonPolish(opt.x, lo, hi) : opt.x;
  if (rho - lo < 1e-6 * (hi - lo) || hi - rho < 1e-6 * (hi - lo)) throw new Error(MSG.boundary(rho, lo, hi));
  const coef = new Float64Array(K);
  for (let k = 0; k < K; k++) coef[k] = b0[k] - rho * b1[k];
  const eSS = ee(rho);
  const sigma2 = eSS / N;
  const logdet = setup.logdet(rho) - dropUnit * Math.log(1 - rho);
  const loglik = -(N / 2) * Math.log(2 * Math.PI * sigma2) + tEff * logdet - eSS / (2 * sigma2);
  const t2 = performance.now();

  // Information matrix (Lee & Yu 2010 / Elhorst 2014), G = W (I - rho W)^-1 = (S - I)/rho.
  const fitted = new Float64Array(n * T);
  for (let k = 0; k < K; k++) for (let r = 0; r < n * T; r++) fitted[r] += Z[k][r] * coef[k];
  const vp0 = varianceParts(setup, rho, fitted, T, dropUnit > 0);
  const vp = dropUnit ? dropUnitEigenvalue(vp0, rho, n) : vp0;
  const { trG, trGG, trGtG } = vp;
  let H = vp.H;
  if (leeYu) H = demean(H, n, T, fe);
  const P = K + 2;
  const info = new Float64Array(P * P);
  const ZZ = crossprod(Z), ZH = crossprodVec(Z, H);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) info[a * P + b] = ZZ[a * K + b] / sigma2;
    info[a * P + K] = info[K * P + a] = ZH[a] / sigma2;
  }
  info[K * P + K] = dot(H, H) / sigma2 + tEff * (trGG + trGtG);
  info[K * P + K + 1] = info[(K + 1) * P + K] = (tEff * trG) / sigma2;
  info[(K + 1) * P + K + 1] = N / (2 * sigma2 * sigma2);
  if (inp.information === 'observed') {
    const e = new Float64Array(n * T);
    for (let i = 0; i < n * T; i++) e[i] = e0[i] - rho * e1[i];
    info.set(observedInformation({ Z, wy: wyd, e, sigma2, nEff: N, tEff, trGG }));
  }
  const Li = cholesky(info, P);
  if (!Li) throw new Error('the information matrix is not positive definite: the model is not identified.');
  const vcov = choleskyInverse(Li, P);

  // R2: squared correlation of y and its reduced-form prediction S (X b + W X theta + FE),
  // and the within form 1 - e'e / y~'y~ (Elhorst).
  const r = new Float64Array(n * T);
  for (let i = 0; i < n * T; i++) r[i] = inp.y[i] - rho * Wy[i];
  for (let k = 0; k < K; k++) for (let i = 0; i < n * T; i++) r[i] -= Zraw[k][i] * coef[k];
  const xb = feComponent(r, n, T, fe);
  for (let k = 0; k < K; k++) for (let i = 0; i < n * T; i++) xb[i] += Zraw[k][i] * coef[k];
  const yhat = vp.solvePeriods(xb, T);
  const r2 = corr(inp.y, yhat) ** 2;
  const r2Within = 1 - eSS / dot(yd, yd);
  const t3 = performance.now();
  return {
    n, T, fe, leeYu, rho, coef, sigma2, loglik, vcov, r2, r2Within, inverse: vp.inverse, nEff, tEff,
    traceMethod: vp.method, traceErrors: vp.errors, logdetErrorBound: setup.logdetErrorBound(rho),
    interval: [lo, hi], evaluations: opt.evaluations,
    timings: { setupMs: t1 - t0, optimiseMs: t2 - t1, varianceMs: t3 - t2 },
  };
}

/** Traces of G at rho, (I_T kron G) fitted and a solver: exact on the dense scale, stochastic traces and solves on the sparse one. */
export function varianceParts(setup: WSetup, rho: number, fitted: Float64Array, T: number, needColSum: boolean): VarianceParts {
  return setup.scale === 'dense' ? denseVarianceParts(setup, rho, fitted, T) : sparseVarianceParts(setup, rho, fitted, T, needColSum);
}

export interface VarianceParts {
  trG: number; trGG: number; trGtG: number;
  /** column sums of G (the Lee-Yu unit-eigenvalue correction) */
  colSum: Float64Array;
  /** (I_T kron G) Z b */
  H: Float64Array;
  solvePeriods(v: Float64Array, T: number): Float64Array;
  inverse: Float64Array | null;
  method: string;
  errors: { trG: number; trGG: number; trGtG: number };
}

function denseVarianceParts(setup: WSetup, rho: number, fitted: Float64Array, T: number): VarianceParts {
  const n = setup.n;
  const inv = inverseWithSolver(setup, rho);
  const S = inv.dense;
  const tr = gTraces(S, setup, rho);
  // H = (I_T kron G) Z b; G v = (S v - v) / rho needs only solves
  let H: Float64Array;
  if (tr.G) {
    H = denseLag(tr.G, n, fitted, T);
  } else {
    H = inv.solvePeriods(fitted, T);
    for (let i = 0; i < n * T; i++) H[i] = (H[i] - fitted[i]) / rho;
  }
  return {
    trG: tr.trG, trGG: tr.trGG, trGtG: tr.trGtG, colSum: tr.colSum, H, solvePeriods: inv.solvePeriods, inverse: S,
    method: 'exact, from (I - rho W)^-1', errors: { trG: 0, trGG: 0, trGtG: 0 },
  };
}

// Sparse scale: no n x n. G v = W (I - rho W)^-1 v by solves; G'1 = (I - rho W)'^-1 W'1.
function sparseVarianceParts(setup: WSetup, rho: number, fitted: Float64Array, T: number, needColSum: boolean): VarianceParts {
  const n = setup.n;
  const solver = solverAt(setup, rho);
  const tr = tracesAt(setup, rho, solver);
  const H = spatialLag(setup.csr, solver.solvePeriods(fitted, T), T);
  let colSum: Float64Array = new Float64Array(0);
  if (needColSum) {
    const colW = new Float64Array(n);
    csrMatVec(transposeOf(setup.csr), new Float64Array(n).fill(1), colW);
    colSum = solver.solveTransposed(colW);
  }
  return { trG: tr.trG, trGG: tr.trGG, trGtG: tr.trGtG, colSum, H, solvePeriods: solver.solvePeriods, inverse: null, method: tr.method, errors: tr.errors };
}
