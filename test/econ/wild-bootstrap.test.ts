import { describe, it, expect } from 'vitest';
import { wildClusterBootstrap, bootstrapWeights, WEBB_WEIGHTS } from '../../src/econ/wild-bootstrap.js';
import { makeRng } from '../../src/econ/rng.js';
import { encodeFactor } from '../../src/econ/fe.js';
import { crossprod, crossprodVec, cholesky, choleskySolve, choleskyInverse } from '../../src/econ/linalg.js';

// A small clustered data set (12 clusters of uneven size), no fixed effects.
function data(seed: number, beta1: number) {
  const rng = makeRng(seed);
  const g: number[] = [], x1: number[] = [], x2: number[] = [], y: number[] = [];
  for (let c = 0; c < 12; c++) {
    const ce = rng.normal(), cy = rng.normal();
    for (let i = 0; i < 5 + (c % 4); i++) {
      const a = rng.normal() + 0.5 * ce, b = rng.normal();
      g.push(c); x1.push(a); x2.push(b); y.push(beta1 * a + 0.7 * b + cy + rng.normal());
    }
  }
  return { cluster: encodeFactor(Float64Array.from(g)), X: [Float64Array.from(x1), Float64Array.from(x2)], y: Float64Array.from(y) };
}

/** The bootstrap t by brute force: refit on y* and recompute the cluster SE. */
function bruteT(X: Float64Array[], ystar: Float64Array, codes: Int32Array, G: number, j: number, b0: number) {
  const k = X.length, L = cholesky(crossprod(X), k)!;
  const b = choleskySolve(L, k, crossprodVec(X, ystar));
  const A = choleskyInverse(L, k);
  const s = new Float64Array(G * k);
  for (let i = 0; i < ystar.length; i++) {
    let e = ystar[i]; for (let a = 0; a < k; a++) e -= X[a][i] * b[a];
    for (let a = 0; a < k; a++) s[codes[i] * k + a] += X[a][i] * e;
  }
  let v = 0;
  for (let gi = 0; gi < G; gi++) { let q = 0; for (let a = 0; a < k; a++) q += A[j * k + a] * s[gi * k + a]; v += q * q; }
  return (b[j] - b0) / Math.sqrt(v);
}

/**
 * The WCR bootstrap p-value of beta_0 = 0 by brute force: restricted fit (y on x2), then
 * y* = fit + v_g u with the seeded draws, refit and recompute the cluster t each time.
 */
function replay(d: ReturnType<typeof data>, seed: number, reps: number, draw: (rng: ReturnType<typeof makeRng>) => number) {
  const L = cholesky(crossprod([d.X[1]]), 1)!;
  const br = choleskySolve(L, 1, crossprodVec([d.X[1]], d.y))[0];
  const fitR = d.X[1].map((v) => v * br), u = d.y.map((v, i) => v - fitR[i]);
  const t0 = bruteT(d.X, d.y, d.cluster.codes, 12, 0, 0);
  const rng = makeRng(seed);
  let exceed = 0;
  for (let r = 0; r < reps; r++) {
    const v = Array.from({ length: 12 }, () => draw(rng));
    const ys = fitR.map((f, i) => f + v[d.cluster.codes[i]] * u[i]);
    if (Math.abs(bruteT(d.X, ys, d.cluster.codes, 12, 0, 0)) >= Math.abs(t0)) exceed++;
  }
  return { t0, p: exceed / reps };
}

