import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromCSV } from 'arquero';
import { fitSubgroups } from '../../src/nodes/subgroup.js';
import { fitFeModel } from '../../src/nodes/fe.js';

const here = new URL('../fixtures/', import.meta.url);
// three size classes of firms, as the paper's large / medium / small cities
const data = fromCSV(readFileSync(new URL('grunfeld.csv', here), 'utf8')).derive({
  size: (d: any) => (d.firm <= 3 ? 'large' : d.firm <= 6 ? 'medium' : 'small'),
  big: (d: any) => (d.firm <= 5 ? 'a' : 'b'),
});
const panel = { id: 'firm', time: 'year' };
const coef = (m: any, t: string) => m.coefficients.find((c: any) => c.term === t);

describe('subgroup(by = size)', () => {
  const out = fitSubgroups(data, { y: 'inv', x: ['value', 'capital'], panel, by: 'size' } as any) as any[];

  it('fits the baseline model within each group, in sorted group order', () => {
    expect(out.filter((m) => m.group).map((m) => m.group.value)).toEqual(['large', 'medium', 'small']);
    const large = fitFeModel(data.filter((d: any) => d.size === 'large'), { y: 'inv', x: ['value', 'capital'], panel } as any);
    expect(coef(out[0], 'value').estimate).toBeCloseTo(coef(large, 'value').estimate, 12);
    expect(out[0].stats.nobs).toBe(60);
  });

  it('adds a pooled interaction model with an F test of equal value coefficients (df G-1 clusters)', () => {
    const pooled = out[3];
    expect(pooled.role).toBe('pooled-interaction');
    expect(pooled.coefficients.map((c: any) => c.term)).toEqual(['value:large', 'value:medium', 'value:small', 'capital', '_cons']);
    const t = pooled.equality_test;
    expect(t).toMatchObject({ term: 'value', df1: 2, df2: 9, form: 'F' });
    expect(t.p_value).toBeGreaterThanOrEqual(0);
    expect(t.p_value).toBeLessThanOrEqual(1);
  });

  it('with two groups the F equals the squared t of the difference term of the reparametrised model', () => {
    const two = fitSubgroups(data, { y: 'inv', x: ['value', 'capital'], panel, by: 'big', vcov: 'iid' } as any) as any[];
    const t = two[2].equality_test;
    const d = data.derive({ value_b: (r: any) => (r.big === 'b' ? r.value : 0) });
    const rep = fitFeModel(d, { y: 'inv', x: ['value', 'value_b', 'capital'], panel, vcov: 'iid' } as any);
    expect(t.F).toBeCloseTo(coef(rep, 'value_b').statistic ** 2, 8);
    expect(t.p_value).toBeCloseTo(coef(rep, 'value_b').p_value, 10);
  });

  it("interact: 'all' with unit FE only reproduces the separate fits' slopes", () => {
    const all = fitSubgroups(data, { y: 'inv', x: ['value', 'capital'], panel, fe: ['firm'], by: 'size', interact: 'all' } as any) as any[];
    for (const [i, g] of ['large', 'medium', 'small'].entries()) {
      expect(coef(all[3], `value:${g}`).estimate).toBeCloseTo(coef(all[i], 'value').estimate, 9);
    }
  });

  it('adds group dummies when no FE absorbs the groups', () => {
    const noFe = fitSubgroups(data, { y: 'inv', x: ['value'], fe: [], vcov: 'hc1', by: 'size' } as any) as any[];
    expect(noFe[3].coefficients.map((c: any) => c.term)).toContain('size:medium');
    expect(noFe[3].equality_test.form).toBe('F');
  });
});
