// The w-matrix, load-matrix, sar and sdm nodes, run directly (def.run with parsed params).
import { describe, it, expect } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as aq from 'arquero';
import { fromCSV } from 'arquero';
import { wMatrixNode } from '../../src/nodes/w-matrix.js';
import { loadMatrixNode } from '../../src/nodes/load-matrix.js';
import { sarNode } from '../../src/nodes/sar.js';
import { sdmNode } from '../../src/nodes/sdm.js';
import { getNode } from '../../src/nodes/index.js';
import { denseData, type IdMatrix, type ModelJson } from '../../src/ports/index.js';
import { simulateSdmPanel } from '../../src/econ/spatial/simulate.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const ref = JSON.parse(readFileSync(join(fixtures, 'produc_sar.json'), 'utf8'));
const ctx = { resolvePath: (p: string) => join(fixtures, p), nodeId: 'test' };
const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const produc = fromCSV(readFileSync(join(fixtures, 'produc.csv'), 'utf8')).derive({
  lgsp: (d: any) => Math.log(d.gsp), lpcap: (d: any) => Math.log(d.pcap),
  lpc: (d: any) => Math.log(d.pc), lemp: (d: any) => Math.log(d.emp),
});
const X = ['lpcap', 'lpc', 'lemp', 'unemp'];

async function run(def: any, params: unknown, inputs: Record<string, unknown> = {}) {
  return def.run({ ...ctx, params: def.params.parse(params), inputs });
}
const usaww = async (): Promise<IdMatrix> =>
  (await run(loadMatrixNode, { path: 'usaww.csv', ids: 'usaww_order.txt' })).matrix as IdMatrix;

describe('registration', () => {
  it('registers w-matrix, load-matrix, sar and sdm', () => {
    for (const t of ['w-matrix', 'load-matrix', 'sar', 'sdm']) expect(getNode(t)?.type).toBe(t);
  });
  it('load-matrix declares the files it reads', () => {
    expect(loadMatrixNode.files!(loadMatrixNode.params.parse({ path: 'w.csv', ids: 'ids.txt' }))).toEqual(['w.csv', 'ids.txt']);
  });
});

describe('load-matrix', () => {
  it('reads usaww with its 48 state ids, rows summing to one', async () => {
    const w = await usaww();
    expect(w.n).toBe(48);
    expect(w.ids[0]).toBe('ALABAMA');
    for (let i = 0; i < w.n; i++) expect(w.data.subarray(i * 48, i * 48 + 48).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('a non-numeric cell is an error naming (row id, column id)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-w-'));
    writeFileSync(join(dir, 'w.csv'), '0,1,0\n1,0,NA\n0,1,0\n');
    const def = loadMatrixNode;
    await expect((async () => def.run({ resolvePath: (p: string) => join(dir, p), nodeId: 'w', params: def.params.parse({ path: 'w.csv', ids: ['a', 'b', 'c'] }), inputs: {} }))())
      .rejects.toThrow(/\(b, c\)/);
  });

  it('a zero row is an error naming the unit; a wrong number of ids is an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-w-'));
    writeFileSync(join(dir, 'w.csv'), '0 1 0\n0 0 0\n1 0 0\n');
    const run2 = async (ids: string[]) => loadMatrixNode.run({ resolvePath: (p: string) => join(dir, p), nodeId: 'w', params: loadMatrixNode.params.parse({ path: 'w.csv', ids }), inputs: {} });
    await expect(run2(['a', 'b', 'c'])).rejects.toThrow(/b have no neighbours/);
    await expect(run2(['a', 'b'])).rejects.toThrow(/3 rows but there are 2 ids/);
  });
});