describe('wildClusterBootstrap', () => {
  it('its fast cluster-level algebra equals refitting each bootstrap sample (Rademacher, 12 clusters)', () => {
    const d = data(3, 0.3);
    const res = wildClusterBootstrap({ ...d, term: 0, reps: 199, weights: 'rademacher', seed: 9, level: 0.95 });
    const rep = replay(d, 9, 199, (rng) => (rng.uniform() < 0.5 ? -1 : 1));
    expect(res.t_stat).toBeCloseTo(rep.t0, 10);
    expect(res.p_value).toBe(rep.p);
  });

  it('Webb weights are the six points -sqrt(3/2), -1, -sqrt(1/2), sqrt(1/2), 1, sqrt(3/2): mean 0, variance 1, each drawn with probability 1/6', () => {
    expect([...WEBB_WEIGHTS]).toEqual([-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)]);
    expect(WEBB_WEIGHTS.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 15);
    expect(WEBB_WEIGHTS.reduce((a, b) => a + b * b, 0) / 6).toBeCloseTo(1, 15);
    expect(WEBB_WEIGHTS.reduce((a, b) => a + b ** 4, 0) / 6).toBeCloseTo(7 / 6, 14); // Webb (2014): E v^4 = 7/6
    const v = bootstrapWeights(10_000, 12, 'webb', 3);
    const counts = WEBB_WEIGHTS.map((w) => v.filter((x) => x === w).length / v.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1); // nothing else is drawn
    for (const c of counts) expect(Math.abs(c - 1 / 6)).toBeLessThan(4 * Math.sqrt((1 / 6) * (5 / 6) / v.length));
  });

  it('with Webb weights, equals refitting each bootstrap sample (replay of the seeded draws)', () => {
    const d = data(4, 0.3);
    const res = wildClusterBootstrap({ ...d, term: 0, reps: 199, weights: 'webb', seed: 5, level: 0.95 });
    const six = [-Math.sqrt(1.5), -1, -Math.sqrt(0.5), Math.sqrt(0.5), 1, Math.sqrt(1.5)];
    expect(res.p_value).toBe(replay(d, 5, 199, (rng) => six[Math.floor(rng.uniform() * 6)]).p);
    expect(res.p_mc_se).toBeCloseTo(Math.sqrt(res.p_value * (1 - res.p_value) / 199), 15);
  });

  it('reports the Monte Carlo SE of each CI bound, which shrinks as 1 / sqrt(reps)', () => {
    const d = data(6, 0.5);
    const a = wildClusterBootstrap({ ...d, term: 0, reps: 999, weights: 'webb', seed: 2, level: 0.95 });
    const b = wildClusterBootstrap({ ...d, term: 0, reps: 9999, weights: 'webb', seed: 2, level: 0.95 });
    for (const k of ['conf_low_mc_se', 'conf_high_mc_se'] as const) {
      const ratio = a[k]! / b[k]!;
      expect(ratio, k).toBeGreaterThan(Math.sqrt(10) / 2);
      expect(ratio, k).toBeLessThan(Math.sqrt(10) * 2);
      expect(b[k]!).toBeLessThan(0.05 * (b.conf_high! - b.conf_low!));
    }
    // the two intervals agree within a few of their MC SEs
    expect(Math.abs(a.conf_low! - b.conf_low!)).toBeLessThan(4 * Math.hypot(a.conf_low_mc_se!, b.conf_low_mc_se!));
  });

  it('rejects a strong effect, not a null one, and its interval covers the estimate', () => {
    const strong = data(5, 2.0), nul = data(5, 0);
    const a = wildClusterBootstrap({ ...strong, term: 0, reps: 999, weights: 'webb', seed: 1, level: 0.95 });
    const b = wildClusterBootstrap({ ...nul, term: 0, reps: 999, weights: 'webb', seed: 1, level: 0.95 });
    expect(a.p_value).toBeLessThan(0.01);
    expect(b.p_value).toBeGreaterThan(0.05);
    expect(a.conf_low!).toBeGreaterThan(0.5);
    expect(a.conf_high!).toBeLessThan(3.5);
    expect(b.conf_low!).toBeLessThan(0);
    expect(b.conf_high!).toBeGreaterThan(0);
    // adding 2 x1 to y shifts the whole inverted test by exactly 2 (same draws)
    expect(a.conf_low! - b.conf_low!).toBeCloseTo(2, 5);
    expect(a.conf_high! - b.conf_high!).toBeCloseTo(2, 5);
  });

  it('is a pure function of its seed', () => {
    const d = data(7, 0.2);
    const run = (seed: number) => wildClusterBootstrap({ ...d, term: 1, reps: 499, weights: 'webb', seed, level: 0.9 });
    expect(run(11)).toEqual(run(11));
    expect(run(11).p_value).not.toBe(run(12).p_value + 1);
  });
});
