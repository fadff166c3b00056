// Spatial weights builders (METHOD.md 2.3): zero diagonal, then standardisation.
// Kernels: plain arrays in; a dense row-major Float64Array out, or compressed rows for
// knn and cut-off inverse distance (buildWeightMatrix: memory linear in the non-zeros,
// neighbours found by a k-d tree, the same matrix as the dense builder). The node checks
// columns and names units in messages.
import { distanceMatrix } from './haversine.js';
import { symmetricEigenvalues } from './symeig.js';
import { symmetricScaling } from './similarity.js';
import { kNearest, pointIndex, pairKm, withinChord, chord2OfKm } from './neighbours.js';
import type { Csr } from './sparse.js';

export type WMethod = 'inverse-distance' | 'knn' | 'economic' | 'geo-economic';
export type Standardize = 'row' | 'none' | 'spectral';

export interface WOptions {
  method: WMethod;
  power: number;
  k: number;
  cutoffKm?: number;
  standardize: Standardize;
}

export interface Units {
  ids: string[];
  lat: Float64Array;
  lon: Float64Array;
  gdp?: Float64Array;
}

/** A problem in the inputs of a builder, with the offending unit ids. */
export class WeightsError extends Error {
  constructor(message: string, readonly ids: string[] = []) { super(message); }
}

const MSG = {
  coincident: (a: string, b: string) =>
    `units "${a}" and "${b}" have the same coordinates: an inverse distance is infinite. Merge them or fix the coordinates.`,
  equalGdp: (a: string, b: string) =>
    `units "${a}" and "${b}" have the same gdp: the economic weight 1/|gdp_i - gdp_j| is infinite.`,
  noGdp: (method: string) => `the ${method} matrix needs a gdp value for every unit.`,
  tooFewForK: (k: number, n: number) => `knn needs k < number of units (k = ${k}, units = ${n}).`,
  zeroRows: (ids: string[]) =>
    `unit(s) ${ids.join(', ')} have no neighbours (a zero row of W): every unit needs one. Rebuild W (a larger cutoffKm, knn) or drop the unit(s).`,
  notFinite: (ids: string[]) => `W has non-finite weights in the row(s) of ${ids.join(', ')}.`,
} as const;

/** Exactly one of data (dense) and sparse is set. */
export interface BuiltWeights {
  data?: Float64Array;
  sparse?: Csr;
}

/** knn and inverse distance with a cutoff come out sparse; the other methods dense. */
export function buildWeightMatrix(u: Units, o: WOptions): BuiltWeights {
  if (o.method === 'knn') return { sparse: standardizeSparse(knnSparse(u, o.k), o.standardize, u.ids) };
  if (o.method === 'inverse-distance' && o.cutoffKm !== undefined) {
    return { sparse: standardizeSparse(inverseDistanceSparse(u, o.power, o.cutoffKm), o.standardize, u.ids) };
  }
  return { data: buildWeights(u, o) };
}

function knnSparse(u: Units, k: number): Csr {
  const n = u.ids.length;
  if (!(k >= 1 && k < n)) throw new WeightsError(MSG.tooFewForK(k, n));
  const col = kNearest(pointIndex(u.lat, u.lon), k);
  const rowPtr = Int32Array.from({ length: n + 1 }, (_, i) => i * k);
  return { n, rowPtr, col, val: new Float64Array(n * k).fill(1) };
}

function inverseDistanceSparse(u: Units, power: number, cutoffKm: number): Csr {
  const n = u.ids.length;
  const ix = pointIndex(u.lat, u.lon);
  const r2 = chord2OfKm(cutoffKm);
  const rowPtr = new Int32Array(n + 1);
  const cols: number[] = [], vals: number[] = [];
  const cand: number[] = [];
  for (let i = 0; i < n; i++) {
    withinChord(ix, i, r2, cand);
    cand.sort((a, b) => a - b);
    for (const j of cand) {
      const dij = pairKm(ix, i, j);
      if (dij === 0) throw new WeightsError(MSG.coincident(u.ids[Math.min(i, j)], u.ids[Math.max(i, j)]), [u.ids[i], u.ids[j]]);
      if (dij > cutoffKm) continue;
      cols.push(j);
      vals.push(dij ** -power);
    }
    rowPtr[i + 1] = cols.length;
  }
  return { n, rowPtr, col: Int32Array.from(cols), val: Float64Array.from(vals) };
}

