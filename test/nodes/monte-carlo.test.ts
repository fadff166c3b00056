import { describe, it, expect } from 'vitest';
import { monteCarloNode, monteCarloParams } from '../../src/nodes/monte-carlo.js';
import { summariseDraws } from '../../src/econ/montecarlo.js';

const row = (term: string, estimate: number, se: number) => ({ term, estimate, std_error: se, conf_low: estimate - 2 * se, conf_high: estimate + 2 * se });
const fe = (b: number, se: number) => ({ estimator: 'fe', coefficients: [row('x', b, se)] });
const sdm = (b: number, rho: number, direct: number) => ({
  estimator: 'sdm', coefficients: [row('x', b, 0.1)], stats: { rho, rho_se: 0.06 }, effects: { direct: [row('x', direct, 0.2)] },
});
const src = (node: string, seed: number) => ({ node: `${node}[dataSeed=${seed}]`, port: 'model', branch: { dataSeed: seed } });

const run = (models: unknown[], msrc: object[], truths: unknown[], tsrc: object[], targets: object[]) =>
  (monteCarloNode.run({ params: monteCarloParams.parse({ targets }), inputs: { models, truth: truths }, nodeId: 'mc', resolvePath: (p: string) => p, sources: { models: msrc, truth: tsrc } } as any) as any).table;

describe('monte-carlo: estimates of every matrix copy against the truth of its data set', () => {
  it('summarises bias, sd, mean SE / sd and coverage by hand-checkable numbers', () => {
    const ests = [0.9, 1.1, 1.3, 0.7], ses = [0.1, 0.1, 0.2, 0.2];
    const models = ests.map((b, i) => fe(b, ses[i]));
    const t = run(models, ests.map((_, i) => src('fe_ris', i + 1)), ests.map(() => ({ ris: { total: 1 } })), ests.map((_, i) => ({ node: 'raw', port: 'truth', branch: { dataSeed: i + 1 } })),
      [{ node: 'fe_ris', quantity: 'x', truth: 'ris.total', label: 'FE' }]);
    const r = t.objects()[0];
    const sd = Math.sqrt((0.01 + 0.01 + 0.09 + 0.09) / 3);
    expect(r.target).toBe('FE');
    expect(r.draws).toBe(4);
    expect(r.mean).toBeCloseTo(1, 15);
    expect(r.bias).toBeCloseTo(0, 15);
    expect(r.sd).toBeCloseTo(sd, 15);
    expect(r.mean_se).toBeCloseTo(0.15, 15);
    expect(r.se_sd).toBeCloseTo(0.15 / sd, 14);
    // intervals est +- 2 se: 0.9 +- 0.2, 1.1 +- 0.2, 1.3 +- 0.4, 0.7 +- 0.4 all cover 1
    expect(r.coverage).toBe(1);
    expect(r.coverage_mc_se).toBeCloseTo(Math.sqrt(0.95 * 0.05 / 4), 15);
  });

  it('reads rho from stats (normal interval) and effects by "direct:<term>"; matches each draw with its own data set\'s truth', () => {
    const models = [sdm(1, 0.3, 2), sdm(1, 0.5, 2.5)];
    const truths = [{ rho: 0.4, d: 2 }, { rho: 0.6, d: 2.5 }];
    const t = run(models, [src('s', 2), src('s', 1)], truths, [{ node: 'raw', port: 'truth', branch: { dataSeed: 1 } }, { node: 'raw', port: 'truth', branch: { dataSeed: 2 } }],
      [{ node: 's', quantity: 'rho', truth: 'rho' }, { node: 's', quantity: 'direct:x', truth: 'd' }]).objects();
    // seed 2's model has rho 0.3 against truth 0.6; seed 1's 0.5 against 0.4
    expect(t[0].bias).toBeCloseTo(((0.3 - 0.6) + (0.5 - 0.4)) / 2, 15);
    expect(t[0].coverage).toBe(0.5); // 0.5 +- 1.96 x 0.06 covers 0.4; 0.3 +- 0.118 misses 0.6
    expect(t[1].bias).toBeCloseTo(((2 - 2.5) + (2.5 - 2)) / 2, 15);
    expect(t[0].target).toBe('s rho');
  });

  it('names a quantity a model lacks, and a node with no copies wired', () => {
    const models = [fe(1, 0.1)];
    expect(() => run(models, [src('fe_ris', 1)], [{ a: 1 }], [], [{ node: 'fe_ris', quantity: 'z', truth: 1 }])).toThrow(/no "z"/);
    expect(() => run(models, [src('fe_ris', 1)], [{ a: 1 }], [], [{ node: 'iv_ris', quantity: 'x', truth: 1 }])).toThrow(/"iv_ris.model\[\*\]"/);
    expect(() => run(models, [src('fe_ris', 1)], [{ a: 1 }], [], [{ node: 'fe_ris', quantity: 'x', truth: 'b.c' }])).toThrow(/no number at "b.c"/);
  });

  it('summariseDraws: bias MC SE is sd / sqrt(draws); no SEs -> no SE/sd and no coverage', () => {
    const s = summariseDraws([{ estimate: 1, std_error: null, conf_low: null, conf_high: null }, { estimate: 3, std_error: null, conf_low: null, conf_high: null }], [2, 2], 0.95);
    expect(s.bias_mc_se).toBeCloseTo(Math.SQRT2 / Math.SQRT2, 15);
    expect(s.se_sd).toBeNull();
    expect(s.coverage).toBeNull();
  });
});
