// Random effects (Swamy-Arora) and the Hausman test on plm's Grunfeld against plm
// (test/fixtures/r/spatial_tests.R: plm(..., model = "random", random.method = "swar"),
// phtest; with time effects as year dummies, the Hausman statistic over the slopes).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitRandomEffects, hausmanTest } from '../../src/econ/re.js';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/${f}`, import.meta.url));
const ref = JSON.parse(readFileSync(fixture('spatial_tests.json'), 'utf8')).re;
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

function grunfeld() {
  const rows = readFileSync(fixture('grunfeld.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(',').map(Number));
  const firms = [...new Set(rows.map((r) => r[0]))].sort((a, b) => a - b), years = [...new Set(rows.map((r) => r[1]))].sort((a, b) => a - b);
  const n = firms.length, T = years.length;
  const y = new Float64Array(n * T), value = new Float64Array(n * T), capital = new Float64Array(n * T);
  for (const r of rows) { const k = years.indexOf(r[1]) * n + firms.indexOf(r[0]); y[k] = r[2]; value[k] = r[3]; capital[k] = r[4]; }
  return { n, T, y, X: [value, capital] };
}

describe('Swamy-Arora random effects and Hausman on Grunfeld', () => {
  const g = grunfeld();
  it('individual: coefficients, SEs, variance components, theta and R2 agree with plm to 1e-10', () => {
    const f = fitRandomEffects({ ...g, effect: 'individual' });
    const names = ['(Intercept)', 'value', 'capital'];
    names.forEach((v, k) => {
      expect(relErr(f.re.coef[k], ref.coef[v])).toBeLessThan(1e-10);
      expect(relErr(Math.sqrt(f.re.vcov[k * 3 + k]), ref.se[v])).toBeLessThan(1e-10);
    });
    expect(relErr(f.sigma2Idios, ref.sigma2_idios)).toBeLessThan(1e-12);
    expect(relErr(f.sigma2Id, ref.sigma2_id)).toBeLessThan(1e-12);
    expect(relErr(f.theta, ref.theta)).toBeLessThan(1e-12);
    expect(relErr(f.r2, ref.r2)).toBeLessThan(1e-10);
  });
  it('phtest statistic and p to 1e-8', () => {
    const h = hausmanTest(fitRandomEffects({ ...g, effect: 'individual' }));
    expect(h.df).toBe(2);
    expect(relErr(h.statistic, ref.hausman.statistic)).toBeLessThan(1e-8);
    expect(relErr(h.p_value, ref.hausman.p)).toBeLessThan(1e-8);
  });
  it('with year effects: slopes, SEs, components and Hausman agree with plm + factor(year)', () => {
    const f = fitRandomEffects({ ...g, effect: 'twoways' });
    const r2 = ref.twoways_as_year_dummies;
    ['value', 'capital'].forEach((v, k) => {
      expect(relErr(f.re.coef[k], r2.coef[v])).toBeLessThan(1e-10);
      expect(relErr(Math.sqrt(f.re.vcov[k * 2 + k]), r2.se[v])).toBeLessThan(1e-10);
    });
    expect(relErr(f.theta, r2.theta)).toBeLessThan(1e-12);
    expect(relErr(f.sigma2Idios, r2.sigma2_idios)).toBeLessThan(1e-12);
    const h = hausmanTest(f);
    expect(relErr(h.statistic, r2.hausman.statistic)).toBeLessThan(1e-8);
  });
});
