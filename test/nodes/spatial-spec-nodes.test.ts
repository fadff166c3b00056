// The sem, sac, moran, spatial-lm, spatial-lr-wald, hausman and re nodes, run directly on
// Produc / usaww and Grunfeld (def.run with parsed params): the model JSON carries the
// kernels' numbers (themselves checked against R in test/econ), the tables have the
// shared shape, one `uses` swap switches model, and bad input is named.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromCSV } from 'arquero';
import type { ColumnTable } from 'arquero';
import { loadMatrixNode } from '../../src/nodes/load-matrix.js';
import { getNode } from '../../src/nodes/index.js';
import { appendNode } from '../../src/nodes/append.js';
import type { IdMatrix, ModelJson } from '../../src/ports/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const ref = JSON.parse(readFileSync(join(fixtures, 'spatial_tests.json'), 'utf8'));
const ctx = { resolvePath: (p: string) => join(fixtures, p), nodeId: 'test' };
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const produc = fromCSV(readFileSync(join(fixtures, 'produc.csv'), 'utf8')).derive({
  lgsp: (d: any) => Math.log(d.gsp), lpcap: (d: any) => Math.log(d.pcap),
  lpc: (d: any) => Math.log(d.pc), lemp: (d: any) => Math.log(d.emp),
});
const grunfeld = fromCSV(readFileSync(join(fixtures, 'grunfeld.csv'), 'utf8'));
const X = ['lpcap', 'lpc', 'lemp', 'unemp'];
const base = { y: 'lgsp', x: X, panel: { id: 'state', time: 'year' } };

async function run(type: string, params: unknown, inputs: Record<string, unknown>) {
  const def = getNode(type)!;
  return def.run({ ...ctx, nodeId: type, params: def.params.parse(params), inputs }) as Promise<Record<string, unknown>>;
}
const wP = (async () => (await run('load-matrix', { path: 'usaww.csv', ids: 'usaww_order.txt' }, {})).matrix as IdMatrix)();
const stat = (m: unknown, k: string) => ((m as ModelJson).stats as Record<string, number>)[k];
const rowsOf = (t: unknown) => (t as ColumnTable).objects() as Record<string, any>[];

describe('sem / sac nodes: the sdm params, a uses swap', () => {
  it.each(['sem', 'sac'])('%s: two-way FE with Lee-Yu matches the exact R ML (loglik 1e-12, coefficients 1e-8)', async (type) => {
    const w = await wP;
    const m = (await run(type, { ...base, fe: 'twoways', leeYu: true, ...(type === 'sac' ? { effects: { draws: 200, seed: 3 } } : {}) }, { data: produc, w })).model as ModelJson;
    const r = ref.models[`${type}_twoways_leeyu`];
    expect(m.estimator).toBe(type);
    expect(relErr(stat(m, 'loglik'), r.logLik)).toBeLessThan(1e-12);
    expect(relErr(stat(m, 'lambda'), r.lambda)).toBeLessThan(1e-8);
    expect(stat(m, 'lambda_se')).toBeCloseTo(r.se.lambda, 9);
    const coefs = m.coefficients as { term: string; estimate: number; std_error: number }[];
    expect(coefs.map((c) => c.term)).toEqual(X);
    coefs.forEach((c) => { expect(relErr(c.estimate, r.beta[c.term])).toBeLessThan(1e-8); expect(relErr(c.std_error, r.se[c.term])).toBeLessThan(1e-7); });
    expect(stat(m, 'likelihood_n')).toBe(47 * 16);
    if (type === 'sac') {
      expect(relErr(stat(m, 'rho'), r.rho)).toBeLessThan(1e-8);
      const eff = m.effects as Record<string, { term: string; estimate: number }[]>;
      // SAC direct effect > beta for rho > 0, total = beta / (1 - rho) (row-standardised W)
      eff.total.forEach((e, k) => expect(relErr(e.estimate, coefs[k].estimate / (1 - stat(m, 'rho')))).toBeLessThan(1e-12));
      expect((m.vcov as { terms: string[] }).terms).toEqual([...X, 'rho', 'lambda']);
    } else {
      expect(m.effects).toBeUndefined();
      expect((m.vcov as { terms: string[] }).terms).toEqual([...X, 'lambda']);
    }
  });
  it('sem accepts no effects param (it has none), sac does', () => {
    expect(() => getNode('sem')!.params.parse({ ...base, effects: { draws: 10, seed: 1 } })).toThrow();
    expect(() => getNode('sac')!.params.parse({ ...base, effects: { draws: 10, seed: 1 } })).not.toThrow();
  });
  it('pooled SEM (fe "none") matches R', async () => {
    const m = (await run('sem', { ...base, fe: 'none' }, { data: produc, w: await wP })).model;
    expect(relErr(stat(m, 'loglik'), ref.models.sem_none.logLik)).toBeLessThan(1e-12);
  });
});

