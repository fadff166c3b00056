import { describe, it, expect } from 'vitest';
import { clusterBootstrapAB, quantile7, sobel, stepwiseVerdict, type BootData } from '../../src/econ/mediation.js';
import { makeRng } from '../../src/econ/rng.js';
import { encodeFactor, isNested } from '../../src/econ/fe.js';

function panel(G: number, T: number, drop = 0): BootData {
  const rng = makeRng(3);
  const id: number[] = [], yr: number[] = [];
  for (let g = 0; g < G; g++) for (let t = 0; t < T; t++) if (!(drop && g < drop && t === 0)) { id.push(g); yr.push(t); }
  const n = id.length;
  const T0 = new Float64Array(n), C = new Float64Array(n), M = new Float64Array(n), Y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    T0[i] = id[i] * 0.1 + yr[i] * 0.05 + rng.normal();
    C[i] = rng.normal();
    M[i] = 0.5 * T0[i] + 0.2 * C[i] + rng.normal();
    Y[i] = 0.3 * T0[i] + 0.4 * M[i] + rng.normal();
  }
  const f = [encodeFactor(Float64Array.from(id)), encodeFactor(Float64Array.from(yr))];
  const cluster = encodeFactor(Float64Array.from(id));
  return { treatment: T0, controls: [C], stages: [{ mediator: M, outcome: Y }], factors: f, nestedInCluster: f.map((x) => isNested(x, cluster)), cluster };
}

describe('cluster bootstrap of a x b', () => {
  it('closed-form cross-products equal re-demeaning each draw (balanced two-way FE)', () => {
    const d = panel(20, 8);
    const fast = clusterBootstrapAB(d, { reps: 50, seed: 5, level: 0.9 });
    const slow = clusterBootstrapAB(d, { reps: 50, seed: 5, level: 0.9, general: true });
    expect(fast.stages[0].ci_low).toBeCloseTo(slow.stages[0].ci_low!, 9);
    expect(fast.stages[0].ci_high).toBeCloseTo(slow.stages[0].ci_high!, 9);
    expect(fast.stages[0].se).toBeCloseTo(slow.stages[0].se!, 9);
  });

  it('handles an unbalanced panel through the general path', () => {
    const d = panel(20, 8, 5);
    const r = clusterBootstrapAB(d, { reps: 50, seed: 5, level: 0.9 });
    expect(r.failed).toBe(0);
    expect(r.stages[0].ci_low!).toBeLessThan(r.stages[0].ci_high!);
  });

  it('one-way (unit) FE and no FE agree with the general path', () => {
    for (const keep of [[0], []]) {
      const d0 = panel(15, 6);
      const d = { ...d0, factors: keep.map((i) => d0.factors[i]), nestedInCluster: keep.map((i) => d0.nestedInCluster[i]) };
      const fast = clusterBootstrapAB(d, { reps: 30, seed: 2, level: 0.95 });
      const slow = clusterBootstrapAB(d, { reps: 30, seed: 2, level: 0.95, general: true });
      expect(fast.stages[0].se).toBeCloseTo(slow.stages[0].se!, 9);
    }
  });
});

describe('Sobel and the stepwise verdicts', () => {
  it('Sobel z = ab / sqrt(b^2 sa^2 + a^2 sb^2)', () => {
    const s = sobel({ estimate: 2, std_error: 0.5, p_value: 0 }, { estimate: 3, std_error: 1, p_value: 0 });
    expect(s.sobel_z).toBeCloseTo(6 / Math.sqrt(9 * 0.25 + 4), 12);
  });
  it('partial vs full mediation vs not supported', () => {
    const P = (estimate: number, p_value: number) => ({ estimate, std_error: 1, p_value });
    const eqs = { total: '(9)', a: '(8)', b: '(10)' }, names = { treatment: 'T', mediator: 'M', outcome: 'Y' };
    expect(stepwiseVerdict(eqs, names, { c: P(1, 0.01), a: P(1, 0.01), b: P(1, 0.01), cPrime: P(0.5, 0.01) }, 0.1).verdict).toBe('partial mediation');
    expect(stepwiseVerdict(eqs, names, { c: P(1, 0.01), a: P(1, 0.01), b: P(1, 0.01), cPrime: P(0.5, 0.3) }, 0.1).verdict).toBe('full mediation');
    const no = stepwiseVerdict(eqs, names, { c: P(1, 0.01), a: P(1, 0.2), b: P(1, 0.01), cPrime: P(0.5, 0.01) }, 0.1);
    expect(no.verdict).toBe('not supported');
    expect(no.reason).toMatch(/\(8\)/);
  });
  it('percentile quantiles follow R type 7', () => {
    expect(quantile7([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
  });
});

describe('Monte Carlo error of bootstrap CI bounds', () => {
  it('quantileMcSe matches the asymptotic sd of a sample quantile, sqrt(p (1 - p) / B) / f(q), for normal draws', async () => {
    const { quantileMcSe } = await import('../../src/econ/mediation.js');
    const { makeRng } = await import('../../src/econ/rng.js');
    const rng = makeRng(3), B = 9999;
    const v = Float64Array.from({ length: B }, () => rng.normal()).sort();
    const q = 1.959963984540054, dens = Math.exp(-q * q / 2) / Math.sqrt(2 * Math.PI);
    const want = Math.sqrt(0.025 * 0.975 / B) / dens; // 0.0267
    expect(quantileMcSe(v, 0.025) / want).toBeGreaterThan(0.8);
    expect(quantileMcSe(v, 0.025) / want).toBeLessThan(1.25);
    expect(quantileMcSe(v, 0.975) / want).toBeGreaterThan(0.8);
    expect(quantileMcSe(v, 0.975) / want).toBeLessThan(1.25);
  });

  it('ciVerdict says when the bound nearest zero is within 2 MC SEs of it', async () => {
    const { ciVerdict } = await import('../../src/econ/mediation.js');
    const stage = (lo: number, hi: number, mc: number) => ({ ci_low: lo, ci_high: hi, ci_low_mc_se: mc, ci_high_mc_se: mc, se: 1 });
    expect(ciVerdict(stage(0.01, 0.3, 0.002), 0.95, 9999)).toMatchObject({ excludes_zero: true, settled: true, text: 'the 95% bootstrap CI excludes zero' });
    const near = ciVerdict(stage(-0.0076, 0.3, 0.004), 0.95, 999)!;
    expect(near).toMatchObject({ excludes_zero: false, settled: false });
    expect(near.text).toBe('the 95% bootstrap CI includes zero, but its lower bound -0.0076 is within 2 Monte Carlo SEs (0.004) of zero with 999 resamples: another seed may say otherwise; raise bootstrap.reps');
    expect(ciVerdict(stage(-0.3, -0.001, 0.002), 0.9, 999)).toMatchObject({ excludes_zero: true, settled: false });
  });
});
