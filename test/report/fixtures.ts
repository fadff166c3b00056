// Hand-written model JSON following NODES.md (iv, sdm) and real fe fits (Grunfeld),
// shared by the report and table tests.
import { readFileSync } from 'node:fs';
import { fromCSV } from 'arquero';
import { fitFeModel } from '../../src/nodes/fe.js';
import type { ModelJson } from '../../src/ports/index.js';

const here = new URL('../fixtures/', import.meta.url);
export const grunfeld = fromCSV(readFileSync(new URL('grunfeld.csv', here), 'utf8'));
const panel = { id: 'firm', time: 'year' };

export const feA = fitFeModel(grunfeld, { y: 'inv', x: ['value', 'capital'], panel } as any);
export const feB = fitFeModel(grunfeld, { y: 'capital', x: ['value'], panel, fe: ['firm'] } as any);

const row = (term: string, estimate: number, std_error: number, p_value: number) => ({
  term, estimate, std_error, statistic: estimate / std_error, p_value,
  conf_low: estimate - 1.96 * std_error, conf_high: estimate + 1.96 * std_error,
});

/** p-values exactly at and around the star thresholds */
export const boundary: ModelJson = {
  estimator: 'fe',
  call: { y: 'RIS', x: ['p10', 'p05', 'p01', 'below10', 'below05', 'below01', 'neg'], fe: ['city', 'year'] },
  coefficients: [
    row('p10', 0.5, 0.1, 0.1),
    row('p05', 0.25, 0.1, 0.05),
    row('p01', 0.125, 0.1, 0.01),
    row('below10', 1.0004, 0.0996, 0.0999999),
    row('below05', -0.00026, 0.00041, 0.0499999),
    row('below01', -2.3456, 0.5, 0.0099999),
    row('neg', -0.0004, 0.0002, 0.5),
    row('_cons', -0.226, 0.065, 0.002),
  ],
  stats: { nobs: 390, r2_within: 0.4639, r2: 0.9, f: 14.8912, vcov: 'cluster(city)' },
};

export const iv: ModelJson = {
  estimator: 'iv',
  call: { y: 'RIS', endog: ['lnINF'], exog: ['lnTrainfra'], instruments: ['slope_year'], fe: ['city', 'year'], panel: { id: 'city', time: 'year' } },
  coefficients: [row('lnINF', 0.0671, 0.0102, 1e-9), row('lnTrainfra', 0.004, 0.006, 0.5), row('_cons', -0.5, 0.2, 0.02)],
  first_stage: [{ endog: 'lnINF', coefficients: [row('slope_year', 0.3, 0.04, 1e-8)], partial_r2: 0.2, f: { F: 64.24, df1: 1, df2: 25, p: 1e-8 } }],
  stats: {
    nobs: 390, r2_within: 0.484, r2: 0.95, kp_lm: 57.828, kp_lm_p: 3e-14, kp_f: 64.2404, cd_f: 80.1,
    stock_yogo: { size: { '10%': 16.38, '15%': 8.96, '20%': 6.66, '25%': 5.53 } }, vcov: 'cluster(city)',
  },
};

export const sdm: ModelJson = {
  estimator: 'sdm',
  call: { y: 'RIS', x: ['lnINF', 'lnTrainfra'], fe: 'twoways', panel: { id: 'city', time: 'year' } },
  coefficients: [row('lnINF', 0.012, 0.003, 6e-5), row('lnTrainfra', 0.001, 0.002, 0.6), row('W*lnINF', 0.014, 0.006, 0.02), row('W*lnTrainfra', -0.01, 0.01, 0.3)],
  effects: {
    direct: [row('lnINF', 0.0125, 0.003, 3e-5), row('lnTrainfra', 0.001, 0.002, 0.6)],
    indirect: [row('lnINF', 0.018, 0.007, 0.01), row('lnTrainfra', -0.011, 0.012, 0.36)],
    total: [row('lnINF', 0.0305, 0.008, 0.0001), row('lnTrainfra', -0.01, 0.012, 0.4)],
  },
  stats: { nobs: 390, rho: 0.132, rho_se: 0.074, r2: 0.414, loglik: 1037.2461, sigma2: 0.001, vcov: 'cluster(city)' },
};
