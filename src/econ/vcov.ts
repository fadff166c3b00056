// The covariance code shared by every estimator (FE, IV; the registry of types and conventions
// is data in vcov-types.ts, which also lists the spatial ML types computed in econ/spatial/).
// One code path: an estimator hands over its score design X (demeaned regressors, or
// the first-stage fitted values for 2SLS), the bread (X'X)^-1, the residuals and its
// degrees-of-freedom facts; the registry entry named by the user turns them into V.
// Every small-sample choice is a named convention and is echoed in the result, so a
// user can always tell why a number differs from Stata, fixest or plm.
import type { Columns } from './linalg.js';
import { matMul } from './linalg.js';
import type { Factor } from './fe.js';
import { meat as scoreMeat } from './vcov-meat.js';
import { cr2Meat } from './vcov-cr2.js';
import { econData, econOptions } from './errors.js';
import { VCOV_TYPES, type HeteroConvention, type ClusterConvention, type VcovRequest } from './vcov-types.js';
export { VCOV_TYPES, DEFAULT_HETERO, DEFAULT_CLUSTER } from './vcov-types.js';
export type { HeteroConvention, ClusterConvention, VcovRequest } from './vcov-types.js';

/** Check a convention name against the registry; the error lists the allowed ones. */
export function checkConvention(type: 'hetero' | 'cluster', name: string): void {
  const allowed = Object.keys(VCOV_TYPES[type].conventions);
  if (!allowed.includes(name)) {
    throw econOptions(`unknown ${type} covariance convention "${name}": use one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
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

/** The sample facts a small-sample convention needs. */
export interface SampleFacts {
  N: number;
  /** K of the conventions: slope coefficients (a constant column excluded) */
  nSlopes: number;
  /** rank of the absorbed fixed effects, constant included */
  dofFE: number;
  /** absorbed dof of the FE dimensions not nested in the cluster (constant excluded) */
  nonNestedDof?: number;
  /** clusters (the smaller dimension for two-way clustering) */
  G?: number;
}

export interface SmallSample {
  /** multiplies the raw sandwich (hetero, cluster); for iid the caller's s2 does the job */
  factor: number;
  /** K used by the factor, when it has one */
  kUsed: number | null;
  /** df of t / F reference distributions */
  dfT: number;
}

/**
 * The small-sample factor and reference df of a robust request: the one place where each
 * convention's K is counted, so every statistic built on the registry (SEs, first-stage
 * F, the Kleibergen-Paap rk F, the wild bootstrap's t) uses the same K.
 */
export function smallSample(req: Exclude<VcovRequest, { type: 'iid' }>, f: SampleFacts): SmallSample {
  const { N, nSlopes, dofFE } = f;
  const dfResid = N - dofFE - nSlopes;
  if (req.type === 'hetero') {
    const conv = req.convention;
    switch (conv) {
      case 'hc0': return { factor: 1, kUsed: null, dfT: dfResid };
      case 'hc1': return { factor: N / (N - nSlopes - dofFE), kUsed: nSlopes + dofFE, dfT: dfResid };
      case 'hc1-slopes': return { factor: N / (N - nSlopes), kUsed: nSlopes, dfT: dfResid };
      default: return unreachableConv(conv);
    }
  }
  const G = f.G ?? 0;
  const conv = req.convention;
  const stata = (K: number) => ({ factor: (G / (G - 1)) * ((N - 1) / (N - K)), kUsed: K, dfT: G - 1 });
  switch (conv) {
    case 'stata-xtreg': return stata(nSlopes + 1 + (f.nonNestedDof ?? Math.max(dofFE - 1, 0)));
    case 'stata-slopes': return stata(nSlopes);
    case 'stata-areg': return stata(nSlopes + dofFE);
    case 'plm-hc1': return { factor: N / (N - nSlopes), kUsed: nSlopes, dfT: G - 1 };
    case 'cr1': return { factor: G / (G - 1), kUsed: null, dfT: G - 1 };
    case 'cr0': case 'cr2': return { factor: 1, kUsed: null, dfT: G - 1 };
    default: return unreachableConv(conv);
  }
}

/** Check a cluster request against the sample: one or two factors, at least 2 clusters each. */
export function checkClusters(req: { by: string[] }, cl: Factor[]): number {
  if (cl.length < 1 || cl.length > 2) throw econOptions('cluster covariance needs one or two cluster columns');
  const G = Math.min(...cl.map((c) => c.nLevels));
  if (G < 2) throw econData(`cluster(${req.by.join(', ')}) has ${G} cluster in the estimation sample: cluster-robust inference needs at least 2 (and is unreliable with few; consider the wild bootstrap)`);
  return G;
}

/** Compute V for a request. */
export function computeVcov(req: VcovRequest, p: VcovProblem): VcovResult {
  const N = p.resid.length;
  const k = p.X.length + (p.shift ? 1 : 0);
  const dfResid = N - p.dofFE - p.nSlopes;
  const facts = { N, nSlopes: p.nSlopes, dofFE: p.dofFE, nonNestedDof: p.nonNestedDof };
  switch (req.type) {
    case 'iid': {
      let ssr = 0;
      for (let i = 0; i < N; i++) ssr += p.resid[i] * p.resid[i];
      const s2 = ssr / dfResid;
      return { V: p.bread.map((v) => v * s2), label: 'iid', type: 'iid', convention: 'iid', factor: s2, kUsed: null, dfT: dfResid, nClusters: null };
    }
    case 'hetero': {
      checkConvention('hetero', req.convention);
      const m = designMeat(p, (X, ones) => scoreMeat('hetero', X, p.resid, [], ones));
      const ss = smallSample(req, facts);
      return { V: sandwich(p.bread, m, k, ss.factor), label: req.convention, type: 'hetero', convention: req.convention, ...ss, nClusters: null };
    }
    case 'cluster': {
      checkConvention('cluster', req.convention);
      const cl = p.clusters ?? [];
      const G = checkClusters(req, cl);
      const conv = req.convention;
      if (conv === 'cr2' && cl.length !== 1) throw econOptions('cr2 is available for one-way clustering only: use "stata-xtreg" for two-way clustering');
      const m = conv === 'cr2'
        ? cr2Meat(p.shift ? { ...p, X: explicitDesign(p.X, p.shift), shift: undefined } : p, cl[0])
        : designMeat(p, (X, ones) => scoreMeat('cluster', X, p.resid, cl, ones));
      const ss = smallSample(req, { ...facts, G });
      return { V: sandwich(p.bread, m, k, ss.factor), label: `cluster(${req.by.join(', ')})`, type: 'cluster', convention: conv, ...ss, nClusters: G };
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

export function symmetrize(M: Float64Array, k: number): void {
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

