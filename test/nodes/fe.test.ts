import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as aq from 'arquero';
import { feNode, feParams, fitFeModel } from '../../src/nodes/fe.js';
import { FlowError } from '../../src/errors.js';

const fixture = (f: string) => new URL(`../fixtures/${f}`, import.meta.url);
const grunfeld = aq.fromCSV(readFileSync(fixture('grunfeld.csv'), 'utf8'));
const ref = JSON.parse(readFileSync(fixture('grunfeld_fe.json'), 'utf8'));
const war2 = JSON.parse(readFileSync(fixture('grunfeld_fixest_extra.json'), 'utf8'));
const TOL = 1e-13; // achieved: every estimate, SE, R2 and F below 1e-13 (the reference prints 15 digits); p-values to 1e-12

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// reference SE variant -> the fe node's vcov param
const VARIANTS: Record<string, unknown> = {
  classical: 'iid',
  fixest_iid: 'iid',
  HC0_white1: 'hc0',
  HC1_white1_plm: 'hc1-slopes',
  HC1_fe_counted: 'hc1',
  fixest_hetero: 'hc1',
  CR0_arellano: { cluster: 'firm', convention: 'cr0' },
  CR_arellano_HC1_plm: { cluster: 'firm', convention: 'plm-hc1' },
  CR_arellano_sss_plm: { cluster: 'firm', convention: 'stata-slopes' },
  CR1_stata_K_slopes: { cluster: 'firm', convention: 'stata-slopes' },
  CR1S_clubSandwich: { cluster: 'firm', convention: 'stata-slopes' },
  CR1_stata_xtreg: { cluster: 'firm', convention: 'stata-xtreg' },
  fixest_cluster: { cluster: 'firm', convention: 'stata-xtreg' },
  CR1_stata_areg: { cluster: 'firm', convention: 'stata-areg' },
  CR1_clubSandwich: { cluster: 'firm', convention: 'cr1' },
  CR2_clubSandwich: { cluster: 'firm', convention: 'cr2' },
};

const CASES = [
  ['oneway_firm', ['firm']],
  ['twoways_firm_year', ['firm', 'year']],
] as const;

type Model = {
  coefficients: { term: string; estimate: number; std_error: number; statistic: number; p_value: number; conf_low: number; conf_high: number }[];
  stats: Record<string, any>;
  vcov: { terms: string[]; matrix: number[][] };
  [k: string]: unknown;
};
const fit = (p: Record<string, unknown>) => fitFeModel(grunfeld, feParams.parse({ y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, ...p })) as unknown as Model;

