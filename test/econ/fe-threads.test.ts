// Demeaning on worker threads gives the same bits as on one thread: each column runs the
// same kernel with the same convergence rule wherever it runs. Small panels, both paths
// (exact absorption, sorted and shuffled rows; alternating projections with two and three
// factors, some columns needing conjugate gradients), the workers doing every column and
// the workers sharing them with this thread; and the FE estimator end to end.
import { describe, it, expect } from 'vitest';
import { demean, encodeFactor, levelCounts, connectedComponents, type Factor } from '../../src/econ/fe.js';
import { demeanThreaded, gramOnThreads, residualsOnThreads } from '../../src/econ/fe/threads.js';
import { crossprodBlocked } from '../../src/econ/linalg.js';
import { exactPlan } from '../../src/econ/fe/exact.js';
import { fitFe, residuals } from '../../src/econ/fe-ols.js';
import { makeRng, type Rng } from '../../src/econ/rng.js';

/** An unbalanced units x years panel (about 20% of cells missing), rows in unit order or shuffled. */
function panel(rng: Rng, units: number, years: number, shuffle: boolean) {
  const ids: number[] = [], yrs: number[] = [], third: number[] = [];
  for (let u = 0; u < units; u++) for (let t = 0; t < years; t++) {
    if (rng.uniform() < 0.2) continue;
    ids.push(u); yrs.push(2000 + t); third.push(rng.int(7));
  }
  if (shuffle) for (let i = ids.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    for (const a of [ids, yrs, third]) [a[i], a[j]] = [a[j], a[i]];
  }
  const fac = (v: number[]) => encodeFactor(Float64Array.from(v));
  return { n: ids.length, id: fac(ids), year: fac(yrs), third: fac(third), ids };
}

const cols = (rng: Rng, n: number, k: number, ids: number[]) =>
  Array.from({ length: k }, (_, c) => Float64Array.from({ length: n }, (_, i) => rng.normal() * (c + 1) + (ids[i] % 13) * 0.7 + c * 50));

const bits = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
function expectSameBits(a: Float64Array[], b: Float64Array[]) {
  expect(a.length).toBe(b.length);
  a.forEach((x, j) => expect(bits(x).equals(bits(b[j])), `column ${j}`).toBe(true));
}

