// The generator's shared context: the seeded stream every stage draws from (in a fixed
// order: the stages must run in sequence), the panel's shape, and the panel helpers the
// DGP is built with (two-way FE fits over the 2006-2020 sample, city trends).
import { makeRng } from '../econ/rng.js';
import { YRD26, type CityFact } from './cities.js';
import { YEARS, SAMPLE_FIRST, W_POWER } from './params.js';

export interface Ctx {
  cities: readonly CityFact[];
  n: number; T: number; N: number;
  row(i: number, k: number): number;
  yr(k: number): number;
  nrm(sd: number): number;
  unif(a: number, b: number): number;
  inSample(k: number): boolean;
  isAnhui(i: number): boolean;
  panel(f: (i: number, k: number) => number): Float64Array;
  /** two-way FE fit over the 2006-2020 sample, applied to every year */
  fefit(x: Float64Array): Float64Array;
  within(x: Float64Array): Float64Array;
  meanSample(x: Float64Array): number;
}

export function makeContext(seed: number): Ctx {
  const rng = makeRng(seed);
  const cities = YRD26;
  const n = cities.length, T = YEARS.length, N = n * T;
  const row = (i: number, k: number) => i * T + k;
  const yr = (k: number) => YEARS[k];
  const inSample = (k: number) => yr(k) >= SAMPLE_FIRST;
  const fefit = (x: Float64Array): Float64Array => {
    const ci = new Float64Array(n), ct = new Float64Array(T);
    let g = 0;
    const Ts = YEARS.filter((t) => t >= SAMPLE_FIRST).length;
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) {
      ct[k] += x[row(i, k)] / n;
      if (inSample(k)) { ci[i] += x[row(i, k)] / Ts; g += x[row(i, k)] / (n * Ts); }
    }
    const out = new Float64Array(N);
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) out[row(i, k)] = ci[i] + ct[k] - g;
    return out;
  };
  const meanSample = (x: Float64Array): number => { let a = 0, m = 0; for (let r = 0; r < N; r++) if (inSample(r % T)) { a += x[r]; m++; } return a / m; };
  const within = (x: Float64Array): Float64Array => { const f = fefit(x); return x.map((v, r) => v - f[r]); };
  const panel = (f: (i: number, k: number) => number): Float64Array => {
    const out = new Float64Array(N);
    for (let i = 0; i < n; i++) for (let k = 0; k < T; k++) out[row(i, k)] = f(i, k);
    return out;
  };
  return {
    cities, n, T, N, row, yr, inSample, panel, fefit, within, meanSample,
    nrm: (sd) => sd * rng.normal(),
    unif: (a, b) => a + (b - a) * rng.uniform(),
    isAnhui: (i) => cities[i].province === 'Anhui',
  };
}

/** Shortest decimal of x rounded to `sig` significant digits: exact and platform-independent. */
export function fmt(x: number, sig = 8): string {
  if (!Number.isFinite(x)) throw new Error(`synth: non-finite value ${x}`);
  return String(Number(x.toPrecision(sig)));
}

function haversineKm(a: CityFact, b: CityFact): number {
  const r = Math.PI / 180;
  const dlat = (b.lat - a.lat) * r, dlon = (b.lon - a.lon) * r;
  const h = Math.sin(dlat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dlon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/**
 * Row-standardised inverse-distance weights 1/d^power (w-matrix's inverse-distance).
 * The DGP uses power 2: with power 1 the 26 cities' weights are nearly uniform, and with
 * two-way FE a near-uniform W leaves rho almost unidentified.
 */
export function inverseDistanceW(cities: readonly CityFact[], power = W_POWER): Float64Array {
  const n = cities.length;
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) if (i !== j) { W[i * n + j] = haversineKm(cities[i], cities[j]) ** -power; s += W[i * n + j]; }
    for (let j = 0; j < n; j++) W[i * n + j] /= s;
  }
  return W;
}

/** (I - rho W)^-1 by Gauss-Jordan (n = 26). */
export function spatialInverse(W: Float64Array, n: number, rho: number): Float64Array {
  const A = new Float64Array(n * n), B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { A[i * n + j] = (i === j ? 1 : 0) - rho * W[i * n + j]; B[i * n + j] = i === j ? 1 : 0; }
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(A[r * n + c]) > Math.abs(A[p * n + c])) p = r;
    for (let k = 0; k < n; k++) {
      [A[c * n + k], A[p * n + k]] = [A[p * n + k], A[c * n + k]];
      [B[c * n + k], B[p * n + k]] = [B[p * n + k], B[c * n + k]];
    }
    const d = A[c * n + c];
    for (let k = 0; k < n; k++) { A[c * n + k] /= d; B[c * n + k] /= d; }
    for (let r = 0; r < n; r++) if (r !== c) {
      const f = A[r * n + c];
      if (f !== 0) for (let k = 0; k < n; k++) { A[r * n + k] -= f * A[c * n + k]; B[r * n + k] -= f * B[c * n + k]; }
    }
  }
  return B;
}



/** Solves A x = b for a small dense system (Gauss-Jordan with partial pivoting). */
export function solveSmall(A: number[][], b: number[]): number[] {
  const k = b.length, M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = 0; r < k; r++) if (r !== c) { const f = M[r][c] / M[c][c]; for (let j = c; j <= k; j++) M[r][j] -= f * M[c][j]; }
  }
  return M.map((r, i) => r[k] / r[i]);
}
