import { describe, it, expect } from 'vitest';
import { computeVcov, checkConvention, VCOV_TYPES } from '../../src/econ/vcov.js';
import { clusterMeat } from '../../src/econ/vcov-meat.js';
import { encodeFactor } from '../../src/econ/fe.js';
import { makeRng } from '../../src/econ/rng.js';
import { crossprod, choleskyInverse, cholesky } from '../../src/econ/linalg.js';

describe('covariance registry', () => {
  it('an unknown convention is an error listing the allowed ones', () => {
    expect(() => checkConvention('cluster', 'stata')).toThrow(/"stata-xtreg", "stata-slopes", "stata-areg", "cr0", "cr1", "plm-hc1", "cr2"/);
    expect(() => checkConvention('hetero', 'hc3')).toThrow(/"hc1", "hc0", "hc1-slopes"/);
    expect(Object.keys(VCOV_TYPES)).toEqual(['iid', 'hetero', 'cluster', 'ml']);
  });

  const rng = makeRng(8), n = 120;
  const X = [0, 1].map(() => Float64Array.from({ length: n }, () => rng.normal()));
  const u = Float64Array.from({ length: n }, () => rng.normal());
  const bread = choleskyInverse(cholesky(crossprod(X), 2)!, 2);
  const g1 = encodeFactor(Float64Array.from({ length: n }, (_, i) => i % 12));
  const g2 = encodeFactor(Float64Array.from({ length: n }, (_, i) => Math.floor(i / 10) % 5));

  it('clustering on singletons reproduces HC0; each convention applies its named factor and echoes it', () => {
    const each = encodeFactor(Float64Array.from({ length: n }, (_, i) => i));
    const hc0 = computeVcov({ type: 'hetero', convention: 'hc0' }, { X, bread, resid: u, nSlopes: 2, dofFE: 0 });
    const cr0 = computeVcov({ type: 'cluster', by: ['i'], convention: 'cr0' }, { X, bread, resid: u, nSlopes: 2, dofFE: 0, clusters: [each] });
    cr0.V.forEach((v, i) => expect(v).toBeCloseTo(hc0.V[i], 14));
    const st = computeVcov({ type: 'cluster', by: ['g'], convention: 'stata-xtreg' }, { X, bread, resid: u, nSlopes: 2, dofFE: 1, clusters: [g1], nonNestedDof: 0 });
    expect(st.kUsed).toBe(3);
    expect(st.factor).toBeCloseTo((12 / 11) * ((n - 1) / (n - 3)), 14);
    expect(st.dfT).toBe(11);
    expect(st.label).toBe('cluster(g)');
  });

  it('two-way clustering is M(g1) + M(g2) - M(g1 x g2) (Cameron, Gelbach & Miller)', () => {
    const two = computeVcov({ type: 'cluster', by: ['a', 'b'], convention: 'cr0' }, { X, bread, resid: u, nSlopes: 2, dofFE: 0, clusters: [g1, g2] });
    const inter = encodeFactor(Float64Array.from({ length: n }, (_, i) => g1.codes[i] * 100 + g2.codes[i]));
    const m = [g1, g2, inter].map((g) => clusterMeat(X, u, g));
    const meat = m[0].map((v, i) => v + m[1][i] - m[2][i]);
    // bread meat bread
    const bm = [0, 1, 2, 3].map((i) => { const r = Math.floor(i / 2), c = i % 2; let s = 0; for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) s += bread[r * 2 + a] * meat[a * 2 + b] * bread[b * 2 + c]; return s; });
    bm.forEach((v, i) => expect(two.V[i]).toBeCloseTo(v, 14));
    expect(two.nClusters).toBe(5);
  });

  it('an implicit score design [X + shift, 1] gives the V of the explicit one (hetero, one- and two-way cluster)', () => {
    const shift = Float64Array.from([3.5, -12]);
    const W = [...X.map((c, a) => c.map((v) => v + shift[a])), new Float64Array(n).fill(1)];
    const breadW = choleskyInverse(cholesky(crossprod(W), 3)!, 3);
    const reqs = [
      { type: 'hetero', convention: 'hc1' },
      { type: 'cluster', by: ['g'], convention: 'stata-xtreg' },
      { type: 'cluster', by: ['a', 'b'], convention: 'cr1' },
    ] as const;
    for (const req of reqs) {
      const clusters = req.type === 'cluster' ? (req.by.length === 1 ? [g1] : [g1, g2]) : undefined;
      const base = { bread: breadW, resid: u, nSlopes: 2, dofFE: 1, clusters, nonNestedDof: 0 };
      const explicit = computeVcov(req, { ...base, X: W });
      const implicit = computeVcov(req, { ...base, X, shift });
      const top = Math.max(...explicit.V.map(Math.abs));
      explicit.V.forEach((v, i) => expect(Math.abs(implicit.V[i] - v)).toBeLessThan(1e-10 * top)); // both to rounding (W is not well conditioned)
      expect(implicit.factor).toBe(explicit.factor);
    }
  });
});

