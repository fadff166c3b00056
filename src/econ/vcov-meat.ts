// The meats of the covariance registry: sum_i u_i^2 x_i x_i' (heteroskedastic),
// sum_g (X_g'u_g)(X_g'u_g)' (one-way cluster) and Cameron-Gelbach-Miller two-way
// clustering. One code path for every estimator: computeVcov (vcov.ts) builds V from
// them, the IV diagnostics take their moment covariances from `meat`, and the wild
// cluster bootstrap takes its cluster score sums from `clusterScoreSums`.
import type { Columns } from './linalg.js';
import { encodeFactor, type Factor } from './fe.js';
import { econOptions } from './errors.js';

/** The robust meats by name: what a covariance request's type asks for. */
export type MeatKind = 'hetero' | 'cluster';

/**
 * The meat of the scores x_i u_i for the design X (with `ones`: X gets a constant column
 * last), heteroskedastic or clustered by one or two factors (two: M(g1) + M(g2) - M(g1 x g2)).
 */
export function meat(kind: MeatKind, X: Columns, u: Float64Array, clusters: Factor[] = [], ones = false): Float64Array {
  if (kind === 'hetero') return heteroMeat(X, u, ones);
  if (clusters.length === 1) return clusterMeat(X, u, clusters[0], ones);
  if (clusters.length === 2) {
    const inter = intersectFactors(clusters[0], clusters[1]);
    const m1 = clusterMeat(X, u, clusters[0], ones), m2 = clusterMeat(X, u, clusters[1], ones), m12 = clusterMeat(X, u, inter, ones);
    return m1.map((v, i) => v + m2[i] - m12[i]);
  }
  throw econOptions('cluster covariance needs one or two cluster columns');
}

/** sum over rows of u_i^2 x_i x_i' (x_i a row of [X] or [X, 1]) */
function heteroMeat(X: Columns, u: Float64Array, ones: boolean): Float64Array {
  const kx = X.length, k = kx + (ones ? 1 : 0), N = u.length;
  const out = new Float64Array(k * k);
  const row = new Float64Array(k);
  if (ones) row[kx] = 1;
  for (let i = 0; i < N; i++) {
    const u2 = u[i] * u[i];
    for (let a = 0; a < kx; a++) row[a] = X[a][i];
    for (let a = 0; a < k; a++) {
      const ra = row[a] * u2;
      for (let b = a; b < k; b++) out[a * k + b] += ra * row[b];
    }
  }
  fillLower(out, k);
  return out;
}

/**
 * Per-cluster score sums S[g * k + a] = sum_{i in g} x_ia u_i (with `ones`, a last column
 * of plain sums of u). Runs of one cluster (sorted data) accumulate in a register.
 */
export function clusterScoreSums(X: Columns, u: Float64Array, f: Factor, ones = false): Float64Array {
  const kx = X.length, k = kx + (ones ? 1 : 0), G = f.nLevels, N = u.length;
  const S = new Float64Array(G * k);
  const codes = f.codes;
  for (let a = 0; a < k; a++) {
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
  return S;
}

/** sum over clusters of (X_g'u_g)(X_g'u_g)' */
export function clusterMeat(X: Columns, u: Float64Array, f: Factor, ones = false): Float64Array {
  const k = X.length + (ones ? 1 : 0), G = f.nLevels;
  const S = clusterScoreSums(X, u, f, ones);
  const out = new Float64Array(k * k);
  for (let g = 0; g < G; g++) {
    const o = g * k;
    for (let a = 0; a < k; a++) {
      const sa = S[o + a];
      if (sa === 0) continue;
      for (let b = a; b < k; b++) out[a * k + b] += sa * S[o + b];
    }
  }
  fillLower(out, k);
  return out;
}

/** The factor of the cells of two factors (two-way clustering's intersection). */
export function intersectFactors(a: Factor, b: Factor): Factor {
  const keys = new Float64Array(a.codes.length);
  for (let i = 0; i < keys.length; i++) keys[i] = a.codes[i] * b.nLevels + b.codes[i];
  return encodeFactor(keys);
}

export function fillLower(M: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) M[a * k + b] = M[b * k + a];
}
