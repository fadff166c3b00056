import { describe, it, expect } from 'vitest';
import { kpRankStat, craggDonaldF } from '../../src/econ/iv-diagnostics.js';
import { makeRng } from '../../src/econ/rng.js';
import { encodeFactor } from '../../src/econ/fe.js';
import { crossprod, symEigen, symPower, matMul } from '../../src/econ/linalg.js';
import type { VcovRequest } from '../../src/econ/vcov.js';

// Y (n x 2) on Z (n x 3) with clustered, heteroskedastic errors; columns centred.
function sample(seed: number) {
  const rng = makeRng(seed), n = 300, G = 30;
  const g = Float64Array.from({ length: n }, (_, i) => i % G);
  const Z = [0, 1, 2].map(() => new Float64Array(n));
  const Y = [0, 1].map(() => new Float64Array(n));
  const ce = Array.from({ length: G }, () => rng.normal());
  for (let i = 0; i < n; i++) {
    for (const z of Z) z[i] = rng.normal();
    const h = 1 + Math.abs(Z[0][i]);
    Y[0][i] = 0.4 * Z[0][i] + 0.2 * Z[1][i] + h * rng.normal() + ce[g[i]];
    Y[1][i] = 0.3 * Z[2][i] - 0.1 * Z[0][i] + rng.normal() + 0.5 * ce[g[i]];
  }
  for (const c of [...Z, ...Y]) { const m = c.reduce((a, b) => a + b, 0) / n; for (let i = 0; i < n; i++) c[i] -= m; }
  return { Y, Z, cl: [encodeFactor(g)], n };
}
const lin = (cols: Float64Array[], A: number[][]) => A[0].map((_, j) => {
  const out = new Float64Array(cols[0].length);
  cols.forEach((c, i) => { for (let r = 0; r < out.length; r++) out[r] += A[i][j] * c[r]; });
  return out;
});

describe('Kleibergen-Paap rk statistic', () => {
  const { Y, Z, cl, n } = sample(4);
  const iid: VcovRequest = { type: 'iid' };
  const clus: VcovRequest = { type: 'cluster', by: ['g'], convention: 'cr0' };
  const het: VcovRequest = { type: 'hetero', convention: 'hc0' };

  it('under iid moments the LM form is the Anderson canonical-correlation LM: N x smallest squared canonical correlation', () => {
    // canonical correlations: eigenvalues of (Y'Y)^-1/2 Y'P_Z Y (Y'Y)^-1/2
    const K = 2, L = 3;
    const YY = crossprod(Y), ZZ = crossprod(Z);
    const ZY = new Float64Array(L * K);
    for (let l = 0; l < L; l++) for (let k = 0; k < K; k++) { let s = 0; for (let i = 0; i < n; i++) s += Z[l][i] * Y[k][i]; ZY[l * K + k] = s; }
    const ZZi = symPower(ZZ, L, -1);
    const YPY = matMul(matMul(Array.from({ length: K * L }, (_, i) => ZY[(i % L) * K + Math.floor(i / L)]) as unknown as Float64Array, ZZi, K, L, L), ZY, K, L, K);
    const Yh = symPower(YY, K, -0.5);
    const ev = symEigen(matMul(matMul(Yh, YPY, K, K, K), Yh, K, K, K), K).values;
    expect(kpRankStat(Y, Z, iid, [], n, true)).toBeCloseTo(n * ev[K - 1], 8);
  });

  it('under iid moments the Wald form is the Cragg-Donald minimum-eigenvalue statistic', () => {
    expect(kpRankStat(Y, Z, iid, [], n - 3, false) / 3).toBeCloseTo(craggDonaldF(Y, Z, n - 3), 8);
  });

  it('is invariant to non-singular recombinations of the endogenous variables and of the instruments', () => {
    const Ya = lin(Y, [[1, 0.5], [-0.3, 2]]);
    const Zb = lin(Z, [[1, 0.2, 0], [0.4, 1, -1], [0, 0.3, 2]]);
    for (const req of [clus, het]) for (const lm of [true, false]) {
      const a = kpRankStat(Y, Z, req, cl, n, lm), b = kpRankStat(Ya, Zb, req, cl, n, lm);
      expect(Math.abs(a / b - 1)).toBeLessThan(1e-9);
    }
  });

  it('with one endogenous regressor the Wald form is the robust Wald chi2 of the first-stage coefficients', () => {
    // Wald chi2 = pi' V^-1 pi with V = (Z'Z)^-1 sum_g Z_g'e_g e_g'Z_g (Z'Z)^-1
    const y = Y[0], L = 3;
    const ZZ = crossprod(Z), ZZi = symPower(ZZ, L, -1);
    const zy = Z.map((z) => z.reduce((s, v, i) => s + v * y[i], 0));
    const pi = Array.from({ length: L }, (_, a) => zy.reduce((s, v, b) => s + ZZi[a * L + b] * v, 0));
    const e = y.map((v, i) => v - pi.reduce((s, p, l) => s + p * Z[l][i], 0));
    const S = new Float64Array(L * 30);
    for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) S[cl[0].codes[i] * L + l] += Z[l][i] * e[i];
    const M = new Float64Array(L * L);
    for (let g = 0; g < 30; g++) for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) M[a * L + b] += S[g * L + a] * S[g * L + b];
    const V = matMul(matMul(ZZi, M, L, L, L), ZZi, L, L, L);
    const Vi = symPower(V, L, -1);
    let w = 0;
    for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) w += pi[a] * Vi[a * L + b] * pi[b];
    expect(kpRankStat([y], Z, clus, cl, n, false)).toBeCloseTo(w, 8);
  });
});