describe('w-matrix', () => {
  const units = aq.table({
    city: ['Shanghai', 'Nanjing', 'Hangzhou', 'Suzhou', 'Hefei'],
    lat: [31.23, 32.06, 30.27, 31.3, 31.82],
    lon: [121.47, 118.8, 120.15, 120.62, 117.23],
    gdp: [15.5, 14.1, 13.5, 16.2, 11.0],
  });

  it('builds a row-standardised kNN matrix over the units with its meta', async () => {
    const { matrix } = await run(wMatrixNode, { method: 'knn', k: 2 }, { units });
    expect(matrix.ids).toEqual(['Shanghai', 'Nanjing', 'Hangzhou', 'Suzhou', 'Hefei']);
    expect(matrix.meta).toEqual({ method: 'knn', standardize: 'row', k: 2 });
    expect(matrix.data).toBeUndefined(); // knn is stored sparse
    expect(Array.from(denseData(matrix).subarray(0, 5)).filter((v: number) => v > 0)).toEqual([0.5, 0.5]);
  });

  it('collapses a panel to one row per unit (gdp averaged)', async () => {
    const panel = aq.table({ city: ['A', 'A', 'B', 'B', 'C', 'C'], lat: [30, 30, 31, 31, 32, 32], lon: [120, 120, 121, 121, 119, 119], gdp: [1, 3, 5, 5, 2, 4] });
    const { matrix } = await run(wMatrixNode, { method: 'economic', standardize: 'none' }, { units: panel });
    expect(matrix.ids).toEqual(['A', 'B', 'C']);
    expect(matrix.data[0 * 3 + 1]).toBeCloseTo(1 / 3, 14); // |2 - 5|
  });

  it('missing coordinates are an error naming the unit', async () => {
    const bad = aq.table({ city: ['A', 'B', 'C'], lat: [30, NaN, 32], lon: [120, 121, 119] });
    await expect(run(wMatrixNode, { method: 'inverse-distance' }, { units: bad })).rejects.toThrow(/B have missing or non-numeric coordinates/);
  });

  it('a NaN gdp for the economic matrix is an error naming the unit', async () => {
    const bad = aq.table({ city: ['A', 'B', 'C'], lat: [30, 31, 32], lon: [120, 121, 119], gdp: [1, NaN, 3] });
    await expect(run(wMatrixNode, { method: 'economic' }, { units: bad })).rejects.toThrow(/B have no gdp/);
  });

  it('a unit left without neighbours by the cutoff is an error naming it', async () => {
    await expect(run(wMatrixNode, { method: 'inverse-distance', cutoffKm: 150 }, { units })).rejects.toThrow(/Hefei have no neighbours/);
  });

  it('the id/lat/lon columns are params', async () => {
    const t = aq.table({ code: ['A', 'B', 'C'], y: [30, 31, 32], x: [120, 121, 119] });
    const { matrix } = await run(wMatrixNode, { id: 'code', lat: 'y', lon: 'x' }, { units: t });
    expect(matrix.ids).toEqual(['A', 'B', 'C']);
  });
});

describe('sar node on Produc (reference/produc_sar.json)', () => {
  for (const [key, fe] of [['sar_individual', 'individual'], ['sar_twoways', 'twoways']] as const) {
    it(`${fe} FE: rho, beta, sigma2, loglik, SEs to 1e-6; effects in the model; no NaN`, async () => {
      const w = await usaww();
      const { model } = (await run(sarNode, { y: 'lgsp', x: X, fe, panel: { id: 'state', time: 'year' } }, { data: produc, w })) as { model: ModelJson };
      const r = ref[key];
      const s = model.stats as any;
      expect(model.estimator).toBe('sar');
      expect(relErr(s.rho, r.rho)).toBeLessThan(1e-6);
      expect(relErr(s.rho_se, r.se_analytical.rho)).toBeLessThan(1e-6);
      expect(relErr(s.sigma2, r.sigma2)).toBeLessThan(1e-6);
      expect(relErr(s.loglik, r.logLik)).toBeLessThan(1e-6);
      const coefs = model.coefficients as any[];
      expect(coefs.map((c) => c.term)).toEqual(X);
      coefs.forEach((c) => {
        expect(relErr(c.estimate, r.beta[c.term])).toBeLessThan(1e-6);
        expect(relErr(c.std_error, r.se_analytical[c.term])).toBeLessThan(1e-6);
      });
      const eff = model.effects as any;
      for (const kind of ['direct', 'indirect', 'total']) {
        eff[kind].forEach((e: any) => {
          expect(relErr(e.estimate, r.impacts_point[e.term][kind])).toBeLessThan(1e-6);
          // simulated: 1000 draws, different generator from R's
          expect(relErr(e.std_error, r.impacts_sim_sd[e.term][kind])).toBeLessThan(0.1);
        });
      }
      const vc = model.vcov as any;
      expect(vc.terms).toEqual([...X, 'rho']);
      expect(relErr(vc.matrix[4][0], r.vcov_analytical.rho.lpcap)).toBeLessThan(1e-6);
      expect(JSON.stringify(model)).not.toMatch(/NaN|Infinity/);
      expect(s.nobs).toBe(816);
      expect(s.fe).toBe(fe);
    });
  }

  it('row order of the data does not matter (sorted by (time, id) internally)', async () => {
    const w = await usaww();
    const params = { y: 'lgsp', x: X, fe: 'individual', panel: { id: 'state', time: 'year' } };
    const a = (await run(sarNode, params, { data: produc, w })).model as any;
    const b = (await run(sarNode, params, { data: produc.orderby(aq.desc('year'), 'unemp'), w })).model as any;
    expect(b.stats.rho).toBe(a.stats.rho);
    expect(b.effects.direct[0].std_error).toBe(a.effects.direct[0].std_error);
  });
});

