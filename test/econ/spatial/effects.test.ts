// LeSage-Pace effects against their definition, S_k = (I - rho W)^-1 (beta_k I + theta_k W):
// direct = mean diagonal, total = mean row sum, computed densely with ml-matrix.
import { describe, it, expect } from 'vitest';
import { Matrix, inverse } from 'ml-matrix';
import { buildWeights } from '../../../src/econ/spatial/weights.js';
import { prepareW, inverseAt } from '../../../src/econ/spatial/setup.js';
import { spatialEffects } from '../../../src/econ/spatial/effects.js';
import { makeRng } from '../../../src/econ/rng.js';

const n = 25;
const rng = makeRng(5);
const units = {
  ids: Array.from({ length: n }, (_, i) => `c${i}`),
  lat: Float64Array.from({ length: n }, () => 29 + 4 * rng.uniform()),
  lon: Float64Array.from({ length: n }, () => 117 + 5 * rng.uniform()),
};

function byDefinition(w: Float64Array, rho: number, beta: number, theta: number) {
  const W = new Matrix(Array.from({ length: n }, (_, i) => Array.from(w.subarray(i * n, i * n + n))));
  const S = inverse(Matrix.eye(n).sub(W.clone().mul(rho))).mmul(Matrix.eye(n).mul(beta).add(W.clone().mul(theta)));
  let diag = 0, sum = 0;
  for (let i = 0; i < n; i++) { diag += S.get(i, i); for (let j = 0; j < n; j++) sum += S.get(i, j); }
  return { direct: diag / n, total: sum / n };
}

const cases = [
  { label: 'kNN, row-standardised (envelope-LU route)', method: 'knn' as const, standardize: 'row' as const },
  { label: 'inverse distance, spectral (eigenvalue route, rows do not sum to one)', method: 'inverse-distance' as const, standardize: 'spectral' as const },
];

describe.each(cases)('spatialEffects: $label', ({ method, standardize }) => {
  const w = buildWeights(units, { method, power: 1, k: 4, standardize });
  const setup = prepareW(w, n);
  const rho = 0.35;
  const beta = Float64Array.from([0.8, -0.2]);
  const theta = Float64Array.from([0.3, 0]);
  const V = new Float64Array(16);
  [0.01, 0.01, 0.02, 0.003].forEach((v, i) => { V[i * 4 + i] = v; });
  V[0 * 4 + 2] = V[2 * 4 + 0] = -0.004;
  const run = (seed: number) => spatialEffects({ setup, inverse: inverseAt(setup, rho), rho, xNames: ['x1', 'x2'], beta, theta, thetaIndex: [2, null], vcov: V, draws: 400, seed });

  it('point estimates equal the mean diagonal / mean row sum of S_k to 1e-12', () => {
    const eff = run(1);
    [0, 1].forEach((k) => {
      const ref = byDefinition(w, rho, beta[k], theta[k]);
      expect(eff.direct[k].estimate).toBeCloseTo(ref.direct, 12);
      expect(eff.total[k].estimate).toBeCloseTo(ref.total, 12);
      expect(eff.indirect[k].estimate).toBeCloseTo(ref.total - ref.direct, 12);
    });
  });

  it('simulated standard errors are reproducible with a seed and change with it', () => {
    expect(run(1).total[0].std_error).toBe(run(1).total[0].std_error);
    expect(run(2).total[0].std_error).not.toBe(run(1).total[0].std_error);
    const e = run(1).direct[0];
    expect(e.statistic).toBeCloseTo(e.estimate / e.std_error, 12);
  });
});
