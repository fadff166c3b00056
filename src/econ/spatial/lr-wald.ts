// LR and Wald tests of the spatial Durbin model against its restrictions
// (LeSage & Pace 2009 sec. 6.2; Elhorst 2014 sec. 3.5; Burridge 1981 for the common factor):
//   SAR:  theta = 0                (W x drops out),
//   SEM:  theta + rho beta = 0     (the common-factor restriction: (I - rho W)(y - X beta) = e).
// LR = 2 (logL_SDM - logL_restricted), chi2 with k = #theta degrees of freedom.
// Wald with the SDM's full information-matrix covariance V of (beta, theta, rho):
//   SAR: theta' V_tt^-1 theta;  SEM: g' (R V R')^-1 g, g = theta + rho beta,
//   R = dg/d(beta, theta, rho) = [rho I, I, beta] (delta method).
import { cholesky, choleskySolve } from '../linalg.js';
import { pUpperChisq } from '../dist.js';

export interface SdmForTests {
  /** beta (k) then theta (k), same regressors in the same order */
  coef: Float64Array;
  rho: number;
  /** covariance of (coef..., rho, sigma2), (2k + 2)^2 row-major */
  vcov: Float64Array;
  loglik: number;
}

export interface LrWaldRow {
  test: string;
  restriction: string;
  statistic: number;
  df: number;
  p_value: number;
}

function quadForm(V: Float64Array, g: Float64Array, k: number): number {
  const L = cholesky(V, k);
  if (!L) throw new Error('the covariance of the restrictions is not positive definite');
  const x = choleskySolve(L, k, g);
  let s = 0;
  for (let i = 0; i < k; i++) s += g[i] * x[i];
  return s;
}

export function lrWaldTests(sdm: SdmForTests, loglikSar: number, loglikSem: number): LrWaldRow[] {
  const k = sdm.coef.length / 2;
  const P = 2 * k + 2;
  const beta = sdm.coef.subarray(0, k), theta = sdm.coef.subarray(k, 2 * k), rho = sdm.rho;
  const Vt = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) Vt[a * k + b] = sdm.vcov[(k + a) * P + k + b];
  const waldSar = quadForm(Vt, Float64Array.from(theta), k);
  // R V R' over (beta, theta, rho): row a of R has rho at beta_a, 1 at theta_a, beta_a at rho
  const idx = (a: number) => [[a, rho], [k + a, 1], [2 * k, beta[a]]] as const;
  const RVR = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (const [i, ri] of idx(a)) for (const [j, rj] of idx(b)) s += ri * rj * sdm.vcov[i * P + j];
      RVR[a * k + b] = s;
    }
  }
  const g = Float64Array.from(theta, (t, a) => t + rho * beta[a]);
  const waldSem = quadForm(RVR, g, k);
  const row = (test: string, restriction: string, statistic: number): LrWaldRow =>
    ({ test, restriction, statistic, df: k, p_value: pUpperChisq(statistic, k) });
  return [
    row('LR SDM vs SAR', 'theta = 0', 2 * (sdm.loglik - loglikSar)),
    row('Wald SDM vs SAR', 'theta = 0', waldSar),
    row('LR SDM vs SEM', 'theta + rho beta = 0', 2 * (sdm.loglik - loglikSem)),
    row('Wald SDM vs SEM', 'theta + rho beta = 0', waldSem),
  ];
}