describe('fe reproduces plm / fixest / clubSandwich on Grunfeld (grunfeld_fe.json)', () => {
  for (const [name, fe] of CASES) {
    const r = ref[name];
    describe(`${name}: fe = [${fe.join(', ')}]`, () => {
      it('estimates, within R2, adjusted within R2, SSR, sigma2, df and the classical F', () => {
        const m = fit({ fe: [...fe], vcov: 'iid' });
        for (const term of r.coef_names) expect(rel(m.coefficients.find((c) => c.term === term)!.estimate, r.estimates[term])).toBeLessThan(TOL);
        expect(rel(m.stats.r2_within, r.r2_within)).toBeLessThan(TOL);
        // adjusted within R2 as fixest's war2 / reghdfe (grunfeld_fixest_extra.json), not plm's (N - 1) / df_resid
        expect(rel(m.stats.r2_within_adj, war2[name].war2)).toBeLessThan(TOL);
        expect(rel(m.stats.r2_adj, war2[name].ar2)).toBeLessThan(TOL);
        expect(rel(m.stats.r2, war2[name].r2)).toBeLessThan(TOL);
        expect(rel(m.stats.ssr, r.ssr)).toBeLessThan(TOL);
        expect(rel(m.stats.sigma ** 2, r.sigma2)).toBeLessThan(TOL);
        expect(m.stats.df_resid).toBe(r.df_residual);
        expect(m.stats.fe_dof).toBe(r.n_fe_dof_absorbed);
        expect(m.stats.nobs).toBe(r.N);
        expect(rel(m.stats.f_classical, r.F_test_classical.statistic)).toBeLessThan(TOL);
        expect(rel(m.stats.f_classical_p, r.F_test_classical.p)).toBeLessThan(1e-12);
      });
      for (const [variant, vcov] of Object.entries(VARIANTS)) {
        it(`${variant}: SE, t, p and the Wald F of all slopes`, () => {
          const m = fit({ fe: [...fe], vcov });
          const want = r.se[variant];
          for (const term of r.coef_names) {
            const c = m.coefficients.find((x) => x.term === term)!;
            expect(rel(c.std_error, want.se[term])).toBeLessThan(TOL);
            expect(rel(c.statistic, want.stat[term])).toBeLessThan(TOL);
            expect(rel(c.p_value, want.p[term])).toBeLessThan(1e-12);
          }
          expect(`t(${m.stats.t_df})`).toBe(want.p_reference_distribution);
          expect(rel(m.stats.f, r.wald_F_all_slopes[variant].F)).toBeLessThan(TOL);
        });
      }
      it('plm pwaldtest (cluster, sss) F and p', () => {
        const m = fit({ fe: [...fe], vcov: { cluster: 'firm', convention: 'stata-slopes' } });
        expect(rel(m.stats.f, r.plm_pwaldtest_cluster_sss.statistic)).toBeLessThan(TOL);
        expect(m.stats.f_df2).toBe(r.plm_pwaldtest_cluster_sss.df2);
        expect(rel(m.stats.f_p, r.plm_pwaldtest_cluster_sss.p)).toBeLessThan(1e-12);
      });
      it('echoes the small-sample factor of each cluster convention', () => {
        const f = r.small_sample_factors;
        const conv = (c: string) => fit({ fe: [...fe], vcov: { cluster: 'firm', convention: c } }).stats;
        expect(rel(conv('stata-slopes').vcov_factor, f.stata_K_slopes)).toBeLessThan(1e-12);
        expect(rel(conv('stata-xtreg').vcov_factor, f.stata_K_xtreg)).toBeLessThan(1e-12);
        expect(conv('stata-xtreg').vcov_k).toBe(f.K_xtreg);
        expect(rel(conv('stata-areg').vcov_factor, f.stata_K_areg)).toBeLessThan(1e-12);
        expect(conv('stata-areg').vcov_k).toBe(f.K_areg);
        expect(rel(conv('plm-hc1').vcov_factor, f.plm_HC1)).toBeLessThan(1e-12);
      });
    });
  }

  it('defaults to cluster by the panel id with the Stata xtreg factor, and says so', () => {
    const m = fit({});
    expect(m.stats.fe).toEqual(['firm', 'year']);
    expect(m.stats.vcov).toBe('cluster(firm)');
    expect(m.stats.vcov_convention).toBe('stata-xtreg');
    expect(m.stats.n_clusters).toBe(10);
    const se = ref.twoways_firm_year.se.CR1_stata_xtreg.se;
    expect(rel(m.coefficients[0].std_error, se.value)).toBeLessThan(TOL);
  });

  it('reports the constant as Stata xtreg, fe does (ybar - xbar b; Stata manual: -58.74393, se 12.45369)', () => {
    const m = fit({ fe: ['firm'], vcov: 'iid' });
    const cons = m.coefficients.find((c) => c.term === '_cons')!;
    expect(cons.estimate).toBeCloseTo(-58.74393, 4);
    expect(cons.std_error).toBeCloseTo(12.45369, 4);
    const n = grunfeld.numRows();
    const mean = (c: string) => (grunfeld.array(c) as number[]).reduce((a, b) => a + b, 0) / n;
    const b = m.coefficients;
    expect(rel(cons.estimate, mean('inv') - mean('value') * b[0].estimate - mean('capital') * b[1].estimate)).toBeLessThan(1e-12);
  });

  it('fe: [] is pooled OLS with a constant (R lm(inv ~ value + capital): -42.714 (9.512), 0.11556 (0.00584), 0.23068 (0.02548), R2 0.8124)', () => {
    const m = fit({ fe: [], vcov: 'iid' });
    const [v, c, k] = m.coefficients;
    expect(k.term).toBe('_cons');
    expect(k.estimate).toBeCloseTo(-42.71437, 4);
    expect(k.std_error).toBeCloseTo(9.51168, 4);
    expect(v.estimate).toBeCloseTo(0.1155622, 6);
    expect(v.std_error).toBeCloseTo(0.0058357, 6);
    expect(c.estimate).toBeCloseTo(0.2306785, 6);
    expect(c.std_error).toBeCloseTo(0.0254758, 6);
    expect(m.stats.r2).toBeCloseTo(0.8124, 4);
    expect(m.stats.r2).toBeCloseTo(m.stats.r2_within, 12); // demeaning by a constant is centring
    expect(m.stats.df_resid).toBe(197);
  });

  it('returns the full covariance matrix over the coefficient rows (for Wald tests downstream)', () => {
    const m = fit({ fe: ['firm', 'year'] });
    expect(m.vcov.terms).toEqual(['value', 'capital', '_cons']);
    m.coefficients.forEach((c, i) => expect(rel(Math.sqrt(m.vcov.matrix[i][i]), c.std_error)).toBeLessThan(1e-14));
    expect(m.vcov.matrix[0][1]).toBe(m.vcov.matrix[1][0]);
  });

  it('writes JSON without NaN or Infinity', () => {
    const m = fit({ fe: ['firm'] });
    const text = JSON.stringify(m);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(m)));
    expect(fit({ fe: ['firm'], vcov: 'hc1' }).stats.n_clusters).toEqual({ applicable: false, reason: 'not a cluster covariance' });
  });

  it('runs as a node (def.run)', async () => {
    const out = await feNode.run({ params: feParams.parse({ y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' } }), inputs: { data: grunfeld }, resolvePath: (p) => p, nodeId: 'baseline' });
    expect((out.model as Model).estimator).toBe('fe');
  });

  it('two-way clustering (firm and year) is the CGM combination with G = min(G1, G2)', () => {
    const m = fit({ fe: ['firm'], vcov: { cluster: ['firm', 'year'] } });
    expect(m.stats.vcov).toBe('cluster(firm, year)');
    expect(m.stats.n_clusters).toBe(10);
    expect(m.stats.t_df).toBe(9);
    // fixest: feols(inv ~ value + capital | firm, cluster = ~firm + year) (grunfeld_fixest_extra.json)
    for (const c of m.coefficients.filter((x) => x.term !== '_cons')) expect(rel(c.std_error, war2.twoway_cluster.se[c.term]), c.term).toBeLessThan(TOL);
  });
});

describe('fe: data problems are clear errors', () => {
  const catchErr = (f: () => unknown): FlowError => { try { f(); } catch (e) { return e as FlowError; } throw new Error('no error'); };

  it('an unknown column is named, with the closest one of the table', () => {
    const e = catchErr(() => fit({ x: ['value', 'kapital'] }));
    expect(e).toBeInstanceOf(FlowError);
    expect(e.message).toMatch(/"kapital"/);
    expect(e.message).toMatch(/did you mean capital\?/);
  });

  it('a time-invariant regressor with unit FE is named as absorbed', () => {
    const t = grunfeld.derive({ size: (d: any) => d.firm * 2 });
    const e = catchErr(() => fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'size'], fe: ['firm'], vcov: 'iid' })));
    expect(e.kind).toBe('data');
    expect(e.message).toMatch(/size does not vary within the fixed effects \(firm\)/);
  });

  it('collinear: "drop" drops and lists it instead', () => {
    const t = grunfeld.derive({ size: (d: any) => d.firm * 2 });
    const m = fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'size', 'capital'], fe: ['firm'], vcov: 'iid', collinear: 'drop' })) as unknown as Model;
    expect(m.dropped).toEqual([{ term: 'size', reason: 'absorbed by the fixed effects' }]);
    expect(rel(m.coefficients[0].estimate, ref.oneway_firm.estimates.value)).toBeLessThan(TOL);
  });

  it('a singular design names the collinear regressors', () => {
    const t = grunfeld.derive({ v2: (d: any) => 2 * d.value - d.capital });
    const e = catchErr(() => fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'capital', 'v2'], fe: ['firm'] })));
    expect(e.message).toMatch(/v2 is collinear with the other regressors \(singular design\)/);
  });

  it('NaN cells are named by (id, time)', () => {
    const t = grunfeld.derive({ value: aq.escape((d: any) => (d.firm === 3 && d.year === 1940 ? NaN : d.value)) });
    const e = catchErr(() => fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' } })));
    expect(e.message).toMatch(/column "value" has missing values .* at \(3, 1940\)/);
  });

  it('an unknown covariance convention lists the allowed ones', () => {
    expect(() => feParams.parse({ y: 'inv', x: ['value'], vcov: { cluster: 'firm', convention: 'stata' } })).toThrow(/stata-xtreg/);
  });
});

