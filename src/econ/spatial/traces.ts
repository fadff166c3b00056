// Traces of G = W (I - rho W)^-1 for the information matrices of the spatial models
// (SAR / SDM in rho, SEM in lambda, SAC in both), and the Lee-Yu (2010) sample sizes.
import type { SpatialFe } from './panel.js';
import type { WSetup } from './setup.js';

const LEE_YU_ROW = 'the Lee-Yu correction with time effects needs a row-standardised W (its unit eigenvalue is removed): use standardize "row" or leeYu false.';

/**
 * Lee-Yu (2010) transformation approach: individual effects cost one period (T' = T - 1),
 * time effects one unit and the unit eigenvalue of the row-standardised W (n' = n - 1, the
 * log-determinant loses log(1 - rho)). Without the correction n' = n, T' = T.
 */
export function leeYuSizes(n: number, T: number, fe: SpatialFe, leeYu: boolean, rowStochastic: boolean) {
  const timeFe = fe === 'time' || fe === 'twoways';
  const unitFe = fe === 'individual' || fe === 'twoways';
  if (leeYu && timeFe && !rowStochastic) throw new Error(LEE_YU_ROW);
  return { nEff: leeYu && timeFe ? n - 1 : n, tEff: leeYu && unitFe ? T - 1 : T, dropUnit: leeYu && timeFe ? 1 : 0 };
}

export interface GTraces { trG: number; trGG: number; trGtG: number; colSum: Float64Array; G: Float64Array | null }

/**
 * Traces of F'GF with F the n x (n - 1) orthonormal complement of 1, for G 1 = g 1
 * (g = 1/(1 - rho) for a row-standardised W): tr(F'GF) = tr G - g,
 * tr((F'GF)^2) = tr GG - g^2, tr(F'G'F F'GF) = tr G'G - |1'G|^2 / n.
 */
export function dropUnitEigenvalue(tr: GTraces, rho: number, n: number): GTraces {
  const g = 1 / (1 - rho);
  let cs = 0;
  for (let j = 0; j < n; j++) cs += tr.colSum[j] * tr.colSum[j];
  return { ...tr, trG: tr.trG - g, trGG: tr.trGG - g * g, trGtG: tr.trGtG - cs / n };
}

/**
 * tr(G), tr(G G), tr(G'G) and the column sums of G = W S. Away from rho = 0 they follow
 * from S alone (rho G = S - I), so no second n x n matrix is formed; near 0 (where
 * that loses digits) G = W S is formed from the sparse W and returned.
 */
export function gTraces(S: Float64Array, setup: WSetup, rho: number): GTraces {
  const n = setup.n;
  let trS = 0, trSS = 0, sumSq = 0;
  const colSum = new Float64Array(n);
  if (Math.abs(rho) > 1e-3) {
    for (let i = 0; i < n; i++) {
      trS += S[i * n + i];
      const row = S.subarray(i * n, i * n + n);
      for (let j = 0; j < n; j++) { const v = row[j]; sumSq += v * v; colSum[j] += v; }
      for (let j = 0; j < i; j++) trSS += 2 * row[j] * S[j * n + i];
      trSS += row[i] * row[i];
    }
    for (let j = 0; j < n; j++) colSum[j] = (colSum[j] - 1) / rho;
    const r2 = rho * rho;
    return {
      trG: (trS - n) / rho, trGG: (trSS - 2 * trS + n) / r2, trGtG: (sumSq - 2 * trS + n) / r2, colSum, G: null,
    };
  }
  const G = new Float64Array(n * n);
  const { rowPtr, col, val } = setup.csr;
  for (let i = 0; i < n; i++) {
    const o = G.subarray(i * n, i * n + n);
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      const src = S.subarray(col[p] * n, col[p] * n + n);
      for (let j = 0; j < n; j++) o[j] += val[p] * src[j];
    }
  }
  let trG = 0, trGG = 0, trGtG = 0;
  for (let i = 0; i < n; i++) {
    trG += G[i * n + i];
    for (let j = 0; j < n; j++) { const g = G[i * n + j]; trGG += g * G[j * n + i]; trGtG += g * g; colSum[j] += g; }
  }
  return { trG, trGG, trGtG, colSum, G };
}

