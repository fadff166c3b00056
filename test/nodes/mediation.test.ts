import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromCSV } from 'arquero';
import { fitMediation } from '../../src/nodes/mediation.js';

const here = new URL('../fixtures/', import.meta.url);
const ref = JSON.parse(readFileSync(new URL('grunfeld_mediation.json', here), 'utf8')).mediation;
const grunfeld = fromCSV(readFileSync(new URL('grunfeld.csv', here), 'utf8')).derive({ year_trend: (d: any) => d.year - 1935 });
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

const base = {
  treatment: 'value', mediator: 'capital', outcome: 'inv',
  panel: { id: 'firm', time: 'year' }, vcov: 'iid' as const,
};

describe('mediation on Grunfeld (two-way FE, classical SEs)', () => {
  const m = fitMediation(grunfeld, { ...base, bootstrap: { reps: 999, seed: 7, level: 0.95 } } as any) as any;

  it('matches plm paths a, b, c, c\' and their SEs to 1e-6', () => {
    expect(rel(m.paths.a.estimate, ref.a)).toBeLessThan(1e-13);
    expect(rel(m.paths.a.std_error, ref.se_a)).toBeLessThan(1e-13);
    expect(rel(m.paths.b.estimate, ref.b)).toBeLessThan(1e-13);
    expect(rel(m.paths.b.std_error, ref.se_b)).toBeLessThan(1e-13);
    expect(rel(m.paths.c.estimate, ref.c_total)).toBeLessThan(1e-13);
    expect(rel(m.paths.c.std_error, ref.se_c)).toBeLessThan(1e-13);
    expect(rel(m.paths.c_prime.estimate, ref.c_prime_direct)).toBeLessThan(1e-13);
    expect(rel(m.paths.c_prime.std_error, ref.se_c_prime)).toBeLessThan(1e-13);
  });

  it('matches the indirect effect, Sobel se, z and p to 1e-6, and c - c\' = a b', () => {
    expect(rel(m.indirect.estimate, ref.indirect_ab)).toBeLessThan(1e-13);
    expect(rel(m.indirect.check_c_minus_c_prime, ref.check_c_minus_cprime)).toBeLessThan(1e-13);
    expect(rel(m.indirect.sobel_se, ref.sobel_se)).toBeLessThan(1e-13);
    expect(rel(m.indirect.sobel_z, ref.sobel_z)).toBeLessThan(1e-13);
    expect(rel(m.indirect.sobel_p, ref.sobel_p_two_sided)).toBeLessThan(1e-13);
    expect(rel(m.share_mediated, ref.indirect_ab / ref.c_total)).toBeLessThan(1e-9);
  });

  it('uses the same residual df as plm in each equation', () => {
    const eq = m.stages[0].equations;
    expect(eq.a.model.stats.df_resid).toBe(ref.df_residual.a);
    expect(eq.b.model.stats.df_resid).toBe(ref.df_residual.b);
    expect(eq.total.model.stats.df_resid).toBe(ref.df_residual.c);
  });

  it('labels the stepwise verdicts as the paper\'s procedure, one per step', () => {
    expect(m.stepwise.label).toMatch(/paper's stepwise procedure/);
    expect(m.stepwise.steps).toHaveLength(4);
    expect(m.stepwise.verdict).toBe('partial mediation');
    expect(m.stages[0].equations.a.eq).toBe('(8)');
  });

  it('gives a seeded cluster bootstrap CI that brackets a b, reproducibly', () => {
    expect(m.indirect.boot_ci_low).toBeLessThan(m.indirect.estimate);
    expect(m.indirect.boot_ci_high).toBeGreaterThan(m.indirect.estimate);
    const again = fitMediation(grunfeld, { ...base, bootstrap: { reps: 999, seed: 7, level: 0.95 } } as any) as any;
    expect(again.indirect.boot_ci_low).toBe(m.indirect.boot_ci_low);
    const other = fitMediation(grunfeld, { ...base, bootstrap: { reps: 999, seed: 8, level: 0.95 } } as any) as any;
    expect(other.indirect.boot_ci_low).not.toBe(m.indirect.boot_ci_low);
    expect(m.bootstrap).toMatchObject({ reps: 999, cluster: 'firm', failed: 0 });
  });

  it('bootstraps 9,999 resamples by default and reports the Monte Carlo SE of each CI bound, with a verdict on zero', () => {
    const m = fitMediation(grunfeld, base as any) as any;
    expect(m.bootstrap.reps).toBe(9999);
    const ind = m.indirect;
    // the bounds' MC SE is small next to the interval, and settles the verdict here
    expect(ind.boot_ci_low_mc_se).toBeGreaterThan(0);
    expect(ind.boot_ci_low_mc_se).toBeLessThan(0.05 * (ind.boot_ci_high - ind.boot_ci_low));
    expect(ind.boot_verdict).toMatchObject({ excludes_zero: ind.boot_ci_low > 0 || ind.boot_ci_high < 0, settled: true });
    // 999 resamples: the MC SE is about sqrt(10) times larger
    const small = (fitMediation(grunfeld, { ...base, bootstrap: { reps: 999, seed: 1, level: 0.95 } } as any) as any).indirect;
    const ratio = small.boot_ci_low_mc_se / ind.boot_ci_low_mc_se;
    expect(ratio).toBeGreaterThan(Math.sqrt(10) / 2);
    expect(ratio).toBeLessThan(Math.sqrt(10) * 2);
  });

  it('runs the two-stage chain (5)-(7) then (8)-(10)', () => {
    const chain = fitMediation(grunfeld, {
      treatment: 'year_trend', mediator: ['capital', 'value'], outcome: 'inv', panel: { id: 'firm', time: 'year' }, fe: ['firm'],
      bootstrap: { reps: 99, seed: 1, level: 0.95 },
    } as any, 'med') as any;
    expect(chain.stages.map((s: any) => s.equations.a.eq)).toEqual(['(5)', '(8)']);
    expect(chain.stages[0].outcome).toBe('value');
    expect(chain.stages[1].mediator).toBe('value');
  });
});
