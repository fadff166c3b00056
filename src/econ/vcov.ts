// The covariance registry shared by every linear estimator (FE, IV; SDM later).
// One code path: an estimator hands over its score design X (demeaned regressors, or
// the first-stage fitted values for 2SLS), the bread (X'X)^-1, the residuals and its
// degrees-of-freedom facts; the registry entry named by the user turns them into V.
// Every small-sample choice is a named convention and is echoed in the result, so a
// user can always tell why a number differs from Stata, fixest or plm.
import type { Columns } from './linalg.js';
import { matMul, symPower } from './linalg.js';
import { encodeFactor, type Factor } from './fe.js';
import { FlowError, dataError } from '../errors.js';

export type HeteroConvention = 'hc1' | 'hc0' | 'hc1-slopes';
export type ClusterConvention = 'stata-xtreg' | 'stata-slopes' | 'stata-areg' | 'cr0' | 'cr1' | 'plm-hc1' | 'cr2';

export type VcovRequest =
  | { type: 'iid' }
  | { type: 'hetero'; convention: HeteroConvention }
  | { type: 'cluster'; by: string[]; convention: ClusterConvention };

/**
 * The registry: each covariance type, its conventions and what each one does. N rows,
 * k slopes, dofFE = rank of the absorbed fixed effects (constant included), G clusters.
 */
export const VCOV_TYPES = {
  iid: {
    description: 's2 (X\'X)^-1, s2 = SSR / (N - dofFE - k) (plm, xtreg, fixest "iid"); t(N - dofFE - k)',
    conventions: {} as Record<string, string>,
  },
  hetero: {
    description: 'White sandwich; t(N - dofFE - k)',
    conventions: {
      hc1: 'HC0 x N / (N - k - dofFE): Stata areg / reghdfe vce(robust), fixest "hetero" (default)',
      hc0: 'HC0, no small-sample factor',
      'hc1-slopes': 'HC0 x N / (N - k), k = slopes only: plm vcovHC(method = "white1", type = "HC1")',
    } as Record<HeteroConvention, string>,
  },
  cluster: {
    description: 'cluster-robust (one- or two-way, Cameron-Gelbach-Miller); t(G - 1)',
    conventions: {
      'stata-xtreg': 'G/(G-1) x (N-1)/(N-K), K = slopes + constant + FE dof not nested in the cluster: Stata xtreg, fe vce(cluster); fixest default (default)',
      'stata-slopes': 'G/(G-1) x (N-1)/(N-K), K = slopes only: plm "sss", clubSandwich CR1S',
      'stata-areg': 'G/(G-1) x (N-1)/(N-K), K = slopes + all absorbed FE dof: areg / lm with dummies',
      cr0: 'no small-sample factor (plm "HC0" Arellano)',
      cr1: 'G/(G-1) only (clubSandwich CR1)',
      'plm-hc1': 'N/(N-K), K = slopes: plm vcovHC(method = "arellano", type = "HC1")',
      cr2: 'Bell-McCaffrey bias-reduced linearisation (clubSandwich CR2); small N only',
    } as Record<ClusterConvention, string>,
  },
} as const;

export const DEFAULT_HETERO: HeteroConvention = 'hc1';
export const DEFAULT_CLUSTER: ClusterConvention = 'stata-xtreg';

