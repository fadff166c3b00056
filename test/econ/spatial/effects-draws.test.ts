// The SDM's simulated effect standard errors, replayed against a dense computation.
// The kernel maps each draw of (beta, theta, rho) to effects through four scalars of rho
// (eigenvalue sums, or a Chebyshev-differentiated log-determinant on the envelope-LU
// route); here each draw instead forms S_k = (I - rho W)^-1 (beta_k I + theta_k W) with
// ml-matrix, and direct = mean diagonal, total = mean row sum, indirect = total - direct.
// The draws are made by the test and passed to effectsFromDraws, so nothing depends on
// the kernel's RNG stream. theta != 0 for x1 and x2; x3 has no W lag (theta = 0).
// The data come from a seeded SDM on a 10-unit 3-NN W; the inverse-distance fit is
// misspecified, which does not matter: what is checked is the map from draws to SEs.
import { describe, it, expect } from 'vitest';
import { Matrix, inverse, CholeskyDecomposition } from 'ml-matrix';
import { simulateSdmPanel } from '../../../src/econ/spatial/simulate.js';
import { buildWeights } from '../../../src/econ/spatial/weights.js';
import { prepareW } from '../../../src/econ/spatial/setup.js';
import { fitSpatialPanel } from '../../../src/econ/spatial/ml.js';
import { spatialEffects, effectsFromDraws, drawEffectParameters } from '../../../src/econ/spatial/effects.js';
import { makeRng } from '../../../src/econ/rng.js';

const n = 10, T = 30, DRAWS = 1000;
const sim = simulateSdmPanel({ n, T, k: 3, rho: 0.4, beta: [1, -0.5, 0.7], theta: [0.5, 0.3, 0], sigma: 1, seed: 11 });
const xNames = ['x1', 'x2', 'x3'];
const thetaIndex = [3, 4, null];

const cases = [
  { label: '3-NN, row-standardised (envelope-LU route, interpolated log-det)', route: 'envelope-lu', method: 'knn' as const },
  { label: 'inverse distance, row-standardised (eigenvalue route)', route: 'symmetric-eigen', method: 'inverse-distance' as const },
];

// the effects of one draw s = (beta1..3, theta1, theta2, rho), by definition
function denseEffects(W: Matrix, s: number[]) {
  const S = inverse(Matrix.eye(n).sub(W.clone().mul(s[5])));
  return [0, 1, 2].map((k) => {
    const t = thetaIndex[k] === null ? 0 : s[thetaIndex[k]!];
    const M = S.mmul(Matrix.eye(n).mul(s[k]).add(W.clone().mul(t)));
    let diag = 0;
    for (let i = 0; i < n; i++) diag += M.get(i, i);
    const direct = diag / n, total = M.sum() / n;
    return [direct, total - direct, total];
  });
}

const sd = (x: number[]) => {
  const m = x.reduce((a, b) => a + b, 0) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
};

describe.each(cases)('SDM effect SEs from given draws vs dense S_k: $label', ({ route, method }) => {
  const w = method === 'knn' ? (sim.w as Float64Array) : buildWeights(sim, { method, power: 1, k: 3, standardize: 'row' });
  const setup = prepareW(w, n);
  const fit = fitSpatialPanel({ n, T, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu: false, setup });
  // (beta1..3, theta1, theta2, rho): drop sigma2 from the 7 x 7 covariance (symmetrised:
  // ml-matrix's Cholesky rejects a rounding-level asymmetry)
  const P = 6;
  const V = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) V[a * P + b] = (fit.vcov[a * 7 + b] + fit.vcov[b * 7 + a]) / 2;
  const inp = {
    setup, inverse: fit.inverse, rho: fit.rho, xNames, thetaIndex,
    beta: fit.coef.slice(0, 3), theta: Float64Array.from([fit.coef[3], fit.coef[4], 0]),
  };

  // the test's own draws from N(estimate, V)
  const L = new CholeskyDecomposition(new Matrix(Array.from({ length: P }, (_, i) => Array.from(V.subarray(i * P, i * P + P))))).lowerTriangularMatrix;
  const mean = [...fit.coef, fit.rho];
  const rng = makeRng(99);
  const draws = Array.from({ length: DRAWS }, () => {
    const z = Matrix.columnVector(Array.from({ length: P }, () => rng.normal()));
    return L.mmul(z).to1DArray().map((v, i) => v + mean[i]);
  });
  const W = new Matrix(Array.from({ length: n }, (_, i) => Array.from(setup.w!.subarray(i * n, i * n + n))));
  const dense = draws.map((s) => denseEffects(W, s));
  const eff = effectsFromDraws(inp, draws.map((s) => Float64Array.from(s)));

  it('takes the route named, with theta != 0 and every draw of rho admissible', () => {
    expect(setup.route).toBe(route);
    expect(Math.min(Math.abs(fit.coef[3]), Math.abs(fit.coef[4]))).toBeGreaterThan(0.1);
    draws.forEach((s) => { expect(s[5]).toBeGreaterThan(setup.interval[0]); expect(s[5]).toBeLessThan(setup.interval[1]); });
  });

  // measured worst relative difference 8.9e-16 (both routes, 1000 draws)
  it('standard errors equal the sd over draws of the dense direct / indirect / total effects', () => {
    (['direct', 'indirect', 'total'] as const).forEach((kind, which) => {
      [0, 1, 2].forEach((k) => {
        const ref = sd(dense.map((e) => e[k][which]));
        const got = eff[kind][k].std_error;
        expect(Math.abs(got / ref - 1)).toBeLessThan(1e-14);
      });
    });
  });

  // measured worst absolute difference 8.9e-16
  it('point estimates equal the dense S_k at the estimate', () => {
    const at = denseEffects(W, mean);
    (['direct', 'indirect', 'total'] as const).forEach((kind, which) => {
      [0, 1, 2].forEach((k) => { expect(Math.abs(eff[kind][k].estimate - at[k][which])).toBeLessThan(1e-14); });
    });
  });

  it('spatialEffects is effectsFromDraws applied to its seeded draws', () => {
    const full = spatialEffects({ ...inp, vcov: V, draws: 200, seed: 3 });
    const replay = effectsFromDraws(inp, drawEffectParameters({ ...inp, vcov: V, draws: 200, seed: 3 }).samples);
    expect(full.total).toEqual(replay.total);
    expect(full.direct).toEqual(replay.direct);
  });
});