describe('fe on unbalanced panels and singletons', () => {
  it('drops singletons iteratively and reports how many rows', () => {
    // drop most of firm 10's years: firm 10 keeps one row (a singleton)
    const t = grunfeld.filter((d: any) => d.firm !== 10 || d.year === 1935).reify();
    const m = fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'capital'], fe: ['firm'], vcov: 'iid' })) as unknown as Model;
    expect(m.stats.singletons_dropped).toBe(1);
    expect(m.stats.nobs).toBe(180);
    const kept = fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'capital'], fe: ['firm'], vcov: 'iid', dropSingletons: false })) as unknown as Model;
    expect(kept.stats.nobs).toBe(181);
    expect(rel(kept.coefficients[0].estimate, m.coefficients[0].estimate)).toBeLessThan(1e-10); // a singleton carries no slope information
  });

  it('matches least squares with dummy variables on an unbalanced two-way panel', () => {
    const t = grunfeld.filter((d: any) => (d.firm * 7 + d.year * 3) % 5 !== 0).reify();
    const m = fitFeModel(t, feParams.parse({ y: 'inv', x: ['value', 'capital'], fe: ['firm', 'year'], vcov: 'iid' })) as unknown as Model;
    // dense LSDV by normal equations on [value, capital, firm dummies, year dummies (one dropped)]
    const n = t.numRows();
    const firms = [...new Set(t.array('firm') as number[])].sort((a, b) => a - b);
    const years = [...new Set(t.array('year') as number[])].sort((a, b) => a - b).slice(1);
    const cols: number[][] = [t.array('value') as number[], t.array('capital') as number[],
      ...firms.map((f) => (t.array('firm') as number[]).map((v) => (v === f ? 1 : 0))),
      ...years.map((y) => (t.array('year') as number[]).map((v) => (v === y ? 1 : 0)))];
    const y = t.array('inv') as number[];
    const k = cols.length;
    const A = Array.from({ length: k }, (_, a) => Array.from({ length: k + 1 }, (_, b) => {
      let s = 0; for (let i = 0; i < n; i++) s += cols[a][i] * (b < k ? cols[b][i] : y[i]); return s;
    }));
    for (let c = 0; c < k; c++) { // Gauss-Jordan
      let p = c; for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
      [A[c], A[p]] = [A[p], A[c]];
      for (let r = 0; r < k; r++) if (r !== c) { const f = A[r][c] / A[c][c]; for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j]; }
    }
    expect(rel(m.coefficients[0].estimate, A[0][k] / A[0][0])).toBeLessThan(1e-9);
    expect(rel(m.coefficients[1].estimate, A[1][k] / A[1][1])).toBeLessThan(1e-9);
    expect(m.stats.fe_dof).toBe(firms.length + years.length);
  });
});

