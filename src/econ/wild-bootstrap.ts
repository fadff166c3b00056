// Wild cluster restricted (WCR) bootstrap for one coefficient of a linear model whose
// fixed effects are already partialled out (Cameron, Gelbach & Miller 2008; the fast
// cluster-level algebra of Roodman, MacKinnon, Nielsen & Webb 2019, "Fast and wild").
// Few clusters (the paper has 26 cities) make t(G-1) cluster inference unreliable.
import { crossprod, crossprodVec, cholesky, choleskyInverse, choleskySolve, type Columns } from './linalg.js';
import type { Factor } from './fe.js';
import { makeRng } from './rng.js';
import { clusterScoreSums } from './vcov-meat.js';
import { econData, econOptions } from './errors.js';

export interface WildInput {
  /** y and X with the fixed effects partialled out */
  y: Float64Array;
  X: Columns;
  cluster: Factor;
  /** index of the tested coefficient in X */
  term: number;
  reps: number;
  weights: 'rademacher' | 'webb';
  seed: number;
  level: number;
  /** small-sample factor of the cluster variance (cancels in the p-value; kept for the t) */
  vcovFactor?: number;
}

export interface WildResult {
  p_value: number;
  /** Monte Carlo standard error of the p-value, sqrt(p (1 - p) / reps) */
  p_mc_se: number;
  conf_low: number | null;
  conf_high: number | null;
  /**
   * Monte Carlo standard error of each bound: half the distance between the points where
   * the bootstrap p-value crosses alpha -+ sqrt(alpha (1 - alpha) / reps) (the p-value's own
   * MC error carried through the inverted test); null when a bound is unbounded
   */
  conf_low_mc_se: number | null;
  conf_high_mc_se: number | null;
  t_stat: number;
  reps: number;
  weights: string;
  seed: number;
  level: number;
  n_clusters: number;
  method: string;
}

/** Webb's (2014) six-point weights: +-sqrt(1/2), +-1, +-sqrt(3/2) with equal probability (mean 0, variance 1) */
export const WEBB_WEIGHTS: readonly number[] = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];

/** Cluster-level pieces that make each bootstrap replication O(G k). */
function setup(inp: WildInput) {
  const { X, cluster } = inp;
  const k = X.length, G = cluster.nLevels, N = inp.y.length;
  const L = cholesky(crossprod(X), k);
  if (!L) throw econData('wild bootstrap: singular design');
  const A = choleskyInverse(L, k);
  // H_g = X_g'X_g (k x k per cluster)
  const H = new Float64Array(G * k * k);
  for (let i = 0; i < N; i++) {
    const o = cluster.codes[i] * k * k;
    for (let a = 0; a < k; a++) { const xa = X[a][i]; for (let b = 0; b < k; b++) H[o + a * k + b] += xa * X[b][i]; }
  }
  return { k, G, N, L, A, H };
}

/** The reps x G cluster weights, row by row from one seeded stream (replayable: see the tests). */
export function bootstrapWeights(reps: number, G: number, kind: 'rademacher' | 'webb', seed: number): Float64Array {
  const rng = makeRng(seed);
  const v = new Float64Array(reps * G);
  for (let i = 0; i < v.length; i++) v[i] = kind === 'rademacher' ? (rng.uniform() < 0.5 ? -1 : 1) : WEBB_WEIGHTS[rng.int(6)];
  return v;
}

