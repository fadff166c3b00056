// Global Moran's I: of a variable per period (Moran 1950; moments under normality and
// randomisation: Cliff & Ord 1981 ch. 1-2), and of regression residuals on I_T kron W
// (Cliff & Ord 1981 sec. 8.3; Anselin 1988 sec. 8.1), with every trace from the sparse W:
// no n x n (let alone nT x nT) matrix is formed.
import { cholesky, choleskyInverse, crossprod, crossprodVec, choleskySolve } from '../linalg.js';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { demean, spatialLag, spatialLagTransposed, type SpatialFe } from './panel.js';
import type { Csr } from './sparse.js';
import { residual, dot } from './vec.js';

export type Alternative = 'greater' | 'less' | 'two.sided';

/** Sums over W: S0 = sum w, S1 = (1/2) sum (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2, tr W, tr WW, sum w^2. */
export interface WStats {
  n: number;
  S0: number; S1: number; S2: number;
  trW: number; trWW: number; sumSq: number;
  rowSum: Float64Array; colSum: Float64Array;
}

export function wStats(w: Csr): WStats {
  const { n, rowPtr, col, val } = w;
  const rowSum = new Float64Array(n), colSum = new Float64Array(n);
  let S0 = 0, trW = 0, trWW = 0, sumSq = 0;
  // w_ji by binary search in row j (columns are sorted within a row)
  const at = (j: number, i: number) => {
    let a = rowPtr[j], b = rowPtr[j + 1] - 1;
    while (a <= b) { const m = (a + b) >> 1; if (col[m] === i) return val[m]; if (col[m] < i) a = m + 1; else b = m - 1; }
    return 0;
  };
  for (let i = 0; i < n; i++) {
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const j = col[p], v = val[p];
      S0 += v; rowSum[i] += v; colSum[j] += v; sumSq += v * v;
      if (j === i) trW += v;
      trWW += v * at(j, i);
    }
  }
  let S2 = 0;
  for (let i = 0; i < n; i++) S2 += (rowSum[i] + colSum[i]) ** 2;
  return { n, S0, S1: sumSq + trWW, S2, trW, trWW, sumSq, rowSum, colSum };
}

export function pNormal(z: number, alt: Alternative): number {
  if (alt === 'greater') return normalCdf(-z, 0, 1);
  if (alt === 'less') return normalCdf(z, 0, 1);
  return 2 * normalCdf(-Math.abs(z), 0, 1);
}

export interface MoranResult {
  I: number;
  expectation: number;
  variance: number;
  z: number;
  p_value: number;
}

export interface MoranPeriod {
  I: number;
  expectation: number;
  normal: { variance: number; z: number; p_value: number };
  randomisation: { variance: number; z: number; p_value: number };
}

/** Moran's I of x (length n) with its moments under normality and randomisation. */
export function moranI(x: Float64Array, w: Csr, s: WStats, alt: Alternative): MoranPeriod {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const z = Float64Array.from(x, (v) => v - mean);
  const wz = spatialLag(w, z, 1);
  let m2 = 0, m4 = 0;
  for (let i = 0; i < n; i++) { const q = z[i] * z[i]; m2 += q; m4 += q * q; }
  if (!(m2 > 0)) throw new Error('constant');
  const I = (n / s.S0) * (dot(z, wz) / m2);
  const E = -1 / (n - 1);
  const { S0, S1, S2 } = s;
  const n2 = n * n;
  const varN = (n2 * S1 - n * S2 + 3 * S0 * S0) / ((n2 - 1) * S0 * S0) - E * E;
  const b2 = (n * m4) / (m2 * m2);
  const varR = (n * ((n2 - 3 * n + 3) * S1 - n * S2 + 3 * S0 * S0) - b2 * ((n2 - n) * S1 - 2 * n * S2 + 6 * S0 * S0))
    / ((n - 1) * (n - 2) * (n - 3) * S0 * S0) - E * E;
  const inf = (v: number) => { const zz = (I - E) / Math.sqrt(v); return { variance: v, z: zz, p_value: pNormal(zz, alt) }; };
  return { I, expectation: E, normal: inf(varN), randomisation: inf(varR) };
}

// P_D, the projection on the fixed effects' dummies, as a sum of c (A kron B) with A one
// of I_T, J_T/T and B one of I_n, J_n/n: traces of products with I_T kron U then factor.
type Kron = { c: number; a: 'I' | 'J'; b: 'I' | 'J' };
const FE_PROJECTION: Record<SpatialFe, Kron[]> = {
  none: [{ c: 1, a: 'J', b: 'J' }],
  individual: [{ c: 1, a: 'J', b: 'I' }],
  time: [{ c: 1, a: 'I', b: 'J' }],
  twoways: [{ c: 1, a: 'J', b: 'I' }, { c: 1, a: 'I', b: 'J' }, { c: -1, a: 'J', b: 'J' }],
};
const FE_RANK = (fe: SpatialFe, n: number, T: number) => (fe === 'none' ? 1 : fe === 'individual' ? n : fe === 'time' ? T : n + T - 1);