// ---- brute-force re-implementations for the robust moment covariances ----------------------
import { fitIv } from '../../src/econ/iv.js';
import { hansenJ } from '../../src/econ/iv-diagnostics.js';
import { solveSmall } from '../../src/synth/yrd26.js';

/** dense helpers on number[][] (rows), written independently of src/econ/linalg */
const tr = (A: number[][]) => A[0].map((_, j) => A.map((r) => r[j]));
const mm = (A: number[][], B: number[][]) => A.map((r) => B[0].map((_, j) => r.reduce((s, v, k) => s + v * B[k][j], 0)));
const inv = (A: number[][]) => tr(A.map((_, j) => solveSmall(A, A.map((__, i) => (i === j ? 1 : 0)))));
const quad = (b: number[], A: number[][]) => { const x = solveSmall(A, b); return b.reduce((s, v, i) => s + v * x[i], 0); };
/** sum over groups of (sum_{i in g} s_i)(sum_{i in g} s_i)' for score rows s_i */
function groupMeat(scores: number[][], group: number[]): number[][] {
  const sums = new Map<number, number[]>();
  scores.forEach((s, i) => { const a = sums.get(group[i]) ?? s.map(() => 0); s.forEach((v, j) => { a[j] += v; }); sums.set(group[i], a); });
  const m = scores[0].length, M = Array.from({ length: m }, () => new Array(m).fill(0));
  for (const a of sums.values()) for (let j = 0; j < m; j++) for (let k = 0; k < m; k++) M[j][k] += a[j] * a[k];
  return M;
}
const plus = (A: number[][], B: number[][], sign = 1) => A.map((r, i) => r.map((v, j) => v + sign * B[i][j]));

describe('Kleibergen-Paap with one endogenous regressor: heteroskedastic and two-way clustered moments (brute force)', () => {
  const { Y, Z, cl, n } = sample(11);
  const y = Y[0];
  const g2 = Float64Array.from({ length: n }, (_, i) => Math.floor(i / 7) % 9);
  const fac2 = encodeFactor(g2);
  const rowsZ = Array.from({ length: n }, (_, i) => Z.map((z) => z[i]));
  const ZZ = mm(tr(rowsZ), rowsZ);
  const pi = solveSmall(ZZ, Z.map((z) => z.reduce((s, v, i) => s + v * y[i], 0)));
  const e = Array.from(y, (v, i) => v - pi.reduce((s, p, l) => s + p * Z[l][i], 0));
  const scoresE = rowsZ.map((z, i) => z.map((v) => v * e[i]));
  const scoresY = rowsZ.map((z, i) => z.map((v) => v * y[i]));
  const g1 = Array.from(cl[0].codes), g2n = Array.from(g2), g12 = g1.map((a, i) => a * 100 + g2n[i]);
  const each = Array.from({ length: n }, (_, i) => i);
  /** Wald chi2 of pi = 0 with V = (Z'Z)^-1 M (Z'Z)^-1 */
  const wald = (M: number[][]) => { const A = inv(ZZ); return quad(pi, mm(mm(A, M), A)); };

  it('hetero: the Wald form is the HC0 Wald chi2 of the first stage; the LM form the robust score statistic (Z\'y)\' S(y)^-1 (Z\'y)', () => {
    const het: VcovRequest = { type: 'hetero', convention: 'hc0' };
    expect(kpRankStat([y], Z, het, [], n, false) / wald(groupMeat(scoresE, each)) - 1).toBeCloseTo(0, 11);
    const Zy = Z.map((z) => z.reduce((s, v, i) => s + v * y[i], 0));
    expect(kpRankStat([y], Z, het, [], n, true) / quad(Zy, groupMeat(scoresY, each)) - 1).toBeCloseTo(0, 11);
  });

  it('two-way clustering: the moment covariance is M(g1) + M(g2) - M(g1 x g2) (Cameron, Gelbach & Miller)', () => {
    const two: VcovRequest = { type: 'cluster', by: ['a', 'b'], convention: 'cr0' };
    const M = plus(plus(groupMeat(scoresE, g1), groupMeat(scoresE, g2n)), groupMeat(scoresE, g12), -1);
    expect(kpRankStat([y], Z, two, [cl[0], fac2], n, false) / wald(M) - 1).toBeCloseTo(0, 11);
    // and it differs from either one-way statistic (the test would not notice a dropped term otherwise)
    expect(Math.abs(wald(M) / wald(groupMeat(scoresE, g1)) - 1)).toBeGreaterThan(0.01);
  });
});

