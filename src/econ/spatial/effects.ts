// LeSage & Pace (2009) impacts: for x_k, S_k = (I - rho W)^-1 (beta_k I + theta_k W);
// direct = mean diagonal of S_k, total = mean row sum, indirect = total - direct.
// The W x coefficient theta_k is not the spillover: the effects are.
//
// Point estimates are exact, from the dense inverse at the estimate. Standard errors
// come from `draws` draws of (beta, theta, rho) from the estimated asymptotic normal
// distribution; each draw needs only four scalars of rho (setup.ts effectScalars:
// sums over eigenvalues, or the derivative of an interpolated log-determinant), never
// a solve. drawEffectParameters makes the seeded draws; effectsFromDraws (pure) maps any
// given draws to effects and SEs, so a test can replay them against a dense S_k.
import { cholesky } from '../linalg.js';
import { pTwoSidedNormal } from '../dist.js';
import { makeRng } from '../rng.js';
import { effectScalars, type WSetup } from './setup.js';

export interface EffectRow {
  term: string;
  estimate: number;
  std_error: number;
  statistic: number;
  p_value: number;
}

export interface Effects {
  direct: EffectRow[];
  indirect: EffectRow[];
  total: EffectRow[];
  draws: number;
  seed: number;
  /** draws of rho outside the admissible interval, redrawn */
  redrawn: number;
  method: string;
}

export interface EffectsInput {
  setup: WSetup;
  /** (I - rho W)^-1 at the estimate (dense scale); null: point estimates from the scalars */
  inverse: Float64Array | null;
  rho: number;
  xNames: string[];
  beta: Float64Array;
  /** theta per x (0 where x is not lagged) */
  theta: Float64Array;
  /** which x have a theta (SDM wx); their position in the parameter vector */
  thetaIndex: (number | null)[];
  /** covariance of (beta, theta(lagged only), rho), row-major */
  vcov: Float64Array;
  draws: number;
  seed: number;
}

export function spatialEffects(inp: EffectsInput): Effects {
  const { samples, redrawn } = drawEffectParameters(inp);
  return { ...effectsFromDraws(inp, samples), draws: inp.draws, seed: inp.seed, redrawn };
}

/** Draws of (beta, theta(lagged only), rho) from N(estimate, vcov) with the seeded stream;
 * a draw of rho outside the admissible interval is redrawn. */
export function drawEffectParameters(inp: EffectsInput): { samples: Float64Array[]; redrawn: number } {
  const { setup, rho, beta, theta } = inp;
  const kx = beta.length;
  const P = Math.round(Math.sqrt(inp.vcov.length));
  const L = cholesky(inp.vcov, P);
  if (!L) throw new Error('the covariance of (beta, theta, rho) is not positive definite: effects cannot be simulated.');
  const mean = new Float64Array(P);
  for (let k = 0; k < kx; k++) mean[k] = beta[k];
  inp.thetaIndex.forEach((pos, k) => { if (pos !== null) mean[pos] = theta[k]; });
  mean[P - 1] = rho;
  const rng = makeRng(inp.seed);
  const [lo, hi] = setup.interval;
  const samples: Float64Array[] = [];
  let redrawn = 0;
  const z = new Float64Array(P);
  for (let d = 0; d < inp.draws; d++) {
    for (;;) {
      for (let i = 0; i < P; i++) z[i] = rng.normal();
      const s = new Float64Array(P);
      for (let i = 0; i < P; i++) {
        let v = mean[i];
        for (let j = 0; j <= i; j++) v += L[i * P + j] * z[j];
        s[i] = v;
      }
      if (s[P - 1] > lo && s[P - 1] < hi) { samples.push(s); break; }
      if (++redrawn > 100 * inp.draws) throw new Error('rho draws keep falling outside the admissible interval: its standard error is too large to simulate effects.');
    }
  }
  return { samples, redrawn };
}

export type EffectsAtInput = Omit<EffectsInput, 'vcov' | 'draws' | 'seed'>;

/** Point estimates, and standard errors as the sd of the effects over the given draws of
 * (beta, theta(lagged only), rho) (parameter-vector order; rho last). Pure: no RNG. */
export function effectsFromDraws(inp: EffectsAtInput, samples: Float64Array[]): Pick<Effects, 'direct' | 'indirect' | 'total' | 'method'> {
  const { setup, inverse: S, rho, beta, theta, xNames } = inp;
  const kx = beta.length;
  const point = S ? densePoint(setup, S) : null;
  let rhoLo = rho, rhoHi = rho;
  for (const s of samples) { const r = s[s.length - 1]; rhoLo = Math.min(rhoLo, r); rhoHi = Math.max(rhoHi, r); }
  const f = effectScalars(setup, rhoLo, rhoHi);
  // sparse scale: the point estimates from the same scalars, at the estimate
  const at = point ?? ((b: number, t: number) => {
    const direct = b * f.a(rho) + t * f.b(rho);
    const total = b * f.c0(rho) + t * f.c1(rho);
    return [direct, total - direct, total];
  });
  const est = xNames.map((_, k) => at(beta[k], theta[k]));
  const sims = Array.from({ length: 3 * kx }, () => new Float64Array(samples.length));
  samples.forEach((s, d) => {
    const r = s[s.length - 1];
    const a = f.a(r), b = f.b(r), c0 = f.c0(r), c1 = f.c1(r);
    for (let k = 0; k < kx; k++) {
      const bk = s[k];
      const pos = inp.thetaIndex[k];
      const tk = pos === null ? 0 : s[pos];
      const direct = bk * a + tk * b;
      const total = bk * c0 + tk * c1;
      sims[3 * k][d] = direct;
      sims[3 * k + 1][d] = total - direct;
      sims[3 * k + 2][d] = total;
    }
  });
  const row = (k: number, which: number): EffectRow => {
    const e = est[k][which];
    const se = sd(sims[3 * k + which]);
    const stat = e / se;
    return { term: xNames[k], estimate: e, std_error: se, statistic: stat, p_value: pTwoSidedNormal(stat) };
  };
  return {
    direct: xNames.map((_, k) => row(k, 0)),
    indirect: xNames.map((_, k) => row(k, 1)),
    total: xNames.map((_, k) => row(k, 2)),
    method: f.method,
  };
}

// exact scalars at the estimate, from the dense inverse
function densePoint(setup: WSetup, S: Float64Array) {
  const n = setup.n;
  let trS = 0, sumS = 0, trSW = 0, sumSW = 0;
  const rowW = new Float64Array(n);
  const { rowPtr, col, val } = setup.csr;
  for (let i = 0; i < n; i++) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) rowW[i] += val[p];
  for (let i = 0; i < n; i++) {
    trS += S[i * n + i];
    for (let j = 0; j < n; j++) { sumS += S[i * n + j]; sumSW += S[i * n + j] * rowW[j]; }
    // diag(S W)_i = sum_j S_ij W_ji
  }
  for (let j = 0; j < n; j++) for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) trSW += S[col[p] * n + j] * val[p];
  return (b: number, t: number) => {
    const direct = (b * trS + t * trSW) / n;
    const total = (b * sumS + t * sumSW) / n;
    return [direct, total - direct, total];
  };
}

function sd(x: Float64Array): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}