describe('sdm node', () => {
  it('adds W*x rows for wx (default all of x) and effects for every x', async () => {
    const w = await usaww();
    const params = { y: 'lgsp', x: X, wx: ['lpcap', 'unemp'], fe: 'twoways', panel: { id: 'state', time: 'year' }, effects: { draws: 200, seed: 3 } };
    const { model } = (await run(sdmNode, params, { data: produc, w })) as { model: any };
    expect(model.estimator).toBe('sdm');
    expect(model.coefficients.map((c: any) => c.term)).toEqual([...X, 'W*lpcap', 'W*unemp']);
    expect(model.effects.total.map((e: any) => e.term)).toEqual(X);
    expect(model.vcov.terms).toEqual([...X, 'W*lpcap', 'W*unemp', 'rho']);
    const all = (await run(sdmNode, { ...params, wx: undefined }, { data: produc, w })).model as any;
    expect(all.coefficients).toHaveLength(8);
    // total effect of lpcap = (beta + theta) / (1 - rho) for a row-standardised W
    const b = model.coefficients[0].estimate, th = model.coefficients[4].estimate;
    expect(model.effects.total[0].estimate).toBeCloseTo((b + th) / (1 - model.stats.rho), 10);
    expect(model.stats.effects_draws).toBe(200);
  });

  it('leeYu is echoed in stats with the likelihood sample size (n-1)(T-1) for two-way FE', async () => {
    const w = await usaww();
    const { model } = (await run(sdmNode, { y: 'lgsp', x: X, fe: 'twoways', leeYu: true, panel: { id: 'state', time: 'year' }, effects: { draws: 100 } }, { data: produc, w })) as { model: any };
    expect(model.stats.lee_yu).toBe(true);
    expect(model.stats.likelihood_n).toBe(47 * 16);
  });

  it('wx naming a variable outside x is an error', async () => {
    const w = await usaww();
    await expect(run(sdmNode, { y: 'lgsp', x: X, wx: ['hwy'], panel: { id: 'state', time: 'year' } }, { data: produc, w })).rejects.toThrow(/hwy/);
  });
});

