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
