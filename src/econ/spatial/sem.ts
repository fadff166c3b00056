// Spatial error panel model (SEM) with fixed effects by exact concentrated ML
// (Anselin 1988 ch. 6; Elhorst 2014 sec. 3.2-3.3; Lee & Yu 2010 for the correction).
//
//   y = X beta + FE + u,   u = lambda W u + e,   stacked by period (row t n + i).
//
// As for SAR / SDM (ml.ts), W is applied to the raw data and the result demeaned:
// e(lambda) = Q (I - lambda W)(y - X beta) = (y~ - lambda (Wy)~) - (X~ - lambda (WX)~) beta
// (time effects of a row-standardised W stay time effects under I - lambda W, so Q removes
// them). For each lambda, beta is GLS (OLS of the filtered data) and sigma2 = e'e / N':
//   Lc(lambda) = -(N'/2) log(e'e / N') + T' (log|I - lambda W| - c log(1 - lambda)),
// maximised by Brent, then (eigenvalues) Newton on the exact score
//   dLc/dlambda = -(N'/2) 2 e'(-(Wy)~ + (WX)~ beta) / e'e - T' (tr(H) - c/(1 - lambda)).
// Information matrix over (beta, lambda, sigma2), H = W (I - lambda W)^-1 (Anselin 1988,
// eq. 6.28; Elhorst 2014 eq. 3.38 with T' periods):
//   [X*'X*/s2, 0, 0; ., T' tr(HH + H'H), T' tr(H)/s2; ., ., N'/(2 s2^2)],  X* = X~ - lambda (WX)~.
import { cholesky, choleskySolve, choleskyInverse, crossprod, crossprodVec } from '../linalg.js';
import { brentMinimize, newtonPolish } from './optimize.js';
import { demean, spatialLag, feComponent, type SpatialFe } from './panel.js';
import type { WSetup } from './setup.js';
import { dropUnitEigenvalue, leeYuSizes } from './traces.js';
import { residual, dot, corr } from './vec.js';
import { MSG, varianceParts } from './ml.js';

export interface SemInput {
  n: number;
  T: number;
  y: Float64Array;
  X: Float64Array[];
  fe: SpatialFe;
  leeYu: boolean;
  setup: WSetup;
}

export interface SemFit {
  n: number;
  T: number;
  lambda: number;
  beta: Float64Array;
  sigma2: number;
  loglik: number;
  /** covariance of (beta..., lambda, sigma2), (K + 2)^2 row-major */
  vcov: Float64Array;
  r2: number;
  r2Within: number;
  nEff: number;
  tEff: number;
  interval: [number, number];
  evaluations: number;
  traceMethod: string;
  traceErrors: { trG: number; trGG: number; trGtG: number };
  logdetErrorBound: number;
}

/** y, X filtered by (I - a W) after demeaning the raw lags: y~ - a (Wy)~, X~ - a (WX)~. */
export function filtered(d: Float64Array, wd: Float64Array, a: number): Float64Array {
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] - a * wd[i];
  return out;
}

/** beta, e and e'e of the regression of ys on Xs (columns). */
export function gls(ys: Float64Array, Xs: Float64Array[]) {
  const K = Xs.length;
  const L = cholesky(crossprod(Xs), K);
  if (!L) throw new Error(MSG.collinear);
  const b = choleskySolve(L, K, crossprodVec(Xs, ys));
  const e = residual(ys, Xs, b);
  return { b, e, ee: dot(e, e) };
}

export function fitSem(inp: SemInput): SemFit {
  const { n, T, fe, leeYu, setup } = inp;
  const { nEff, tEff, dropUnit } = leeYuSizes(n, T, fe, leeYu, setup.rowStochastic);
  const N = nEff * tEff;
  const yd = demean(inp.y, n, T, fe);
  const wyd = demean(spatialLag(setup.csr, inp.y, T), n, T, fe);
  const Xd = inp.X.map((x) => demean(x, n, T, fe));
  const WXd = inp.X.map((x) => demean(spatialLag(setup.csr, x, T), n, T, fe));
  const K = Xd.length;
  const at = (l: number) => gls(filtered(yd, wyd, l), Xd.map((x, k) => filtered(x, WXd[k], l)));
  const ldc = (l: number) => setup.logdet(l) - dropUnit * Math.log(1 - l);
  const negLc = (l: number) => (N / 2) * Math.log(at(l).ee / N) - tEff * ldc(l);

  const [lo, hi] = setup.interval;
  const margin = 1e-9 * (hi - lo);
  const opt = brentMinimize(negLc, lo + margin, hi - margin, 1e-10, 1e-9);
  const score = (l: number): number => {
    const f = at(l);
    let de = 0; // d(e'e)/dlambda = 2 e'(-(Wy)~ + (WX)~ b) (envelope theorem)
    for (let i = 0; i < f.e.length; i++) {
      let v = -wyd[i];
      for (let k = 0; k < K; k++) v += WXd[k][i] * f.b[k];
      de += 2 * f.e[i] * v;
    }
    return -(N / 2) * (de / f.ee) + tEff * (setup.logdetDerivatives!(l)[0] + dropUnit / (1 - l));
  };
  const lambda = setup.logdetDerivatives ? newtonPolish(score, opt.x, lo, hi) : opt.x;
  if (lambda - lo < 1e-6 * (hi - lo) || hi - lambda < 1e-6 * (hi - lo)) throw new Error(MSG.boundary(lambda, lo, hi));
  const Xs = Xd.map((x, k) => filtered(x, WXd[k], lambda));
  const f = gls(filtered(yd, wyd, lambda), Xs);
  const sigma2 = f.ee / N;
  const loglik = -(N / 2) * Math.log(2 * Math.PI * sigma2) + tEff * ldc(lambda) - f.ee / (2 * sigma2);

  // traces of H = W (I - lambda W)^-1 (exact on the dense scale, stochastic on the sparse one)
  const tr0 = varianceParts(setup, lambda, new Float64Array(n), 1, dropUnit > 0);
  const tr = dropUnit ? dropUnitEigenvalue(tr0, lambda, n) : tr0;
  const P = K + 2;
  const info = new Float64Array(P * P);
  const XX = crossprod(Xs);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) info[a * P + b] = XX[a * K + b] / sigma2;
  info[K * P + K] = tEff * (tr.trGG + tr.trGtG);
  info[K * P + K + 1] = info[(K + 1) * P + K] = (tEff * tr.trG) / sigma2;
  info[(K + 1) * P + K + 1] = N / (2 * sigma2 * sigma2);
  const Li = cholesky(info, P);
  if (!Li) throw new Error('the information matrix is not positive definite: the model is not identified.');
  const vcov = choleskyInverse(Li, P);

  // R2: squared correlation of y with X beta + FE (FE from the mean residuals); within: 1 - e'e / y~'y~
  const r = Float64Array.from(inp.y);
  for (let k = 0; k < K; k++) for (let i = 0; i < r.length; i++) r[i] -= inp.X[k][i] * f.b[k];
  const yhat = feComponent(r, n, T, fe);
  for (let k = 0; k < K; k++) for (let i = 0; i < r.length; i++) yhat[i] += inp.X[k][i] * f.b[k];
  return {
    traceMethod: tr0.method, traceErrors: tr0.errors, logdetErrorBound: setup.logdetErrorBound(lambda),
    n, T, lambda, beta: f.b, sigma2, loglik, vcov, r2: corr(inp.y, yhat) ** 2, r2Within: 1 - f.ee / dot(yd, yd),
    nEff, tEff, interval: [lo, hi], evaluations: opt.evaluations,
  };
}