describe('fe: wild cluster bootstrap (few clusters)', () => {
  const params = { y: 'inv', x: ['value', 'capital'], fe: ['firm', 'year'], panel: { id: 'firm', time: 'year' }, vcov: { cluster: 'firm' } };
  it('is reproducible from its seed and reports a p-value and an interval around the estimate', () => {
    const a = fit({ ...params, wildBootstrap: { term: 'capital', reps: 999, weights: 'webb', seed: 42 } }) as any;
    const b = fit({ ...params, wildBootstrap: { term: 'capital', reps: 999, weights: 'webb', seed: 42 } }) as any;
    expect(a.wild_bootstrap).toEqual(b.wild_bootstrap);
    const est = a.coefficients.find((c: any) => c.term === 'capital').estimate;
    expect(a.wild_bootstrap.p_value).toBeLessThan(0.05);
    expect(a.wild_bootstrap.p_value).toBeGreaterThan(0); // 10 clusters: far from the t(9) p of 4e-5
    expect(a.wild_bootstrap.conf_low).toBeLessThan(est);
    expect(a.wild_bootstrap.conf_high).toBeGreaterThan(est);
    expect(a.wild_bootstrap.t_stat).toBeCloseTo(a.coefficients.find((c: any) => c.term === 'capital').statistic, 8);
  });
  it('needs a one-way cluster covariance and a known term', () => {
    expect(() => fit({ ...params, vcov: 'hc1', wildBootstrap: { term: 'capital', seed: 1 } })).toThrow(/one-way cluster/);
    expect(() => fit({ ...params, wildBootstrap: { term: 'kapital', seed: 1 } })).toThrow(/value, capital/);
  });
});

