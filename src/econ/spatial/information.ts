// The observed information of the SAR / SDM panel likelihood: minus its analytical Hessian at
// the estimate, over (beta, theta, rho, sigma2). The expected information (Lee & Yu 2010;
// Elhorst 2014) replaces (Wy)~'(Wy)~ by its expectation H'H + sigma2 T' tr(G'G); Stata's ml
// (xsmle) reports the observed one, which is why its rho SEs run a few percent larger.
//
// With e = y~ - rho (Wy)~ - Z g and N' = n'T' (Lee-Yu counts, traces without the unit
// eigenvalue when it is removed), the log-likelihood
//   L = -(N'/2) log(2 pi s2) + T' log|I - rho W| - e'e / (2 s2)
// has second derivatives
//   d2L/dg dg'    = -Z'Z / s2            d2L/dg drho  = -Z'(Wy)~ / s2    d2L/dg ds2 = -Z'e / s2^2
//   d2L/drho2     = -T' tr(G G) - (Wy)~'(Wy)~ / s2                      d2L/drho ds2 = -(Wy)~'e / s2^2
//   d2L/ds2^2     =  N' / (2 s2^2) - e'e / s2^3
// (d/drho log|I - rho W| = -tr(G), d/drho tr(G) = tr(G G)). Z'e = 0 at the estimate; the
// terms are kept as computed so the matrix is the Hessian wherever it is evaluated.
import { crossprod, crossprodVec } from '../linalg.js';

export type Information = 'expected' | 'observed';

export interface ObservedInput {
  /** demeaned regressors [X, WX] */
  Z: Float64Array[];
  /** demeaned spatial lag of y */
  wy: Float64Array;
  /** residuals at the estimate */
  e: Float64Array;
  sigma2: number;
  /** likelihood sample size N' and periods T' */
  nEff: number;
  tEff: number;
  /** tr(G G) at the estimate (unit eigenvalue removed under Lee-Yu with time effects) */
  trGG: number;
}

/** (K + 2) x (K + 2), row-major, order (coefficients..., rho, sigma2). */
export function observedInformation(o: ObservedInput): Float64Array {
  const K = o.Z.length, P = K + 2, s2 = o.sigma2;
  const info = new Float64Array(P * P);
  const ZZ = crossprod(o.Z), Zwy = crossprodVec(o.Z, o.wy), Ze = crossprodVec(o.Z, o.e);
  for (let a = 0; a < K; a++) {
    for (let b = 0; b < K; b++) info[a * P + b] = ZZ[a * K + b] / s2;
    info[a * P + K] = info[K * P + a] = Zwy[a] / s2;
    info[a * P + K + 1] = info[(K + 1) * P + a] = Ze[a] / (s2 * s2);
  }
  info[K * P + K] = o.tEff * o.trGG + dot(o.wy, o.wy) / s2;
  info[K * P + K + 1] = info[(K + 1) * P + K] = dot(o.wy, o.e) / (s2 * s2);
  info[(K + 1) * P + K + 1] = dot(o.e, o.e) / (s2 * s2 * s2) - o.nEff / (2 * s2 * s2);
  return info;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