/** Checks a sparse W (finite, no zero row) and standardises it; same arithmetic as the dense one. */
export function standardizeSparse(w: Csr, how: Standardize, ids: string[]): Csr {
  const { n, rowPtr, val } = w;
  const bad: string[] = [], zero: string[] = [];
  const rowSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, a = 0, finite = true;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) { const v = val[p]; if (!Number.isFinite(v)) finite = false; a += Math.abs(v); s += v; }
    rowSum[i] = s;
    if (!finite) bad.push(ids[i]);
    else if (a === 0) zero.push(ids[i]);
  }
  if (bad.length > 0) throw new WeightsError(MSG.notFinite(bad), bad);
  if (zero.length > 0) throw new WeightsError(MSG.zeroRows(zero), zero);
  switch (how) {
    case 'none':
      return w;
    case 'row': {
      const out = new Float64Array(val.length);
      for (let i = 0; i < n; i++) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) out[p] = val[p] / rowSum[i];
      return { ...w, val: out };
    }
    case 'spectral': {
      const r = sparseSpectralRadius(w);
      return { ...w, val: val.map((v) => v / r) };
    }
    default: {
      const never: never = how;
      throw new Error(`unknown standardisation ${never}`);
    }
  }
}

/** Above this many units the spectral radius of a sparse W is found by power iteration. */
const SPECTRAL_DENSE_MAX = 1000;

function sparseSpectralRadius(w: Csr): number {
  const n = w.n;
  if (n <= SPECTRAL_DENSE_MAX) {
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let p = w.rowPtr[i]; p < w.rowPtr[i + 1]; p++) d[i * n + w.col[p]] = w.val[p];
    return spectralRadius(d, n);
  }
  const abs: Csr = { ...w, val: w.val.map(Math.abs) };
  return powerIteration(n, (x, y) => {
    for (let i = 0; i < n; i++) {
      let s = x[i];
      for (let p = abs.rowPtr[i]; p < abs.rowPtr[i + 1]; p++) s += abs.val[p] * x[abs.col[p]];
      y[i] = s;
    }
  });
}

export function buildWeights(u: Units, o: WOptions): Float64Array {
  const n = u.ids.length;
  if ((o.method === 'economic' || o.method === 'geo-economic') && !u.gdp) throw new WeightsError(MSG.noGdp(o.method));
  let w: Float64Array;
  switch (o.method) {
    case 'inverse-distance':
      w = inverseDistance(u, o.power, o.cutoffKm);
      break;
    case 'knn':
      w = knn(u, o.k);
      break;
    case 'economic':
      w = economic(u);
      break;
    case 'geo-economic': {
      // W_d diag(gdp_j / mean gdp): a neighbour counts more the richer it is
      w = inverseDistance(u, o.power, o.cutoffKm);
      const g = u.gdp!;
      let mean = 0;
      for (let i = 0; i < n; i++) mean += g[i] / n;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] *= g[j] / mean;
      break;
    }
    default: {
      const never: never = o.method;
      throw new Error(`unknown method ${never}`);
    }
  }
  return standardizeWeights(w, n, o.standardize, u.ids);
}

function inverseDistance(u: Units, power: number, cutoffKm?: number): Float64Array {
  const n = u.ids.length;
  const d = distanceMatrix(u.lat, u.lon);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) { d[i * n + j] = 0; continue; }
      const dij = d[i * n + j];
      if (dij === 0) throw new WeightsError(MSG.coincident(u.ids[i], u.ids[j]), [u.ids[i], u.ids[j]]);
      d[i * n + j] = cutoffKm !== undefined && dij > cutoffKm ? 0 : dij ** -power;
    }
  }
  return d;
}