describe('fe model F with few clusters', () => {
  it('reports the joint Wald F as not applicable when there are more slopes than G - 1', () => {
    const twoFirms = grunfeld.filter((d: any) => d.firm <= 2);
    const m = fitFeModel(twoFirms, feParams.parse({
      y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, fe: ['firm', 'year'],
    })) as any;
    expect(m.stats.n_clusters).toBe(2);
    expect(m.stats.f).toMatchObject({ applicable: false });
    expect(m.stats.f_p).toMatchObject({ applicable: false });
    // the slopes themselves are still estimated and reported
    expect(m.coefficients.map((c: any) => c.term)).toEqual(['value', 'capital', '_cons']);
  });

  it('reports the F when the cluster covariance has enough rank', () => {
    const m = fitFeModel(grunfeld, feParams.parse({
      y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, fe: ['firm', 'year'],
    })) as any;
    // the cluster-robust Wald F of plm / Stata (grunfeld_fe.json), with G - 1 = 9 > k = 2
    expect(rel(m.stats.f, ref.twoways_firm_year.wald_F_all_slopes.CR1_stata_xtreg.F)).toBeLessThan(TOL);
    expect([m.stats.f_df1, m.stats.f_df2]).toEqual([2, 9]);
  });

  it('does not report the F of k slopes from k + 1 clusters (no degrees of freedom left), saying why', () => {
    const four = grunfeld.filter((d: any) => d.firm <= 4);
    const m = fitFeModel(four, feParams.parse({ y: 'inv', x: ['value', 'capital', 'year'], panel: { id: 'firm', time: 'year' }, fe: ['firm'] })) as any;
    expect(m.stats.n_clusters).toBe(4);
    expect(m.stats.f).toEqual({ applicable: false, reason: '3 slopes from 4 clusters: the cluster-robust covariance (rank at most G - 1 = 3) leaves no degrees of freedom for a joint test; it needs more than k + 1 clusters' });
    const three = fitFeModel(four, feParams.parse({ y: 'inv', x: ['value', 'capital'], panel: { id: 'firm', time: 'year' }, fe: ['firm'] })) as any;
    expect(typeof three.stats.f).toBe('number');
  });
});
