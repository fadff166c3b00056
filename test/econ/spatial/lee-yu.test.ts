import { describe, it, expect } from 'vitest';
import { prepareW } from '../../../src/econ/spatial/setup.js';
import { fitSpatialPanel } from '../../../src/econ/spatial/ml.js';
import { loadProduc, loadUsaww } from './produc.js';

const { n, w } = loadUsaww();
const panel = loadProduc();
const setup = prepareW(w, n);
const T = panel.T;
const fit = (fe: 'individual' | 'time' | 'twoways', leeYu: boolean) => fitSpatialPanel({ ...panel, wx: [], fe, leeYu, setup });

describe('Lee-Yu (2010) bias correction', () => {
  it('individual FE: rho and beta unchanged, sigma2 multiplied by T/(T-1)', () => {
    const a = fit('individual', false), b = fit('individual', true);
    expect(b.rho).toBeCloseTo(a.rho, 12);
    a.coef.forEach((v, k) => expect(b.coef[k]).toBeCloseTo(v, 12));
    expect(b.sigma2 / a.sigma2).toBeCloseTo(T / (T - 1), 12);
    expect(b.nEff * b.tEff).toBe(n * (T - 1));
  });

  it('two-way FE: the likelihood over (n-1)(T-1) observations without the unit eigenvalue moves rho', () => {
    const a = fit('twoways', false), b = fit('twoways', true);
    expect(b.nEff * b.tEff).toBe((n - 1) * (T - 1));
    expect(b.rho).not.toBeCloseTo(a.rho, 4);
    // sigma2 = e'e / ((n-1)(T-1)) at its own rho: larger than the direct e'e / nT
    expect(b.sigma2).toBeGreaterThan(a.sigma2);
    expect(Number.isFinite(b.loglik)).toBe(true);
  });

  it('time FE only is corrected too (one unit dropped); a W that is not row-standardised is refused', () => {
    expect(fit('time', true).nEff).toBe(n - 1);
    const wNone = w.map((v) => v * 2);
    expect(() => fitSpatialPanel({ ...panel, wx: [], fe: 'twoways', leeYu: true, setup: prepareW(wNone, n) })).toThrow(/row-standardised/);
  });
});