// Ties in distance are broken by the units' order, so the result is deterministic.
function knn(u: Units, k: number): Float64Array {
  const n = u.ids.length;
  if (!(k >= 1 && k < n)) throw new WeightsError(MSG.tooFewForK(k, n));
  const d = distanceMatrix(u.lat, u.lon);
  const w = new Float64Array(n * n);
  const best = new Int32Array(k);
  const bestD = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    // insertion into a sorted list of the k nearest so far: O(n k), no full sort
    let m = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dj = d[i * n + j];
      if (m === k && dj >= bestD[k - 1]) continue;
      let p = m < k ? m++ : k - 1;
      while (p > 0 && bestD[p - 1] > dj) { bestD[p] = bestD[p - 1]; best[p] = best[p - 1]; p--; }
      bestD[p] = dj;
      best[p] = j;
    }
    for (let r = 0; r < k; r++) w[i * n + best[r]] = 1;
  }
  return w;
}

function economic(u: Units): Float64Array {
  const n = u.ids.length;
  const g = u.gdp!;
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const diff = Math.abs(g[i] - g[j]);
      if (diff === 0) throw new WeightsError(MSG.equalGdp(u.ids[i], u.ids[j]), [u.ids[i], u.ids[j]]);
      w[i * n + j] = 1 / diff;
    }
  }
  return w;
}

/** Checks W (finite, no zero row) and standardises it; a new array for row/spectral. */
export function standardizeWeights(w: Float64Array, n: number, how: Standardize, ids: string[]): Float64Array {
  const bad: string[] = [];
  const zero: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0, finite = true;
    for (let j = 0; j < n; j++) {
      const v = w[i * n + j];
      if (!Number.isFinite(v)) finite = false;
      s += Math.abs(v);
    }
    if (!finite) bad.push(ids[i]);
    else if (s === 0) zero.push(ids[i]);
  }
  if (bad.length > 0) throw new WeightsError(MSG.notFinite(bad), bad);
  if (zero.length > 0) throw new WeightsError(MSG.zeroRows(zero), zero);
  switch (how) {
    case 'none':
      return w;
    case 'row': {
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += w[i * n + j];
        for (let j = 0; j < n; j++) out[i * n + j] = w[i * n + j] / s;
      }
      return out;
    }
    case 'spectral': {
      const r = spectralRadius(w, n);
      return w.map((v) => v / r);
    }
    default: {
      const never: never = how;
      throw new Error(`unknown standardisation ${never}`);
    }
  }
}

/**
 * Largest |eigenvalue| of W: from the symmetric similar matrix when there is one,
 * otherwise by power iteration on W + I (for a nonnegative W the Perron root is the
 * spectral radius; the shift makes the iteration converge for periodic patterns).
 */
export function spectralRadius(w: Float64Array, n: number): number {
  const sym = symmetricScaling(w, n);
  if (sym) {
    const ev = symmetricEigenvalues(sym.m, n);
    return Math.max(Math.abs(ev[0]), Math.abs(ev[n - 1]));
  }
  return powerIteration(n, (x, y) => {
    for (let i = 0; i < n; i++) {
      let s = x[i];
      for (let j = 0; j < n; j++) s += Math.abs(w[i * n + j]) * x[j];
      y[i] = s;
    }
  });
}

/** Perron root of |W| by power iteration on |W| + I, given as y = x + |W| x. */
function powerIteration(n: number, shiftedMatVec: (x: Float64Array, y: Float64Array) => void): number {
  let x = new Float64Array(n).fill(1 / n);
  let lambda = 0;
  for (let it = 0; it < 10000; it++) {
    const y = new Float64Array(n);
    shiftedMatVec(x, y);
    let norm = 0;
    for (let i = 0; i < n; i++) norm += y[i];
    for (let i = 0; i < n; i++) y[i] /= norm;
    const next = norm - 1; // x sums to one, so the sum of (W + I) x is the eigenvalue estimate
    x = y;
    if (Math.abs(next - lambda) <= 1e-14 * Math.abs(next)) { lambda = next; break; }
    lambda = next;
  }
  return lambda;
}