/** Bootstrap p-value of H0: beta_term = b0 (symmetric, |t*| >= |t|). */
function pValueAt(inp: WildInput, s: ReturnType<typeof setup>, v: Float64Array, b0: number): { p: number; t: number } {
  const { X, cluster, term: j } = inp;
  const { k, G, N, A, H } = s;
  // restricted fit: y - b0 x_j on the other columns
  const others = Array.from({ length: k }, (_, a) => a).filter((a) => a !== j);
  const yr = new Float64Array(N);
  for (let i = 0; i < N; i++) yr[i] = inp.y[i] - b0 * X[j][i];
  const Xo = others.map((a) => X[a]);
  const fitR = new Float64Array(N);
  if (Xo.length > 0) {
    const Lo = cholesky(crossprod(Xo), Xo.length);
    if (!Lo) throw econData('wild bootstrap: singular restricted design');
    const bo = choleskySolve(Lo, Xo.length, crossprodVec(Xo, yr));
    for (let a = 0; a < Xo.length; a++) for (let i = 0; i < N; i++) fitR[i] += Xo[a][i] * bo[a];
  }
  // y* = (fitR + b0 x_j) + v_g u_g, u = restricted residuals
  const base = new Float64Array(N);
  const u = new Float64Array(N);
  for (let i = 0; i < N; i++) { base[i] = fitR[i] + b0 * X[j][i]; u[i] = yr[i] - fitR[i]; }
  // the registry's cluster score sums: c_g = X_g' base_g, s_g = X_g' u_g
  const c = clusterScoreSums(X, base, cluster), sg = clusterScoreSums(X, u, cluster);
  const aj = A.subarray(j * k, j * k + k);
  // per cluster scalars: aj'c_g, aj's_g and vectors aj'H_g
  const ajc = new Float64Array(G), ajs = new Float64Array(G), ajH = new Float64Array(G * k);
  const Cs = new Float64Array(k), Ss = new Float64Array(k);
  for (let g = 0; g < G; g++) {
    let x1 = 0, x2 = 0;
    for (let a = 0; a < k; a++) { x1 += aj[a] * c[g * k + a]; x2 += aj[a] * sg[g * k + a]; Cs[a] += c[g * k + a]; }
    ajc[g] = x1; ajs[g] = x2;
    for (let b = 0; b < k; b++) { let t = 0; for (let a = 0; a < k; a++) t += aj[a] * H[g * k * k + a * k + b]; ajH[g * k + b] = t; }
  }
  const f = inp.vcovFactor ?? 1;
  // beta* = A (C + S'v); its j-th element and the cluster scores a_j'(c_g + v_g s_g - H_g beta*)
  const tOf = (vv: (g: number) => number): number => {
    for (let a = 0; a < k; a++) Ss[a] = Cs[a];
    for (let g = 0; g < G; g++) { const w = vv(g); if (w !== 0) for (let a = 0; a < k; a++) Ss[a] += w * sg[g * k + a]; }
    const beta = new Float64Array(k);
    for (let a = 0; a < k; a++) { let t = 0; for (let b = 0; b < k; b++) t += A[a * k + b] * Ss[b]; beta[a] = t; }
    let meat = 0;
    for (let g = 0; g < G; g++) {
      let sc = ajc[g] + vv(g) * ajs[g];
      for (let b = 0; b < k; b++) sc -= ajH[g * k + b] * beta[b];
      meat += sc * sc;
    }
    return (beta[j] - b0) / Math.sqrt(f * meat);
  };
  const t0 = tOf(() => 1); // v = 1 reproduces the data: the original t statistic at b0
  const at = Math.abs(t0);
  let exceed = 0;
  for (let r = 0; r < inp.reps; r++) {
    const o = r * G;
    if (Math.abs(tOf((g) => v[o + g])) >= at - 1e-12 * at) exceed++;
  }
  return { p: exceed / inp.reps, t: t0 };
}

/** WCR bootstrap p-value of beta_term = 0 and the confidence interval by test inversion. */
export function wildClusterBootstrap(inp: WildInput): WildResult {
  const G = inp.cluster.nLevels;
  // each evaluation costs reps x G x k, and the interval needs ~200 of them
  if (G * inp.reps * inp.X.length > 5e8) {
    throw econOptions(`the wild cluster bootstrap is meant for few clusters; with ${G} clusters and ${inp.reps} replications it would take too long: the cluster covariance is reliable with this many clusters (or lower reps)`);
  }
  const s = setup(inp);
  const v = bootstrapWeights(inp.reps, s.G, inp.weights, inp.seed);
  const at0 = pValueAt(inp, s, v, 0);
  // point estimate and its CR variance to bracket the interval
  const bhat = choleskySolve(s.L, s.k, crossprodVec(inp.X, inp.y))[inp.term];
  const se = Math.abs(bhat / at0.t) || 1;
  const alpha = 1 - inp.level;
  const pAt = (b: number) => pValueAt(inp, s, v, b).p;
  // the point on the dir side of bhat where the p-value falls to `a` (the interval's edge for a = alpha)
  const bound = (dir: 1 | -1, a: number): number | null => {
    let inner = bhat, step = 2 * se, outer = bhat + dir * step;
    for (let i = 0; i < 40 && pAt(outer) > a; i++) { inner = outer; step *= 2; outer = bhat + dir * step; }
    if (pAt(outer) > a) return null; // unbounded at this range
    for (let i = 0; i < 60 && Math.abs(outer - inner) > 1e-7 * se; i++) {
      const mid = 0.5 * (inner + outer);
      if (pAt(mid) > a) inner = mid; else outer = mid;
    }
    return 0.5 * (inner + outer);
  };
  const dp = Math.sqrt(alpha * (1 - alpha) / inp.reps);
  const mcSe = (dir: 1 | -1): number | null => {
    const a = bound(dir, Math.max(alpha - dp, 0.5 / inp.reps)), b = bound(dir, Math.min(alpha + dp, 1));
    return a === null || b === null ? null : Math.abs(a - b) / 2;
  };
  const lo = bound(-1, alpha), hi = bound(1, alpha);
  return {
    p_value: at0.p,
    p_mc_se: Math.sqrt(at0.p * (1 - at0.p) / inp.reps),
    conf_low: lo,
    conf_high: hi,
    conf_low_mc_se: lo === null ? null : mcSe(-1),
    conf_high_mc_se: hi === null ? null : mcSe(1),
    t_stat: at0.t,
    reps: inp.reps,
    weights: inp.weights,
    seed: inp.seed,
    level: inp.level,
    n_clusters: s.G,
    method: 'wild cluster restricted bootstrap (WCR), symmetric p-value, CI by test inversion with common draws',
  };
}
