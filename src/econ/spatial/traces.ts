// Traces of G = W (I - rho W)^-1 for the information matrix (and W_lambda for SEM):
// tr(G), tr(G G), tr(G'G); and the Lee-Yu (2010) sample sizes and unit-eigenvalue correction.
//  * dense scale: exact, from the dense inverse S (gTraces).
//  * sparse scale: tr(G) and tr(GG) from the trace moments (exact tr(W^k) for k <= 4, seeded
//    probes above; moments.ts), tr(G'G) by Hutchinson: E ||G x||^2 = tr(G'G) for Rademacher
//    x, one solve per probe, with the control variate C(x) = ||(W + rho W^2 + rho^2 W^3) x||^2
//    whose mean sum_ab rho^(a+b-2) tr((W^a)'W^b) is exact (moments.ts): only the part of G
//    beyond its first three powers is left to chance.
import { makeRng } from '../rng.js';
import { csrMatVec } from './sparse.js';
import { rademacher, seriesTrG, seriesTrGG, SE_MULTIPLE, EXACT_MOMENTS } from './moments.js';
import { inverseAt, solverAt, type WSetup, type WSolver } from './setup.js';
import type { SpatialFe } from './panel.js';

export interface WTraces {
  trG: number;
  trGG: number;
  trGtG: number;
  /** bounds on the absolute errors (0 when exact) */
  errors: { trG: number; trGG: number; trGtG: number };
  method: string;
}

/** Probes of the Hutchinson estimate of tr(G'G) (sparse scale). */
export const GTG_PROBES = 32;

export function tracesAt(setup: WSetup, rho: number, solver?: WSolver): WTraces {
  if (setup.scale === 'dense') {
    const t = gTraces(inverseAt(setup, rho), setup, rho);
    return { trG: t.trG, trGG: t.trGG, trGtG: t.trGtG, errors: { trG: 0, trGG: 0, trGtG: 0 }, method: 'exact, from (I - rho W)^-1' };
  }
  const mo = setup.moments!;
  const g = seriesTrG(mo, rho), gg = seriesTrGG(mo, rho);
  const gtg = hutchinsonGtG(setup, rho, solver ?? solverAt(setup, rho), GTG_PROBES, setup.seed + 1);
  return {
    trG: g.value, trGG: gg.value, trGtG: gtg.value,
    errors: { trG: g.error, trGG: gg.error, trGtG: gtg.error },
    method: `tr(G), tr(GG) from the series in tr(W^k) (exact k <= ${EXACT_MOMENTS}, ${mo.probes} probes above, seed ${mo.seed}); `
      + `tr(G'G) by Hutchinson with ${GTG_PROBES} Rademacher probes (seed ${setup.seed + 1}) and an exact control variate; errors ${SE_MULTIPLE} standard errors`,
  };
}

function hutchinsonGtG(setup: WSetup, rho: number, solver: WSolver, probes: number, seed: number) {
  const n = setup.n, w = setup.csr;
  const F = setup.moments!.frob;
  // E ||(W + rho W^2 + rho^2 W^3) x||^2 = sum_ab rho^(a+b-2) tr((W^a)' W^b), exact
  let control = 0;
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) control += rho ** (a + b) * F[a][b];
  const rng = makeRng(seed);
  const w1 = new Float64Array(n), w2 = new Float64Array(n), w3 = new Float64Array(n), gx = new Float64Array(n);
  const d = new Float64Array(probes);
  const xs = new Float64Array(n * probes);
  for (let r = 0; r < probes; r++) xs.set(rademacher(rng, n), r * n);
  const sx = solver.solvePeriods(xs, probes); // (I - rho W)^-1 x for every probe
  for (let r = 0; r < probes; r++) {
    const x = xs.subarray(r * n, r * n + n);
    csrMatVec(w, x, w1);
    csrMatVec(w, w1, w2);
    csrMatVec(w, w2, w3);
    csrMatVec(w, sx.subarray(r * n, r * n + n), gx);
    let s = 0;
    for (let i = 0; i < n; i++) { const c = w1[i] + rho * (w2[i] + rho * w3[i]); s += gx[i] * gx[i] - c * c; }
    d[r] = s;
  }
  let mean = 0;
  for (const v of d) mean += v / probes;
  let ss = 0;
  for (const v of d) ss += (v - mean) ** 2;
  const se = Math.sqrt(ss / (probes - 1) / probes);
  return { value: control + mean, error: SE_MULTIPLE * se };
}

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
type WithColSum = { trG: number; trGG: number; trGtG: number; colSum: Float64Array };

/**
 * Traces of F'GF with F the n x (n - 1) orthonormal complement of 1, for G 1 = g 1
 * (g = 1/(1 - rho) for a row-standardised W): tr(F'GF) = tr G - g,
 * tr((F'GF)^2) = tr GG - g^2, tr(F'G'F F'GF) = tr G'G - |1'G|^2 / n.
 */
export function dropUnitEigenvalue<Tr extends WithColSum>(tr: Tr, rho: number, n: number): Tr {
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

