// County-scale W (issue 13): sparse builders equal the dense ones, the sparse port round-trips,
// exact trace moments, and every approximation (Barry-Pace log-det, stochastic traces, the
// sparse-scale fit) within its stated error of the exact route on a moderate n, seeded.
import { describe, it, expect } from 'vitest';
import { makeRng } from '../../../src/econ/rng.js';
import { buildWeights, buildWeightMatrix } from '../../../src/econ/spatial/weights.js';
import { toCsr } from '../../../src/econ/spatial/sparse.js';
import { prepareW, solverAt, inverseAt } from '../../../src/econ/spatial/setup.js';
import { tracesAt } from '../../../src/econ/spatial/traces.js';
import { traceMoments } from '../../../src/econ/spatial/moments.js';
import { fitSpatialPanel } from '../../../src/econ/spatial/ml.js';
import { simulateSdmPanel } from '../../../src/econ/spatial/simulate.js';
import { matrixPort, denseData, type IdMatrix } from '../../../src/ports/index.js';
import { parseTriplets } from '../../../src/nodes/load-matrix.js';
import { exportW } from '../../../src/export/data.js';

function units(n: number, seed: number) {
  const rng = makeRng(seed);
  const ids = Array.from({ length: n }, (_, i) => `u${i}`);
  const lat = new Float64Array(n), lon = new Float64Array(n);
  for (let i = 0; i < n; i++) { lat[i] = 25 + 10 * rng.uniform(); lon[i] = 100 + 12 * rng.uniform(); }
  return { ids, lat, lon };
}
const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

describe('sparse W builders', () => {
  it('knn and cut-off inverse distance equal the dense builders exactly (ties on a grid included)', () => {
    const u = units(700, 3);
    // a grid with equal distances: the tie rule (unit order) must match
    const g = { ids: Array.from({ length: 144 }, (_, i) => `g${i}`), lat: Float64Array.from({ length: 144 }, (_, i) => 30 + Math.floor(i / 12) * 0.1), lon: Float64Array.from({ length: 144 }, (_, i) => 110 + (i % 12) * 0.1) };
    for (const [uu, o] of [[u, { method: 'knn', k: 10 }], [g, { method: 'knn', k: 5 }], [u, { method: 'inverse-distance', cutoffKm: 120 }], [u, { method: 'inverse-distance', cutoffKm: 120, standardize: 'spectral' }]] as const) {
      const opts = { power: 1, k: 1, standardize: 'row' as const, ...o };
      const dense = toCsr(buildWeights(uu, opts), uu.ids.length);
      const sparse = buildWeightMatrix(uu, opts).sparse!;
      expect(same(sparse.rowPtr, dense.rowPtr) && same(sparse.col, dense.col) && same(sparse.val, dense.val)).toBe(true);
    }
  });
});

describe('matrix port', () => {
  const sp = buildWeightMatrix(units(50, 1), { method: 'knn', k: 4, power: 1, standardize: 'row' }).sparse!;
  const m: IdMatrix = { ids: Array.from({ length: 50 }, (_, i) => `u${i}`), n: 50, sparse: sp, meta: { method: 'knn', k: 4 } };
  it('round-trips a sparse W bit for bit', () => {
    const back = matrixPort.decode(matrixPort.encode(m));
    expect(back.ids).toEqual(m.ids);
    expect(same(back.sparse!.rowPtr, sp.rowPtr) && same(back.sparse!.col, sp.col) && same(back.sparse!.val, sp.val)).toBe(true);
    expect(matrixPort.check!(back)).toBeUndefined();
  });
  it('keeps the dense encoding: FLOWMAT1 header then n^2 float64', () => {
    const d: IdMatrix = { ids: ['a', 'b'], n: 2, data: Float64Array.of(0, 1, 1, 0), meta: {} };
    const bytes = Buffer.from(matrixPort.encode(d));
    expect(bytes.toString('latin1', 0, 8)).toBe('FLOWMAT1');
    const hlen = bytes.readUInt32LE(8);
    expect(bytes.toString('utf8', 12, 12 + hlen).trim()).toBe('{"ids":["a","b"],"meta":{},"n":2}');
    expect(Array.from(new Float64Array(bytes.buffer.slice(bytes.byteOffset + 12 + hlen, bytes.byteOffset + bytes.length)))).toEqual([0, 1, 1, 0]);
  });
  it('check rejects columns out of order', () => {
    const bad = { ...m, sparse: { ...sp, col: Int32Array.from(sp.col).reverse() } };
    expect(matrixPort.check!(bad)).toMatch(/not ascending|out of range/);
  });
});