describe("Hansen's J: the two-step efficient GMM objective with the robust moment covariance (brute force)", () => {
  // y = 0.5 x + 0.3 w + u, x endogenous (shares v with u), three instruments, 40 clusters
  const rng = makeRng(21), n = 400, G = 40;
  const g = Array.from({ length: n }, (_, i) => i % G);
  const cols = { y: new Float64Array(n), x: new Float64Array(n), w: new Float64Array(n), z1: new Float64Array(n), z2: new Float64Array(n), z3: new Float64Array(n) };
  const ce = Array.from({ length: G }, () => rng.normal());
  for (let i = 0; i < n; i++) {
    const z1 = rng.normal(), z2 = rng.normal(), z3 = rng.normal(), w = rng.normal(), v = rng.normal();
    const u = 0.6 * v + (1 + Math.abs(z1)) * rng.normal() + ce[g[i]] + 0.6 * z3; // z3 invalid: J is large
    cols.z1[i] = z1; cols.z2[i] = z2; cols.z3[i] = z3; cols.w[i] = w;
    cols.x[i] = 0.8 * z1 + 0.5 * z2 + 0.3 * z3 + 0.2 * w + v;
    cols.y[i] = 0.5 * cols.x[i] + 0.3 * w + u;
  }
  const cf = encodeFactor(Float64Array.from(g));
  const res = fitIv({ y: cols.y, yName: 'y', endog: [cols.x], endogNames: ['x'], exog: [cols.w], exogNames: ['w'],
    instruments: [cols.z1, cols.z2, cols.z3], instrumentNames: ['z1', 'z2', 'z3'], factors: [], feNames: [], clusters: [cf] }, { vcov: { type: 'cluster', by: ['g'], convention: 'stata-xtreg' } });
  // independent re-implementation on the centred data (no FE: the estimator centres)
  const centre = (c: Float64Array) => { const m = c.reduce((s, v) => s + v, 0) / n; return Array.from(c, (v) => v - m); };
  const [yc, xc, wc, z1c, z2c, z3c] = [cols.y, cols.x, cols.w, cols.z1, cols.z2, cols.z3].map(centre);
  const Zr = Array.from({ length: n }, (_, i) => [z1c[i], z2c[i], z3c[i], wc[i]]);
  const Xr = Array.from({ length: n }, (_, i) => [xc[i], wc[i]]);
  const ZX = mm(tr(Zr), Xr), Zy = tr(Zr).map((r) => r.reduce((s, v, i) => s + v * yc[i], 0));
  const W0 = inv(mm(tr(Zr), Zr));
  const gmm = (W: number[][]) => { const A = mm(mm(tr(ZX), W), ZX); const b = mm(mm(tr(ZX), W), Zy.map((v) => [v])).map((r) => r[0]); return solveSmall(A, b); };
  const b2sls = gmm(W0);
  const u2 = yc.map((v, i) => v - b2sls[0] * xc[i] - b2sls[1] * wc[i]);
  const jOf = (S: number[][]) => {
    const b = gmm(inv(S));
    const e = yc.map((v, i) => v - b[0] * xc[i] - b[1] * wc[i]);
    return quad(tr(Zr).map((r) => r.reduce((s, v, i) => s + v * e[i], 0)), S);
  };
  const scores = Zr.map((z, i) => z.map((v) => v * u2[i]));

  it('cluster: S = sum_g (Z_g\'u_g)(Z_g\'u_g)\' from the 2SLS residuals', () => {
    expect(b2sls[0]).toBeCloseTo(res.beta[0], 12);
    const j = hansenJ(res, { type: 'cluster', by: ['g'], convention: 'stata-xtreg' }) as { stat: number; df: number };
    expect(j.df).toBe(2);
    expect(j.stat / jOf(groupMeat(scores, g)) - 1).toBeCloseTo(0, 10);
    expect(j.stat).toBeGreaterThan(3); // the invalid instrument shows
  });

  it('hetero: S = sum_i z_i z_i\' u_i^2', () => {
    const j = hansenJ(res, { type: 'hetero', convention: 'hc1' }) as { stat: number };
    expect(j.stat / jOf(groupMeat(scores, Array.from({ length: n }, (_, i) => i))) - 1).toBeCloseTo(0, 10);
  });
});