describe('demean on threads', () => {
  const rng = makeRng(515);
  const cases: { what: string; factors: (p: ReturnType<typeof panel>) => Factor[]; shuffle: boolean; exact: boolean }[] = [
    { what: 'exact absorption, rows in unit order', factors: (p) => [p.id, p.year], shuffle: false, exact: true },
    { what: 'exact absorption, shuffled rows', factors: (p) => [p.id, p.year], shuffle: true, exact: true },
    { what: 'alternating projections, two factors', factors: (p) => [p.id, p.year], shuffle: true, exact: false },
    { what: 'alternating projections, three factors', factors: (p) => [p.id, p.year, p.third], shuffle: false, exact: false },
  ];
  for (const c of cases) {
    it(`${c.what}: the workers' columns are bit-identical to the serial ones`, () => {
      const p = panel(rng, 400, 9, c.shuffle);
      const factors = c.factors(p);
      const X = cols(rng, p.n, 6, p.ids);
      const before = X.map((x) => x.slice());
      const serial = demean(X, factors, { exact: c.exact, threads: 1, moments: true });
      expect(serial.onWorkers).toBe(0);
      const counts = factors.map(levelCounts);
      const plan = c.exact ? exactPlan(factors, counts) : null;
      expect(plan !== null).toBe(c.exact);
      if (plan) expect(plan.order !== null).toBe(c.shuffle);
      // every column on the workers
      const w = demeanThreaded(X, factors, counts, plan, 1e-13, 10_000, 2, true, false)!;
      expect(w.onWorkers).toBe(6);
      expectSameBits(w.out, serial.out);
      expect(w.info).toEqual(serial.info);
      expectSameBits([w.moments!], [serial.moments!]);
      // the moments are those of the inputs: mean and sum of squares about it, sums shifted by the first value
      const plain = new Float64Array(12);
      X.forEach((x, j) => { let m = 0, q = 0; for (const v of x) { m += v - x[0]; q += (v - x[0]) ** 2; } plain[2 * j] = x[0] + m / x.length; plain[2 * j + 1] = q - m * m / x.length; });
      expectSameBits([serial.moments!], [plain]);
      // shared between the workers and this thread, through demean's own option
      const both = demean(X, factors, { exact: c.exact, threads: 2 });
      expectSameBits(both.out, serial.out);
      expect(both.info).toEqual(serial.info);
      // the inputs are untouched (the threaded path demeans copies of them in place)
      expectSameBits(X, before);
    });
  }

  it('a slowly converging panel (conjugate gradients) gives the same sweeps and bits on the workers', () => {
    // a chain of units linked through few shared periods: alternating projections stall
    const n = 3000, ids = new Float64Array(n), per = new Float64Array(n);
    for (let i = 0; i < n; i++) { ids[i] = Math.floor(i / 2); per[i] = Math.floor((i + 1) / 2) % 700; }
    const factors = [encodeFactor(ids), encodeFactor(per)];
    const X = cols(rng, n, 3, Array.from(ids));
    const serial = demean(X, factors, { exact: false, moments: true });
    expect(serial.info.iterations).toBeGreaterThan(8); // beyond the plain sweeps
    const w = demeanThreaded(X, factors, factors.map(levelCounts), null, 1e-13, 10_000, 2, true, false)!;
    expect(w.onWorkers).toBe(3);
    expectSameBits(w.out, serial.out);
    expectSameBits([w.moments!], [serial.moments!]);
    expect(w.info).toEqual(serial.info);
  });

  it('the FE estimator with threaded demeaning returns the same fit, bit for bit', () => {
    const p = panel(rng, 500, 8, true);
    const [y, ...X] = cols(rng, p.n, 4, p.ids);
    const input = { y, yName: 'y', X, xNames: ['a', 'b', 'c'], factors: [p.id, p.year], feNames: ['id', 'year'], clusters: [p.id] };
    const vcov = { type: 'cluster', by: ['id'], convention: 'stata-xtreg' } as const;
    const one = fitFe(input, { vcov, threads: 1 }), two = fitFe(input, { vcov, threads: 2 });
    expect(bits(two.beta).equals(bits(one.beta))).toBe(true);
    expect(bits(two.vcov.V).equals(bits(one.vcov.V))).toBe(true);
    expect(bits(two.resid).equals(bits(one.resid))).toBe(true);
    expect(two.demean).toEqual(one.demean);
  });

  it('the Gram matrix and the connected components on the workers: the bits of crossprodBlocked and the same count', () => {
    const p = panel(rng, 300, 7, true);
    const X = cols(rng, p.n, 5, p.ids);
    const w = gramOnThreads(X, [p.id, p.year], 2, false);
    expectSameBits([w.gram], [crossprodBlocked(X)]);
    expect(w.components).toBe(connectedComponents(p.id, p.year));
    expect(gramOnThreads(X, [p.id], 2, false).components).toBeNull();
  });

  it('the residuals on the workers: the bits of the serial residuals and sum of squares', () => {
    const n = 600_000;
    const y = Float64Array.from({ length: n }, () => rng.normal()), X = [0, 1, 2].map(() => Float64Array.from({ length: n }, () => rng.normal()));
    const beta = Float64Array.of(0.3, -1.7, 2.25);
    const w = residualsOnThreads(y, X, beta, 2, false)!, s = residuals(y, X, beta);
    expectSameBits([w.resid], [s.resid]);
    expect(Object.is(w.ssr, s.ssr)).toBe(true);
  });
});