describe('trace moments and the Barry-Pace log-det', () => {
  const n = 600;
  const sp = buildWeightMatrix(units(n, 7), { method: 'knn', k: 8, power: 1, standardize: 'row' }).sparse!;
  it('tr(W^k), k <= 6, are exact (against dense powers)', () => {
    const W = denseData({ ids: [], n, sparse: sp, meta: {} });
    const mo = traceMoments(sp, 8, 2, 1);
    let P = Float64Array.from(W);
    for (let k = 1; k <= 6; k++) {
      let tr = 0;
      for (let i = 0; i < n; i++) tr += P[i * n + i];
      expect(Math.abs(mo.t[k] - tr)).toBeLessThanOrEqual(1e-10 * Math.max(1, tr));
      const Q = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) { const a = P[i * n + l]; if (a) for (let j = 0; j < n; j++) Q[i * n + j] += a * W[l * n + j]; }
      P = Q;
    }
  });
  it('log-det, tr(G), tr(GG), tr(G\'G) within their stated bounds of the exact values; the bounds are tight (< 50x)', () => {
    const exact = prepareW(sp, n); // dense scale: exact LU and dense inverse
    const bp = prepareW(sp, n, 'barry-pace', { scale: 'sparse' });
    for (const rho of [-0.5, 0.2, 0.4, 0.6, 0.8]) {
      bp.refine!(rho);
      const err = Math.abs(bp.logdet(rho) - exact.logdet(rho));
      expect(err).toBeLessThanOrEqual(bp.logdetErrorBound(rho));
      expect(bp.logdetErrorBound(rho)).toBeLessThan(50 * Math.max(err, 1e-6));
      const te = tracesAt(exact, rho), tb = tracesAt(bp, rho);
      for (const k of ['trG', 'trGG', 'trGtG'] as const) expect(Math.abs(tb[k] - te[k])).toBeLessThanOrEqual(tb.errors[k]);
    }
  });
  it('solves with I - rho W (LU and Neumann, and transposed) agree with the dense inverse to 1e-12', () => {
    const S = inverseAt(prepareW(sp, n), 0.6);
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const want = new Float64Array(n), wantT = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { want[i] += S[i * n + j] * b[j]; wantT[j] += S[i * n + j] * b[i]; }
    for (const route of ['envelope-lu', 'barry-pace'] as const) {
      const s = solverAt(prepareW(sp, n, route, { scale: 'sparse' }), 0.6);
      const x = s.solve(b), xt = s.solveTransposed(b), xp = s.solvePeriods(Float64Array.from([...b, ...b]), 2);
      for (let i = 0; i < n; i++) {
        expect(Math.abs(x[i] - want[i])).toBeLessThan(1e-12);
        expect(Math.abs(xt[i] - wantT[i])).toBeLessThan(1e-12);
        expect(Math.abs(xp[n + i] - want[i])).toBeLessThan(1e-12);
      }
    }
  });
});