/** Check a convention name against the registry; the error lists the allowed ones. */
export function checkConvention(type: 'hetero' | 'cluster', name: string): void {
  const allowed = Object.keys(VCOV_TYPES[type].conventions);
  if (!allowed.includes(name)) {
    throw new FlowError('validate', `unknown ${type} covariance convention "${name}": use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
}

export interface VcovProblem {
  /** score design: one column per coefficient (may include a constant column) */
  X: Columns;
  /** (X'X)^-1 for OLS, (Xhat'Xhat)^-1 for 2SLS; k x k row-major */
  bread: Float64Array;
  resid: Float64Array;
  /** number of slope coefficients (K of the conventions; the constant column excluded) */
  nSlopes: number;
  /** rank of the absorbed fixed effects, constant included (1 with no FE and a constant) */
  dofFE: number;
  /** cluster factors (one, or two for two-way clustering) */
  clusters?: Factor[];
  /** absorbed dof of the FE dimensions not nested in the cluster (constant excluded) */
  nonNestedDof?: number;
  /**
   * When given, the score design is [X[0] + shift[0], ..., X[k-1] + shift[k-1], 1] (a
   * regression on demeaned data with the constant put back, see augmentWithConstant),
   * kept implicit: bread is then (k + 1) square.
   */
  shift?: Float64Array;
  /** for CR2: the slope design demeaned, its (X'X)^-1, and the FE residual maker */
  hat?: { X: Columns; bread: Float64Array; projectFE: (v: Float64Array) => Float64Array };
}

export interface VcovResult {
  V: Float64Array;
  /** "iid" | "hc1" | "cluster(firm)" */
  label: string;
  type: VcovRequest['type'];
  convention: string;
  /** multiplicative small-sample factor applied to the raw sandwich (or s2 for iid) */
  factor: number;
  /** K used by the factor, when it has one */
  kUsed: number | null;
  /** degrees of freedom of t / F reference distributions */
  dfT: number;
  nClusters: number | null;
}

/** Compute V for a request. */
export function computeVcov(req: VcovRequest, p: VcovProblem): VcovResult {
  const N = p.resid.length;
  const k = p.X.length + (p.shift ? 1 : 0);
  const dfResid = N - p.dofFE - p.nSlopes;
  switch (req.type) {
    case 'iid': {
      let ssr = 0;
      for (let i = 0; i < N; i++) ssr += p.resid[i] * p.resid[i];
      const s2 = ssr / dfResid;
      return { V: p.bread.map((v) => v * s2), label: 'iid', type: 'iid', convention: 'iid', factor: s2, kUsed: null, dfT: dfResid, nClusters: null };
    }
    case 'hetero': {
      checkConvention('hetero', req.convention);
      const meat = designMeat(p, (X, ones) => heteroMeat(X, p.resid, ones));
      const conv = req.convention;
      const factor = conv === 'hc0' ? 1 : conv === 'hc1' ? N / (N - p.nSlopes - p.dofFE) : N / (N - p.nSlopes);
      const V = sandwich(p.bread, meat, k, factor);
      return { V, label: conv, type: 'hetero', convention: conv, factor, kUsed: conv === 'hc0' ? null : conv === 'hc1' ? p.nSlopes + p.dofFE : p.nSlopes, dfT: dfResid, nClusters: null };
    }
    case 'cluster': {
      checkConvention('cluster', req.convention);
      const cl = p.clusters ?? [];
      if (cl.length < 1 || cl.length > 2) throw new FlowError('validate', 'cluster covariance needs one or two cluster columns');
      const conv = req.convention;
      const G0 = Math.min(...cl.map((c) => c.nLevels));
      if (G0 < 2) throw dataError(`cluster(${req.by.join(', ')}) has ${G0} cluster in the estimation sample: cluster-robust inference needs at least 2 (and is unreliable with few; consider the wild bootstrap)`);
      let meat: Float64Array;
      if (conv === 'cr2') {
        if (cl.length !== 1) throw new FlowError('validate', 'cr2 is available for one-way clustering only: use "stata-xtreg" for two-way clustering');
        meat = cr2Meat(p.shift ? { ...p, X: explicitDesign(p.X, p.shift), shift: undefined } : p, cl[0]);
      } else if (cl.length === 1) {
        meat = designMeat(p, (X, ones) => clusterMeat(X, p.resid, cl[0], ones));
      } else {
        // Cameron-Gelbach-Miller: M(g1) + M(g2) - M(g1 x g2)
        const inter = intersect(cl[0], cl[1]);
        meat = designMeat(p, (X, ones) => {
          const m1 = clusterMeat(X, p.resid, cl[0], ones), m2 = clusterMeat(X, p.resid, cl[1], ones), m12 = clusterMeat(X, p.resid, inter, ones);
          return m1.map((v, i) => v + m2[i] - m12[i]);
        });
      }
      const G = Math.min(...cl.map((c) => c.nLevels));
      let K: number | null = null;
      let factor = 1;
      switch (conv) {
        case 'stata-xtreg': K = p.nSlopes + 1 + (p.nonNestedDof ?? Math.max(p.dofFE - 1, 0)); break;
        case 'stata-slopes': K = p.nSlopes; break;
        case 'stata-areg': K = p.nSlopes + p.dofFE; break;
        case 'plm-hc1': K = p.nSlopes; break;
        case 'cr0': case 'cr1': case 'cr2': break;
        default: return unreachableConv(conv);
      }
      if (conv === 'stata-xtreg' || conv === 'stata-slopes' || conv === 'stata-areg') factor = (G / (G - 1)) * ((N - 1) / (N - (K as number)));
      else if (conv === 'cr1') factor = G / (G - 1);
      else if (conv === 'plm-hc1') factor = N / (N - (K as number));
      const V = sandwich(p.bread, meat, k, factor);
      const label = `cluster(${req.by.join(', ')})`;
      return { V, label, type: 'cluster', convention: conv, factor, kUsed: K, dfT: G - 1, nClusters: G };
    }
  }
}

function unreachableConv(x: never): never {
  throw new Error(`unreachable convention ${String(x)}`);
}

/** bread meat bread x factor */
export function sandwich(bread: Float64Array, meat: Float64Array, k: number, factor: number): Float64Array {
  const V = matMul(matMul(bread, meat, k, k, k), bread, k, k, k);
  for (let i = 0; i < V.length; i++) V[i] *= factor;
  symmetrize(V, k);
  return V;
}

function symmetrize(M: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) {
    const v = 0.5 * (M[a * k + b] + M[b * k + a]);
    M[a * k + b] = v; M[b * k + a] = v;
  }
}

/**
 * The meat of the score design. With a shift, the design is W = [X + shift, 1] = Z T'
 * (Z = [X, 1], T = [[I, shift], [0, 1]]), and every meat here is a sum of outer products
 * of linear functions of the rows, so meat(W) = T meat(Z) T': no N-row copies of W.
 */
function designMeat(p: VcovProblem, meatOf: (X: Columns, ones: boolean) => Float64Array): Float64Array {
  if (!p.shift) return meatOf(p.X, false);
  const M = meatOf(p.X, true), s = p.shift, k = s.length, k1 = k + 1;
  const out = new Float64Array(k1 * k1);
  for (let a = 0; a < k1; a++) for (let b = 0; b < k1; b++) {
    const sa = a < k ? s[a] : 0, sb = b < k ? s[b] : 0;
    out[a * k1 + b] = M[a * k1 + b] + sa * M[k * k1 + b] + sb * M[a * k1 + k] + sa * sb * M[k * k1 + k];
  }
  return out;
}

/** W = [X + shift, 1] as columns (for the small-N CR2 path). */
function explicitDesign(X: Columns, shift: Float64Array): Columns {
  const W = X.map((c, a) => { const o = new Float64Array(c.length); for (let i = 0; i < c.length; i++) o[i] = c[i] + shift[a]; return o; });
  W.push(new Float64Array(X[0]?.length ?? 0).fill(1));
  return W;
}

/** sum over rows of u_i^2 x_i x_i' (x_i a row of [X] or [X, 1]) */
function heteroMeat(X: Columns, u: Float64Array, ones: boolean): Float64Array {
  const kx = X.length, k = kx + (ones ? 1 : 0), N = u.length;
  const meat = new Float64Array(k * k);
  const row = new Float64Array(k);
  if (ones) row[kx] = 1;
  for (let i = 0; i < N; i++) {
    const u2 = u[i] * u[i];
    for (let a = 0; a < kx; a++) row[a] = X[a][i];
    for (let a = 0; a < k; a++) {
      const ra = row[a] * u2;
      for (let b = a; b < k; b++) meat[a * k + b] += ra * row[b];
    }
  }
  fillLower(meat, k);
  return meat;
}

/** sum over clusters of (X_g'u_g)(X_g'u_g)' (with `ones`, X gets a constant column last) */
export function clusterMeat(X: Columns, u: Float64Array, f: Factor, ones = false): Float64Array {
  const kx = X.length, k = kx + (ones ? 1 : 0), G = f.nLevels, N = u.length;
  const S = new Float64Array(G * k);
  const codes = f.codes;
  for (let a = 0; a < k; a++) {
    // runs of one cluster (sorted data) accumulate in a register, see groupSums in fe.ts
    const xa = a < kx ? X[a] : null;
    let g = N > 0 ? codes[0] : 0, acc = 0;
    if (xa) {
      for (let i = 0; i < N; i++) {
        const c = codes[i];
        if (c !== g) { S[g * k + a] += acc; acc = 0; g = c; }
        acc += xa[i] * u[i];
      }
    } else {
      for (let i = 0; i < N; i++) {
        const c = codes[i];
        if (c !== g) { S[g * k + a] += acc; acc = 0; g = c; }
        acc += u[i];
      }
    }
    if (N > 0) S[g * k + a] += acc;
  }
  const meat = new Float64Array(k * k);
  for (let g = 0; g < G; g++) {
    const o = g * k;
    for (let a = 0; a < k; a++) {
      const sa = S[o + a];
      if (sa === 0) continue;
      for (let b = a; b < k; b++) meat[a * k + b] += sa * S[o + b];
    }
  }
  fillLower(meat, k);
  return meat;
}

function fillLower(M: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) M[a * k + b] = M[b * k + a];
}

function intersect(a: Factor, b: Factor): Factor {
  const keys = new Float64Array(a.codes.length);
  for (let i = 0; i < keys.length; i++) keys[i] = a.codes[i] * b.nLevels + b.codes[i];
  return encodeFactor(keys);
}

const CR2_MAX_ROWS = 20_000;

/**
 * CR2 (Bell & McCaffrey 2002; Pustejovsky & Tipton 2018): adjust each cluster's
 * residuals by (I - H_gg)^(-1/2), H the hat matrix of the full design (slopes and
 * fixed-effect dummies: H = H_Xdemeaned + H_FE), a Moore-Penrose power where I - H_gg
 * is singular (absorbed effects nested in the cluster), as clubSandwich does.
 */
function cr2Meat(p: VcovProblem, f: Factor): Float64Array {
  const N = p.resid.length;
  if (!p.hat) throw new FlowError('validate', 'cr2 is available for the fe estimator only: use "stata-xtreg" or "cr1"');
  if (N > CR2_MAX_ROWS) throw new FlowError('validate', `cr2 needs an n_g x n_g matrix per cluster and the FE hat matrix: limited to ${CR2_MAX_ROWS} rows; use "stata-xtreg" here`);
  const { X: Xh, bread: Bh, projectFE } = p.hat;
  const kh = Xh.length, k = p.X.length;
  const rowsOf: number[][] = Array.from({ length: f.nLevels }, () => []);
  for (let i = 0; i < N; i++) rowsOf[f.codes[i]].push(i);
  const meat = new Float64Array(k * k);
  const unit = new Float64Array(N);
  for (const rows of rowsOf) {
    const m = rows.length;
    const IH = new Float64Array(m * m);
    // FE part of the hat matrix, column by column: H_FE e_i = e_i - within(e_i)
    for (let b = 0; b < m; b++) {
      unit[rows[b]] = 1;
      const w = projectFE(unit);
      unit[rows[b]] = 0;
      for (let a = 0; a < m; a++) IH[a * m + b] = w[rows[a]]; // (I - H_FE) e_b = within(e_b)
    }
    // minus the slopes' hat block X_g (X'X)^-1 X_g'
    for (let a = 0; a < m; a++) {
      for (let b = 0; b < m; b++) {
        let s = 0;
        for (let r = 0; r < kh; r++) {
          let t = 0;
          for (let c = 0; c < kh; c++) t += Bh[r * kh + c] * Xh[c][rows[b]];
          s += Xh[r][rows[a]] * t;
        }
        IH[a * m + b] -= s;
      }
    }
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      const v = 0.5 * (IH[a * m + b] + IH[b * m + a]); IH[a * m + b] = v; IH[b * m + a] = v;
    }
    const A = symPower(IH, m, -0.5, 1e-10);
    // adjusted residuals A u_g, then s_g = X_g' A u_g
    const au = new Float64Array(m);
    for (let a = 0; a < m; a++) { let s = 0; for (let b = 0; b < m; b++) s += A[a * m + b] * p.resid[rows[b]]; au[a] = s; }
    const sg = new Float64Array(k);
    for (let c = 0; c < k; c++) { let s = 0; for (let a = 0; a < m; a++) s += p.X[c][rows[a]] * au[a]; sg[c] = s; }
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) meat[a * k + b] += sg[a] * sg[b];
  }
  return meat;
}