describe('w-matrix (knn) -> sdm on a simulated panel', () => {
  it('takes the envelope-LU route and recovers the parameters', async () => {
    const n = 120, T = 8;
    const sim = simulateSdmPanel({ n, T, k: 6, rho: 0.5, beta: [1, -1], theta: [0.5, 0.5], sigma: 0.5, seed: 11 });
    const units = aq.table({ city: sim.ids, lat: Array.from(sim.lat), lon: Array.from(sim.lon) });
    const rows = { city: [] as string[], year: [] as number[], y: [] as number[], x1: [] as number[], x2: [] as number[] };
    // shuffled row order: the node sorts by (time, id) itself
    for (let i = n - 1; i >= 0; i--) for (let t = 0; t < T; t++) {
      const r = t * n + i;
      rows.city.push(sim.ids[i]); rows.year.push(2001 + t); rows.y.push(sim.y[r]); rows.x1.push(sim.X[0][r]); rows.x2.push(sim.X[1][r]);
    }
    const { matrix } = await run(wMatrixNode, { method: 'knn', k: 6 }, { units });
    const { model } = (await run(sdmNode, { y: 'y', x: ['x1', 'x2'], panel: { id: 'city', time: 'year' }, leeYu: true, effects: { draws: 300 } }, { data: aq.table(rows), w: matrix })) as { model: any };
    expect(model.stats.logdet_method).toMatch(/envelope LU/);
    expect(model.stats.rho_interval).toEqual([-1, 1]);
    expect(Math.abs(model.stats.rho - 0.5)).toBeLessThan(3 * model.stats.rho_se);
    const truth: Record<string, number> = { x1: 1, x2: -1, 'W*x1': 0.5, 'W*x2': 0.5 };
    for (const c of model.coefficients) expect(Math.abs(c.estimate - truth[c.term])).toBeLessThan(3.5 * c.std_error);
    expect(model.stats.effects_method).toMatch(/Chebyshev/);
  });
});

describe('sar/sdm input errors', () => {
  const params = { y: 'lgsp', x: X, panel: { id: 'state', time: 'year' }, effects: { draws: 50 } };

  it('ids of the panel unknown to W are named', async () => {
    const w = await usaww();
    const data = produc.derive({ state: (d: any) => (d.state === 'OHIO' ? 'OHIO!' : d.state) });
    await expect(run(sarNode, params, { data, w })).rejects.toThrow(/W does not know: OHIO!/);
  });

  it("W's ids absent from the panel are named", async () => {
    const w = await usaww();
    const data = produc.filter((d: any) => d.state !== 'TEXAS');
    await expect(run(sarNode, params, { data, w })).rejects.toThrow(/absent from the panel's "state": TEXAS/);
  });

  it('an unbalanced panel names the missing unit-periods', async () => {
    const w = await usaww();
    const data = produc.filter((d: any) => !(d.state === 'IOWA' && d.year === 1975));
    await expect(run(sarNode, params, { data, w })).rejects.toThrow(/unbalanced: 1 unit-period\(s\) are missing: \(IOWA, 1975\)/);
  });

  it('a missing value is an error naming the cell', async () => {
    const w = await usaww();
    const data = produc.derive({ unemp: (d: any) => (d.state === 'UTAH' && d.year === 1980 ? NaN : d.unemp) });
    await expect(run(sarNode, params, { data, w })).rejects.toThrow(/"unemp" has missing values at \(UTAH, 1980\)/);
  });

  it("W's duplicated ids and missing periods are errors", async () => {
    const w = await usaww();
    const dupW = { ...w, ids: w.ids.map((v) => (v === 'OHIO' ? 'IOWA' : v)) };
    await expect(run(sarNode, params, { data: produc, w: dupW })).rejects.toThrow(/repeat IOWA/);
    const data = produc.derive({ year: (d: any) => (d.state === 'MAINE' && d.year === 1970 ? NaN : d.year) });
    await expect(run(sarNode, params, { data, w })).rejects.toThrow(/missing periods at \(MAINE, NaN\)/);
  });

  it('a W with a zero row or a NaN is an error naming the unit', async () => {
    const w = await usaww();
    const zero = { ...w, data: w.data.slice() };
    zero.data.fill(0, 3 * 48, 4 * 48);
    await expect(run(sarNode, params, { data: produc, w: zero })).rejects.toThrow(/CALIFORNIA have no neighbours/);
    const nan = { ...w, data: w.data.slice() };
    nan.data[5 * 48 + 1] = NaN;
    await expect(run(sarNode, params, { data: produc, w: nan })).rejects.toThrow(/non-finite weights in the row\(s\) of CONNECTICUT/);
  });
});