describe('specification-test nodes', () => {
  it("moran: per-year I and randomisation z as spdep; residual row as lm.morantest; table shape", async () => {
    const out = await run('moran', { ...base, fe: 'twoways' }, { data: produc, w: await wP });
    const rows = rowsOf(out.table);
    expect(Object.keys(rows[0])).toEqual(['test', 'y', 'statistic', 'z', 'df', 'p_value']);
    expect(rows).toHaveLength(18);
    ref.moran_year.forEach((r: any, t: number) => {
      expect(rows[t].test).toBe(`Moran's I ${r.year}`);
      expect(relErr(rows[t].statistic, r.I)).toBeLessThan(1e-12);
      expect(relErr(rows[t].z, r.z_randomisation)).toBeLessThan(1e-12);
      expect(Number.isNaN(rows[t].df)).toBe(true);
    });
    expect(relErr(rows[17].statistic, ref.moran_resid.twoways.I)).toBeLessThan(1e-12);
    expect(relErr(rows[17].z, ref.moran_resid.twoways.z)).toBeLessThan(1e-10);
    const m = out.model as any;
    expect(relErr(m.periods[0].normal.z, ref.moran_year[0].z_normal)).toBeLessThan(1e-12);
    expect(m.residuals.df_resid).toBe(748);
  });
  it('moran without x: only the per-period rows; normal inference on request', async () => {
    const rows = rowsOf((await run('moran', { y: 'lgsp', panel: base.panel, inference: 'normal' }, { data: produc, w: await wP })).table);
    expect(rows).toHaveLength(17);
    expect(relErr(rows[0].z, ref.moran_year[0].z_normal)).toBeLessThan(1e-12);
  });
  it('spatial-lm: four chi2(1) rows equal to the R formulas, pooled and FE', async () => {
    for (const fe of ['none', 'twoways'] as const) {
      const out = await run('spatial-lm', { ...base, fe }, { data: produc, w: await wP });
      const rows = rowsOf(out.table);
      expect(rows.map((r) => r.test)).toEqual(['LM lag', 'LM error', 'Robust LM lag', 'Robust LM error'].map((t) => `${t} (${fe === 'none' ? 'pooled' : 'two-way FE'})`));
      const keys = ['lm_lag', 'lm_error', 'robust_lm_lag', 'robust_lm_error'];
      rows.forEach((r, i) => { expect(r.df).toBe(1); expect(relErr(r.statistic, ref.lm[fe].statistic[keys[i]])).toBeLessThan(1e-10); });
    }
  });
  it('spatial-lr-wald: LR and Wald against SAR and SEM as R, df = #x', async () => {
    const out = await run('spatial-lr-wald', { ...base, fe: 'twoways', leeYu: true }, { data: produc, w: await wP });
    const r = ref.models.lrwald_twoways_leeyu;
    const rows = rowsOf(out.table);
    expect(rows.map((x) => x.test)).toEqual(['LR SDM vs SAR: theta = 0', 'Wald SDM vs SAR: theta = 0', 'LR SDM vs SEM: theta + rho beta = 0', 'Wald SDM vs SEM: theta + rho beta = 0']);
    ['lr_sar', 'wald_sar', 'lr_sem', 'wald_sem'].forEach((k, i) => { expect(rows[i].df).toBe(4); expect(relErr(rows[i].statistic, r.statistic[k])).toBeLessThan(1e-8); });
    expect(relErr(stat(out.model, 'loglik_sem'), r.loglik.sem)).toBeLessThan(1e-12);
  });
  it('hausman and re on Grunfeld as plm (phtest, swar); the JSON says it is the non-spatial test', async () => {
    const p = { y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' } };
    const out = await run('hausman', p, { data: grunfeld });
    const row = rowsOf(out.table)[0];
    expect(relErr(row.statistic, ref.re.hausman.statistic)).toBeLessThan(1e-8);
    expect(row.df).toBe(2);
    expect(stat(out.model, 'note' as any)).toMatch(/non-spatial/);
    const re = (await run('re', p, { data: grunfeld })).model as ModelJson;
    const c = re.coefficients as { term: string; estimate: number; std_error: number }[];
    expect(c.map((x) => x.term)).toEqual(['(Intercept)', 'value', 'capital']);
    c.forEach((x) => { expect(relErr(x.estimate, ref.re.coef[x.term])).toBeLessThan(1e-10); expect(relErr(x.std_error, ref.re.se[x.term])).toBeLessThan(1e-10); });
    const tw = await run('hausman', { ...p, fe: 'twoways' }, { data: grunfeld });
    expect(relErr(rowsOf(tw.table)[0].statistic, ref.re.twoways_as_year_dummies.hausman.statistic)).toBeLessThan(1e-8);
  });
  it('the test tables stack with append (same columns, NaN where a column does not apply)', async () => {
    const w = await wP;
    const tables = [
      (await run('moran', { y: 'lgsp', panel: base.panel }, { data: produc, w })).table,
      (await run('spatial-lm', base, { data: produc, w })).table,
    ];
    const out = await appendNode.run({ ...ctx, params: appendNode.params.parse({}), inputs: { tables }, sources: { tables: [{ node: 'a' }, { node: 'b' }] } } as any);
    expect((out.table as ColumnTable).numRows()).toBe(21);
  });
});

describe('input errors name the node and what to do', () => {
  it('a constant y in a period', async () => {
    const flat = produc.derive({ lgsp: (d: any) => (d.year === 1975 ? 1 : d.lgsp) });
    await expect(run('moran', { y: 'lgsp', panel: base.panel }, { data: flat, w: await wP })).rejects.toThrow(/constant across units in period 1975/);
  });
  it('collinear regressors are a data error, not a crash', async () => {
    const dup = produc.derive({ lpc2: (d: any) => 2 * d.lpc });
    await expect(run('sem', { ...base, x: [...X, 'lpc2'] }, { data: dup, w: await wP })).rejects.toThrow(/collinear/);
    await expect(run('spatial-lm', { ...base, x: [...X, 'lpc2'] }, { data: dup, w: await wP })).rejects.toThrow(/collinear/);
  });
  it('hausman: an unbalanced panel names the missing unit-period', async () => {
    const g = grunfeld.filter((d: any) => !(d.firm === 3 && d.year === 1940));
    await expect(run('hausman', { y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' } }, { data: g })).rejects.toThrow(/\(3, 1940\)/);
  });
  it('unknown columns are named', async () => {
    await expect(run('spatial-lr-wald', { ...base, x: ['nope'] }, { data: produc, w: await wP })).rejects.toThrow(/nope/);
  });
});
