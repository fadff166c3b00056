// Monte Carlo: the SDM with two-way FE recovers rho, beta and theta on simulated
// panels (seeded; kNN W, so the envelope-LU route), and its analytical standard errors
// match the spread of the estimates. With time effects the direct (uncorrected)
// estimator has an O(1/n) bias (Lee & Yu 2010): at n = 60 rho comes out ~0.04 low and
// theta ~0.07 off, shrinking like 1/n (measured: -0.043 at n = 60, -0.021 at n = 240,
// unchanged by T). The Lee-Yu correction removes it, so the recovery test uses it.
import { describe, it, expect } from 'vitest';
import { simulateSdmPanel } from '../../../src/econ/spatial/simulate.js';
import { prepareW } from '../../../src/econ/spatial/setup.js';
import { fitSpatialPanel } from '../../../src/econ/spatial/ml.js';
import { spatialEffects } from '../../../src/econ/spatial/effects.js';

const truth = { rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3] };
const REPS = 40;
const n = 60, T = 10;

describe('SDM two-way FE with the Lee-Yu correction, Monte Carlo (60 units, 10 periods, 5-NN W, 40 replications)', () => {
  const est: number[][] = [];
  const se: number[][] = [];
  for (let r = 0; r < REPS; r++) {
    const sim = simulateSdmPanel({ n, T, k: 5, ...truth, sigma: 1, seed: 1000 + r });
    const setup = prepareW(sim.w, n);
    const f = fitSpatialPanel({ n, T, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu: true, setup });
    est.push([f.rho, ...f.coef]);
    se.push([0, 1, 2, 3, 4].map((i) => Math.sqrt(f.vcov[(i === 0 ? 4 : i - 1) * 6 + (i === 0 ? 4 : i - 1)])));
  }
  const mean = (j: number, a = est) => a.reduce((s, e) => s + e[j], 0) / a.length;
  const sd = (j: number) => Math.sqrt(est.reduce((s, e) => s + (e[j] - mean(j)) ** 2, 0) / (REPS - 1));
  const values = [truth.rho, ...truth.beta, ...truth.theta];
  const names = ['rho', 'beta1', 'beta2', 'theta1', 'theta2'];

  it.each(names.map((name, j) => ({ name, j })))('recovers $name (mean within 3 Monte Carlo SEs and 0.05)', ({ j }) => {
    const bias = mean(j) - values[j];
    expect(Math.abs(bias)).toBeLessThan(Math.max(3 * sd(j) / Math.sqrt(REPS), 0.02));
    expect(Math.abs(bias)).toBeLessThan(0.05);
  });

  it.each(names.map((name, j) => ({ name, j })))('the analytical SE of $name matches the Monte Carlo spread within 35%', ({ j }) => {
    expect(Math.abs(mean(j, se) / sd(j) - 1)).toBeLessThan(0.35);
  });

  it('effects: the total effect estimates (beta + theta) / (1 - rho) with a row-standardised W', () => {
    const sim = simulateSdmPanel({ n: 150, T: 10, k: 5, ...truth, sigma: 1, seed: 7 });
    const setup = prepareW(sim.w, 150);
    const f = fitSpatialPanel({ n: 150, T: 10, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu: false, setup });
    const V = new Float64Array(25);
    for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) V[a * 5 + b] = f.vcov[a * 6 + b];
    const eff = spatialEffects({ setup, inverse: f.inverse, rho: f.rho, xNames: ['x1', 'x2'], beta: f.coef.slice(0, 2), theta: f.coef.slice(2, 4), thetaIndex: [2, 3], vcov: V, draws: 500, seed: 2 });
    [0, 1].forEach((k) => {
      expect(eff.total[k].estimate).toBeCloseTo((f.coef[k] + f.coef[k + 2]) / (1 - f.rho), 10);
      const trueTotal = (truth.beta[k] + truth.theta[k]) / (1 - truth.rho);
      expect(Math.abs(eff.total[k].estimate - trueTotal)).toBeLessThan(3 * eff.total[k].std_error);
      expect(eff.indirect[k].estimate).toBeCloseTo(eff.total[k].estimate - eff.direct[k].estimate, 12);
    });
  });
});
