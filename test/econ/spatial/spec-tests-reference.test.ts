// Moran's I, LM tests and LR / Wald tests on Produc with usaww against R
// (test/fixtures/r/spatial_tests.R -> spatial_tests.json): spdep moran.test per year and
// lm.morantest of lm() residuals with state / year dummies on kronecker(I_T, W); splm
// slmtest (pooling, within) and the LM formulas written out in R for every FE; LR / Wald
// of the SDM against SAR and SEM from the exact R fits.
import { describe, it, expect } from 'vitest';
import { prepareW } from '../../../src/econ/spatial/setup.js';
import { fitSpatialPanel } from '../../../src/econ/spatial/ml.js';
import { fitSem } from '../../../src/econ/spatial/sem.js';
import { moranI, residualMoran, wStats } from '../../../src/econ/spatial/moran.js';
import { spatialLmTests } from '../../../src/econ/spatial/lm-tests.js';
import { lrWaldTests } from '../../../src/econ/spatial/lr-wald.js';
import { loadProduc, loadUsaww, relErr } from './produc.js';
import { spatialRef } from './sem-sac-reference.test.js';

const { n, w } = loadUsaww();
const panel = loadProduc();
const setup = prepareW(w, n);
const FES = ['none', 'individual', 'time', 'twoways'] as const;

describe("Moran's I per year against spdep::moran.test", () => {
  const s = wStats(setup.csr);
  it.each(spatialRef.moran_year.map((r: { year: number }, t: number) => [r.year, t]))('%i: I, E[I], variances, z and p (normal, randomisation) to 1e-10', (_y, t) => {
    const ref = spatialRef.moran_year[t as number];
    const m = moranI(panel.y.slice((t as number) * n, (t as number) * n + n), setup.csr, s, 'greater');
    expect(relErr(m.I, ref.I)).toBeLessThan(1e-12);
    expect(relErr(m.expectation, ref.expectation)).toBeLessThan(1e-14);
    expect(relErr(m.normal.variance, ref.var_normal)).toBeLessThan(1e-12);
    expect(relErr(m.randomisation.variance, ref.var_randomisation)).toBeLessThan(1e-12);
    expect(relErr(m.normal.z, ref.z_normal)).toBeLessThan(1e-12);
    expect(relErr(m.randomisation.z, ref.z_randomisation)).toBeLessThan(1e-12);
    expect(relErr(m.normal.p_value, ref.p_normal)).toBeLessThan(1e-10);
    expect(relErr(m.randomisation.p_value, ref.p_randomisation)).toBeLessThan(1e-10);
    const two = moranI(panel.y.slice((t as number) * n, (t as number) * n + n), setup.csr, s, 'two.sided');
    expect(relErr(two.randomisation.p_value, ref.p_randomisation_two_sided)).toBeLessThan(1e-10);
  });
});

describe.each(FES)("Moran's I of the %s regression residuals against spdep::lm.morantest", (fe) => {
  const ref = spatialRef.moran_resid[fe];
  it('I, E[I], Var[I], z and p to 1e-10, residual df', () => {
    const m = residualMoran({ ...panel, fe, w: setup.csr, alternative: 'greater' });
    expect(m.dfResid).toBe(ref.df_resid);
    expect(relErr(m.I, ref.I)).toBeLessThan(1e-12);
    expect(relErr(m.expectation, ref.expectation)).toBeLessThan(1e-10);
    expect(relErr(m.variance, ref.variance)).toBeLessThan(1e-10);
    expect(relErr(m.z, ref.z)).toBeLessThan(1e-10);
    expect(relErr(m.p_value, ref.p)).toBeLessThan(1e-8);
  });
});

describe.each(FES)('LM tests, %s', (fe) => {
  const rows = spatialLmTests({ ...panel, fe, w: setup.csr });
  it('LM lag / error and robust forms with p-values agree with the R formulas to 1e-10', () => {
    for (const r of rows) {
      expect(relErr(r.statistic, spatialRef.lm[fe].statistic[r.test])).toBeLessThan(1e-10);
      expect(relErr(r.p_value, spatialRef.lm[fe].p_value[r.test])).toBeLessThan(1e-8);
    }
  });
});

describe.each([['none', 'pooling'], ['individual', 'within']] as const)('LM tests, %s, against splm::slmtest(model = "%s")', (fe, model) => {
  it('all four statistics to 1e-10', () => {
    for (const r of spatialLmTests({ ...panel, fe, w: setup.csr })) expect(relErr(r.statistic, spatialRef.lm_splm[model][r.test])).toBeLessThan(1e-10);
  });
});

const lrCases = FES.flatMap((fe) => (fe === 'none' ? [false] : [false, true]).map((leeYu) => ({ fe, leeYu, key: `${fe}${leeYu ? '_leeyu' : ''}` })));
describe.each(lrCases)('LR and Wald, SDM vs SAR and SEM, $key', ({ fe, leeYu, key }) => {
  const ref = spatialRef.models[`lrwald_${key}`];
  const sdm = fitSpatialPanel({ ...panel, wx: [0, 1, 2, 3], fe, leeYu, setup });
  const sar = fitSpatialPanel({ ...panel, wx: [], fe, leeYu, setup });
  const sem = fitSem({ ...panel, fe, leeYu, setup });
  it('log-likelihoods of the three models agree to 1e-12', () => {
    expect(relErr(sdm.loglik, ref.loglik.sdm)).toBeLessThan(1e-12);
    expect(relErr(sar.loglik, ref.loglik.sar)).toBeLessThan(1e-12);
    expect(relErr(sem.loglik, ref.loglik.sem)).toBeLessThan(1e-12);
  });
  it('statistics and p-values agree to 1e-8 (df = 4)', () => {
    const rows = lrWaldTests({ coef: sdm.coef, rho: sdm.rho, vcov: sdm.vcov, loglik: sdm.loglik }, sar.loglik, sem.loglik);
    const keys = ['lr_sar', 'wald_sar', 'lr_sem', 'wald_sem'];
    rows.forEach((r, i) => {
      expect(r.df).toBe(4);
      expect(relErr(r.statistic, ref.statistic[keys[i]])).toBeLessThan(1e-8);
      expect(relErr(r.p_value, ref.p_value[keys[i]])).toBeLessThan(1e-7);
    });
  });
});
