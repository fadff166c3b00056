// The linear algebra behind the estimators, checked against ml-matrix on small cases.
import { describe, it, expect } from 'vitest';
import { Matrix, EigenvalueDecomposition, inverse } from 'ml-matrix';
import { symmetricEigenvalues } from '../../../src/econ/spatial/symeig.js';
import { symmetricScaling } from '../../../src/econ/spatial/similarity.js';
import { prepareW, inverseAt, effectScalars } from '../../../src/econ/spatial/setup.js';
import { buildWeights } from '../../../src/econ/spatial/weights.js';
import { brentMinimize } from '../../../src/econ/spatial/optimize.js';
import { makeRng } from '../../../src/econ/rng.js';

function randomUnits(n: number, seed: number) {
  const rng = makeRng(seed);
  return {
    ids: Array.from({ length: n }, (_, i) => `u${i}`),
    lat: Float64Array.from({ length: n }, () => 30 + 5 * rng.uniform()),
    lon: Float64Array.from({ length: n }, () => 115 + 8 * rng.uniform()),
    gdp: Float64Array.from({ length: n }, () => 1 + rng.uniform()),
  };
}

const toMatrix = (a: Float64Array, n: number) => new Matrix(Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, i * n + n))));

function logdetByMlMatrix(w: Float64Array, n: number, rho: number): number {
  // sum of log|1 - rho lambda| over the (complex) eigenvalues
  const e = new EigenvalueDecomposition(toMatrix(w, n));
  return e.realEigenvalues.reduce((s, re, i) => s + Math.log(Math.hypot(1 - rho * re, rho * e.imaginaryEigenvalues[i])), 0);
}

describe('symmetricEigenvalues', () => {
  it('matches ml-matrix on a random symmetric 40 x 40 matrix to 1e-12', () => {
    const n = 40, rng = makeRng(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = rng.normal(); a[i * n + j] = v; a[j * n + i] = v; }
    const ref = new EigenvalueDecomposition(toMatrix(a, n), { assumeSymmetric: true }).realEigenvalues.sort((x, y) => x - y);
    const ev = symmetricEigenvalues(a.slice(), n);
    ref.forEach((v, i) => expect(Math.abs(ev[i] - v)).toBeLessThan(1e-12));
  });
});

describe('prepareW', () => {
  const n = 30;
  const u = randomUnits(n, 11);

  it('row-standardised inverse distance is symmetric-similar: real eigenvalues, the largest is 1', () => {
    const w = buildWeights(u, { method: 'inverse-distance', power: 1, k: 0, standardize: 'row' });
    expect(symmetricScaling(w, n)).not.toBeNull();
    const s = prepareW(w, n);
    expect(s.route).toBe('symmetric-eigen');
    expect(s.eigenvalues![n - 1]).toBeCloseTo(1, 12);
    expect(s.logdet(0.4)).toBeCloseTo(logdetByMlMatrix(w, n, 0.4), 10);
  });

  it('kNN takes the envelope-LU route; its log-determinant equals the complex-eigenvalue sum', () => {
    const w = buildWeights(u, { method: 'knn', power: 1, k: 4, standardize: 'row' });
    const s = prepareW(w, n);
    expect(s.route).toBe('envelope-lu');
    expect(s.interval).toEqual([-1, 1]);
    for (const rho of [-0.8, -0.2, 0.3, 0.9]) expect(s.logdet(rho)).toBeCloseTo(logdetByMlMatrix(w, n, rho), 10);
  });

  it('inverseAt equals the dense inverse on both routes', () => {
    for (const method of ['knn', 'inverse-distance'] as const) {
      const w = buildWeights(u, { method, power: 1, k: 4, standardize: 'row' });
      const s = prepareW(w, n);
      const A = new Float64Array(n * n);
      for (let i = 0; i < n * n; i++) A[i] = -0.6 * w[i];
      for (let i = 0; i < n; i++) A[i * n + i] += 1;
      const ref = inverse(toMatrix(A, n));
      const got = inverseAt(s, 0.6);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(got[i * n + j]).toBeCloseTo(ref.get(i, j), 12);
    }
  });

  it('effect scalars of the draws (Chebyshev-differentiated log-det) equal the exact traces for kNN', () => {
    const w = buildWeights(u, { method: 'knn', power: 1, k: 4, standardize: 'row' });
    const s = prepareW(w, n);
    const f = effectScalars(s, 0.2, 0.6);
    for (const rho of [0.2, 0.35, 0.6]) {
      const S = inverseAt(s, rho);
      let tr = 0, trSW = 0;
      for (let i = 0; i < n; i++) { tr += S[i * n + i]; for (let j = 0; j < n; j++) trSW += S[i * n + j] * w[j * n + i]; }
      expect(f.a(rho)).toBeCloseTo(tr / n, 10);
      expect(f.b(rho)).toBeCloseTo(trSW / n, 10);
      expect(f.c0(rho)).toBeCloseTo(1 / (1 - rho), 14);
    }
  });

  it('mean row sums use a power series when W is not row-standardised', () => {
    const w = buildWeights(u, { method: 'inverse-distance', power: 1, k: 0, standardize: 'spectral' });
    const s = prepareW(w, n);
    const f = effectScalars(s, 0.1, 0.5);
    const S = inverseAt(s, 0.5);
    let sum = 0, sumSW = 0;
    const rw = Array.from({ length: n }, (_, j) => w.subarray(j * n, j * n + n).reduce((a, b) => a + b, 0));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { sum += S[i * n + j]; sumSW += S[i * n + j] * rw[j]; }
    expect(f.c0(0.5)).toBeCloseTo(sum / n, 11);
    expect(f.c1(0.5)).toBeCloseTo(sumSW / n, 11);
  });
});

describe('brentMinimize', () => {
  it('finds the minimum of a smooth function to the tolerance', () => {
    const r = brentMinimize((x) => (x - 0.3) ** 2 + Math.exp(x), -1, 1, 1e-12);
    // derivative 2(x - 0.3) + e^x = 0
    expect(2 * (r.x - 0.3) + Math.exp(r.x)).toBeCloseTo(0, 7);
  });
});