describe('SDM on the sparse scale against the exact dense route (n = 800, T = 8, seeded)', () => {
  const n = 800, T = 8;
  const sim = simulateSdmPanel({ n, T, k: 10, rho: 0.4, beta: [1, -0.5], theta: [0.5, 0.3], sigma: 1, seed: 5 });
  const sp = buildWeightMatrix({ ids: sim.ids, lat: sim.lat, lon: sim.lon }, { method: 'knn', k: 10, power: 1, standardize: 'row' }).sparse!;
  const fit = (setup: ReturnType<typeof prepareW>, leeYu = false) => fitSpatialPanel({ n, T, y: sim.y, X: sim.X, wx: [0, 1], fe: 'twoways', leeYu, setup });
  for (const leeYu of [false, true]) {
    it(`exact sparse LU gives the same estimates; traces move the SEs by < 1%; Barry-Pace moves rho by < 1% of its SE (leeYu ${leeYu})`, () => {
      const ex = fit(prepareW(sp, n), leeYu);
      const lu = fit(prepareW(sp, n, 'envelope-lu', { scale: 'sparse' }), leeYu);
      const bp = fit(prepareW(sp, n, 'barry-pace', { scale: 'sparse' }), leeYu);
      const K = 4, P = K + 2;
      expect(Math.abs(lu.rho - ex.rho)).toBeLessThan(1e-12);
      for (let k = 0; k < K; k++) expect(Math.abs(lu.coef[k] - ex.coef[k])).toBeLessThan(1e-12);
      const se = (f: typeof ex, k: number) => Math.sqrt(f.vcov[k * P + k]);
      for (let k = 0; k <= K; k++) expect(Math.abs(se(lu, k) / se(ex, k) - 1)).toBeLessThan(0.01);
      expect(Math.abs(bp.rho - ex.rho)).toBeLessThan(0.01 * se(ex, K));
      expect(lu.inverse).toBeNull();
      expect(bp.logdetErrorBound).toBeGreaterThan(0);
    });
  }
});

describe('load-matrix triplets and export', () => {
  it('reads i,j,w into the same W as the dense file, with or without ids', () => {
    const text = 'i,j,w\nb,a,2\na,b,1\na,c,3\nc,a,1\n';
    const m = parseTriplets(text, undefined, 'w.csv', 'row');
    expect(m.ids).toEqual(['b', 'a', 'c']);
    expect(Array.from(denseData(m))).toEqual([0, 1, 0, 0.25, 0, 0.75, 0, 1, 0]);
    const m2 = parseTriplets(text, ['a', 'b', 'c'], 'w.csv', 'none');
    expect(Array.from(denseData(m2))).toEqual([0, 1, 3, 2, 0, 0, 1, 0, 0]);
  });
  it('names the line of a repeated pair, a self-loop, an unknown id, a bad weight', () => {
    expect(() => parseTriplets('i,j,w\na,b,1\nb,a,1\na,b,2\n', undefined, 'w.csv', 'row')).toThrow(/line 4 repeats the pair \(a, b\) of line 2/);
    expect(() => parseTriplets('i,j,w\na,a,1\n', undefined, 'w.csv', 'row')).toThrow(/line 2: i = j = "a"/);
    expect(() => parseTriplets('i,j,w\na,z,1\n', ['a', 'b'], 'w.csv', 'row')).toThrow(/line 2: unit "z" is not in the id list/);
    expect(() => parseTriplets('i,j,w\na,b,x\n', undefined, 'w.csv', 'row')).toThrow(/line 2: the weight "x"/);
    expect(() => parseTriplets('i,j,w\na,b,1\nc,a,1\n', undefined, 'w.csv', 'row')).toThrow(/b have no neighbours/);
  });
  it('export refuses a W above 5,000 units with a clear message', () => {
    const n = 5001;
    const m: IdMatrix = { ids: Array.from({ length: n }, (_, i) => `u${i}`), n, sparse: { n, rowPtr: Int32Array.from({ length: n + 1 }, (_, i) => i), col: Int32Array.from({ length: n }, (_, i) => (i + 1) % n), val: new Float64Array(n).fill(1) }, meta: {} };
    expect(() => exportW(m)).toThrow(/5001 units: export writes W as a full 5001 x 5001 matrix/);
  });
});