export interface ResidualMoranInput {
  n: number;
  T: number;
  y: Float64Array;
  X: Float64Array[];
  fe: SpatialFe;
  w: Csr;
  alternative: Alternative;
}

export interface ResidualMoran extends MoranResult { dfResid: number }

/**
 * Moran's I of the residuals e = M y of the regression of y on X and the FE dummies D,
 * on W_NT = I_T kron W (panel stacked by period), with U = (W + W')/2 (e'We = e'Ue):
 *   I = (N / S0_NT) e'We / e'e,  E[I] = (N / S0_NT) tr(M U_NT) / (N - p),
 *   E[I^2] = (N / S0_NT)^2 (2 tr(M U M U) + tr(M U)^2) / ((N - p)(N - p + 2))
 * (Cliff & Ord 1981 eq. 8.x; spdep's lm.morantest), N = nT, S0_NT = T S0, p = K + rank D.
 * M = I - P_D - P_X with X~ = M_D X: the P_D traces factor over the Kronecker terms,
 * the P_X ones need U X~ (K sparse products).
 */
export function residualMoran(inp: ResidualMoranInput): ResidualMoran {
  const { n, T, fe, w, alternative } = inp;
  const s = wStats(w);
  const N = n * T;
  const Xd = inp.X.map((x) => demean(x, n, T, fe));
  const yd = demean(inp.y, n, T, fe);
  const K = Xd.length;
  const L = cholesky(crossprod(Xd), K);
  if (!L) throw new Error('the demeaned regressors are collinear: drop one.');
  const e = residual(yd, Xd, choleskySolve(L, K, crossprodVec(Xd, yd)));
  const U = (v: Float64Array) => {
    const a = spatialLag(w, v, T), b = spatialLagTransposed(w, v, T);
    for (let i = 0; i < a.length; i++) a[i] = (a[i] + b[i]) / 2;
    return a;
  };
  const ee = dot(e, e);
  const S0 = T * s.S0;
  const I = (N / S0) * (dot(e, U(e)) / ee);

  // traces over W
  const trUU = (s.sumSq + s.trWW) / 2;
  let uu1 = 0;
  for (let i = 0; i < n; i++) uu1 += ((s.rowSum[i] + s.colSum[i]) / 2) ** 2;
  const trA = (a: 'I' | 'J') => (a === 'I' ? T : 1);
  const trBU = (b: 'I' | 'J') => (b === 'I' ? s.trW : s.S0 / n);
  const trBUU = (b: 'I' | 'J') => (b === 'I' ? trUU : uu1 / n);
  const trBUBU = (b1: 'I' | 'J', b2: 'I' | 'J') => (b1 === 'I' && b2 === 'I' ? trUU : b1 === 'J' && b2 === 'J' ? (s.S0 / n) ** 2 : uu1 / n);
  const D = FE_PROJECTION[fe];
  let trPdU = 0, trPdUU = 0, trPdUPdU = 0;
  for (const k of D) {
    trPdU += k.c * trA(k.a) * trBU(k.b);
    trPdUU += k.c * trA(k.a) * trBUU(k.b);
    for (const l of D) trPdUPdU += k.c * l.c * trA(k.a === 'I' && l.a === 'I' ? 'I' : 'J') * trBUBU(k.b, l.b);
  }
  const A = choleskyInverse(L, K);
  const V = Xd.map(U);
  const C = crossprod(Xd.concat(V)); // [X'X, X'V; V'X, V'V] of size 2K
  const K2 = 2 * K;
  const XV = new Float64Array(K * K), VV = new Float64Array(K * K), VDV = new Float64Array(K * K);
  const MdV = V.map((v) => demean(v, n, T, fe));
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
    XV[a * K + b] = C[a * K2 + K + b];
    VV[a * K + b] = C[(K + a) * K2 + K + b];
    VDV[a * K + b] = VV[a * K + b] - dot(V[a], MdV[b]);
  }
  const trProd = (M1: Float64Array, M2: Float64Array) => { let t = 0; for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) t += M1[a * K + b] * M2[b * K + a]; return t; };
  const AC = mul(A, XV, K);
  const trPxU = trace(AC, K), trPxUPxU = trProd(AC, AC), trPxUU = trProd(A, VV), trPdUPxU = trProd(A, VDV);
  const trMU = T * s.trW - (trPdU + trPxU);
  const trMUMU = T * trUU - 2 * (trPdUU + trPxUU) + (trPdUPdU + 2 * trPdUPxU + trPxUPxU);
  const df = N - FE_RANK(fe, n, T) - K;
  const c = N / S0;
  const E = (c * trMU) / df;
  const variance = (c * c * (2 * trMUMU + trMU * trMU)) / (df * (df + 2)) - E * E;
  const z = (I - E) / Math.sqrt(variance);
  return { I, expectation: E, variance, z, p_value: pNormal(z, alternative), dfResid: df };
}

function mul(A: Float64Array, B: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) { let s = 0; for (let l = 0; l < k; l++) s += A[i * k + l] * B[l * k + j]; out[i * k + j] = s; }
  return out;
}

function trace(A: Float64Array, k: number): number {
  let t = 0;
  for (let i = 0; i < k; i++) t += A[i * k + i];
  return t;
}
