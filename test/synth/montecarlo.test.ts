// Monte Carlo on the DGP: 40 fresh panels (seeds 1-40, as workflows/montecarlo.json),
// variables built by the METHOD defaults (test/synth/build.ts), estimated with the real
// fe and iv code. Two-way FE must be biased the way the shock implies (u raises
// investment and lowers RIS and AIS: downward); IV with slope x year must recover the
// truth; and the reported cluster SEs must match the sampling sd of the estimates (a
// seed-invariant part of the error once made them twice the sd, with 100% coverage).
import { describe, it, expect, beforeAll } from 'vitest';
import * as aq from 'arquero';
import { generateYrd26, totalEffect } from '../../src/synth/yrd26.js';
import { fitFeModel, type FeParams } from '../../src/nodes/estimation.js';
import { fitIvModel, type IvParams } from '../../src/nodes/iv.js';
import { summariseDraws, type Draw, type McSummary } from '../../src/econ/montecarlo.js';
import { buildFromFiles } from './build.js';

const DRAWS = 40;
const CONTROLS = ['lnTrainfra', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD'];
type Coef = { term: string; estimate: number; std_error: number; conf_low: number; conf_high: number };
const lnINF = (m: { coefficients: unknown }): Draw => (m.coefficients as Coef[]).find((c) => c.term === 'lnINF')!;

function draw(seed: number) {
  const g = generateYrd26({ seed });
  const b = buildFromFiles(g.files);
  const slope = new Map(g.files['cities.csv'].trim().split('\n').slice(1).map((l) => { const a = l.split(','); return [a[0], Number(a[a.length - 1])]; }));
  const v = b.vars;
  const t = aq.table({
    city: b.city, year: Float64Array.from(b.year),
    RIS: Float64Array.from(v.RIS), AIS: Float64Array.from(v.AIS), lnINF: Float64Array.from(v.lnINF),
    lnTrainfra: Float64Array.from(v.lnTrainfra), lnHumcapital: Float64Array.from(v.Humcapital, Math.log),
    lnSConsume: Float64Array.from(v.SConsume, Math.log), Govexp: Float64Array.from(v.Govexp), lnFD: Float64Array.from(v.FD, Math.log),
    slope_year: Float64Array.from(b.city, (c, r) => slope.get(c)! * (b.year[r] - 2005)),
  });
  const panel = { id: 'city', time: 'year' };
  const out: Record<string, { fe: Draw; iv: Draw; kpF: number }> = {};
  for (const y of ['RIS', 'AIS']) {
    const fe = fitFeModel(t, { y, x: ['lnINF', ...CONTROLS], panel } as FeParams);
    const iv = fitIvModel(t, { y, endog: ['lnINF'], exog: CONTROLS, instruments: ['slope_year'], panel } as IvParams);
    out[y] = { fe: lnINF(fe), iv: lnINF(iv), kpF: (iv.stats as { kp_f: number }).kp_f };
  }
  return out;
}

describe('Monte Carlo (40 seeds): FE is biased, IV with slope x year recovers the truth with honest SEs', () => {
  const res: ReturnType<typeof draw>[] = [];
  beforeAll(() => { for (let s = 1; s <= DRAWS; s++) res.push(draw(s)); }, 120_000);
  const sum = (y: 'RIS' | 'AIS', est: 'fe' | 'iv'): McSummary =>
    summariseDraws(res.map((r) => r[y][est]), res.map(() => totalEffect(y === 'RIS' ? 'ris' : 'ais')), 0.95);
  // the sd of 40 draws has relative MC error ~ 1/sqrt(2 x 39) = 0.11; coverage ~ 0.034
  const SE_SD_BAND = [0.7, 1.3];

  for (const y of ['RIS', 'AIS'] as const) {
    it(`${y}: two-way FE OLS is biased downward, beyond Monte Carlo error`, () => {
      const fe = sum(y, 'fe');
      expect(fe.bias).toBeLessThan(-3 * fe.bias_mc_se);
      expect(fe.se_sd!).toBeGreaterThan(SE_SD_BAND[0]);
      expect(fe.se_sd!).toBeLessThan(SE_SD_BAND[1]);
    });

    it(`${y}: IV is unbiased within Monte Carlo error, its cluster SEs match the sd of the estimates and its 95% CIs cover`, () => {
      const iv = sum(y, 'iv');
      console.log(`${y} IV: bias ${iv.bias.toFixed(4)} (mc se ${iv.bias_mc_se.toFixed(4)}), sd ${iv.sd.toFixed(4)}, mean se ${iv.mean_se!.toFixed(4)}, se/sd ${iv.se_sd!.toFixed(2)}, coverage ${iv.coverage}`);
      expect(Math.abs(iv.bias)).toBeLessThan(3 * iv.bias_mc_se);
      expect(iv.se_sd!).toBeGreaterThan(SE_SD_BAND[0]);
      expect(iv.se_sd!).toBeLessThan(SE_SD_BAND[1]);
      expect(iv.coverage!).toBeGreaterThan(0.95 - 3 * iv.coverage_mc_se!);
      for (const r of res) expect(r[y].kpF).toBeGreaterThan(16.38); // strong instrument (Stock-Yogo 10%)
    });
  }
});
