// Monte Carlo on the DGP: fresh panels from a few dozen seeds, variables built by the
// METHOD defaults (test/synth/build.ts), estimated with the real `fe` and `iv` nodes.
// Two-way FE of RIS on lnINF must be biased the way the shock implies (u raises
// investment and lowers RIS: downward); IV with slope x year must recover the truth.
import { describe, it, expect, beforeAll } from 'vitest';
import * as aq from 'arquero';
import { generateYrd26, totalEffect } from '../../src/synth/yrd26.js';
import { feNode } from '../../src/nodes/fe.js';
import { ivNode } from '../../src/nodes/iv.js';
import { buildFromFiles, moments } from './build.js';

const DRAWS = 30;
const CONTROLS = ['lnTrainfra', 'lnHumcapital', 'lnSConsume', 'Govexp', 'lnFD'];

type Coef = { term: string; estimate: number; std_error: number };
const coef = (m: any, term: string) => (m.coefficients as Coef[]).find((c) => c.term === term)!;

async function draw(seed: number) {
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
  const out: Record<string, { fe: number; iv: number; ivSe: number; kpF: number }> = {};
  for (const y of ['RIS', 'AIS']) {
    const fe = await feNode.run({ params: feNode.params.parse({ y, x: ['lnINF', ...CONTROLS], panel }), inputs: { data: t }, nodeId: 'fe', resolvePath: (p) => p });
    const iv = await ivNode.run({ params: ivNode.params.parse({ y, endog: ['lnINF'], exog: CONTROLS, instruments: ['slope_year'], panel }), inputs: { data: t }, nodeId: 'iv', resolvePath: (p) => p });
    const ivm = iv.model as any;
    out[y] = { fe: coef(fe.model, 'lnINF').estimate, iv: coef(ivm, 'lnINF').estimate, ivSe: coef(ivm, 'lnINF').std_error, kpF: ivm.stats.kp_f };
  }
  return out;
}

describe('Monte Carlo: FE is biased, IV with slope x year recovers the truth', () => {
  const res: Awaited<ReturnType<typeof draw>>[] = [];
  beforeAll(async () => { for (let s = 1; s <= DRAWS; s++) res.push(await draw(100 + s)); }, 120_000);

  for (const y of ['RIS', 'AIS'] as const) {
    it(`${y}: two-way FE OLS is biased downward, IV is within its sampling error of the truth`, () => {
      const truth = totalEffect(y === 'RIS' ? 'ris' : 'ais');
      const fe = moments(res.map((r) => r[y].fe)), iv = moments(res.map((r) => r[y].iv));
      const seMean = (m: { sd: number }) => m.sd / Math.sqrt(DRAWS);
      const meanIvSe = res.reduce((s, r) => s + r[y].ivSe, 0) / DRAWS;
      console.log(`${y}: truth ${truth}; FE mean ${fe.mean.toFixed(4)} (sd ${fe.sd.toFixed(4)}); IV mean ${iv.mean.toFixed(4)} (sd ${iv.sd.toFixed(4)}, mean reported se ${meanIvSe.toFixed(4)}); KP F min ${Math.min(...res.map((r) => r[y].kpF)).toFixed(1)}`);
      // the bias has the DGP's sign; for RIS (strong shock) it is far beyond Monte Carlo error
      expect(truth - fe.mean).toBeGreaterThan(y === 'RIS' ? 3 * seMean(fe) : 0);
      expect(Math.abs(iv.mean - truth)).toBeLessThan(3 * seMean(iv));      // no bias beyond Monte Carlo error
      expect(meanIvSe / iv.sd).toBeGreaterThan(0.5);                       // reported SEs are of the right order
      expect(meanIvSe / iv.sd).toBeLessThan(2.5);
      for (const r of res) expect(r[y].kpF).toBeGreaterThan(16.38);       // strong instrument (Stock-Yogo 10%)
    });
  }
});
