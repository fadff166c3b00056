import { describe, it, expect } from 'vitest';
import { encodeFactor, singletonMask, demean, absorbedDof, connectedComponents, isNested, nonNestedDof } from '../../src/econ/fe.js';
import { makeRng } from '../../src/econ/rng.js';

const f = (v: number[]) => encodeFactor(Float64Array.from(v));

describe('fixed-effect kernels', () => {
  it('encodeFactor codes numbers (dense or sparse ids) and strings densely in order of appearance', () => {
    expect(Array.from(f([2001, 2003, 2001]).codes)).toEqual([0, 1, 0]);
    expect(f([1e9, 5, 1e9]).nLevels).toBe(2);
    expect(Array.from(encodeFactor(['b', 'a', 'b']).codes)).toEqual([0, 1, 0]);
  });

  it('singletonMask removes singletons iteratively (removing one can create another)', () => {
    // year 2003 has one row (unit 3) -> dropped; unit 3 is then left with one row -> dropped too
    const unit = f([1, 1, 2, 2, 3, 3]), year = f([2001, 2002, 2001, 2002, 2003, 2002]);
    const { keep, dropped } = singletonMask([unit, year], 6);
    expect(Array.from(keep)).toEqual([1, 1, 1, 1, 0, 0]);
    expect(dropped).toBe(2);
  });

  it('demean: one factor is exact in one pass; several converge to the least-squares residual', () => {
    const rng = makeRng(2), n = 400;
    const a = Float64Array.from({ length: n }, () => rng.int(20)), b = Float64Array.from({ length: n }, () => rng.int(7));
    const x = Float64Array.from({ length: n }, (_, i) => rng.normal() + a[i] * 0.3 - b[i]);
    const one = demean([x], [encodeFactor(a)]).out[0];
    const means = new Map<number, number[]>();
    a.forEach((v, i) => means.set(v, [...(means.get(v) ?? []), x[i]]));
    one.forEach((v, i) => { const g = means.get(a[i])!; expect(v).toBeCloseTo(x[i] - g.reduce((s, t) => s + t, 0) / g.length, 12); });
    const { out, info } = demean([x], [encodeFactor(a), encodeFactor(b)]);
    expect(info.converged).toBe(true);
    // the residual is orthogonal to every dummy of both factors
    for (const fac of [a, b]) {
      const s = new Map<number, number>();
      fac.forEach((v, i) => s.set(v, (s.get(v) ?? 0) + out[0][i]));
      for (const v of s.values()) expect(Math.abs(v)).toBeLessThan(1e-9);
    }
  });

  it('demean converges on a poorly connected (chain) design through the accelerated iterations', () => {
    // worker u moves between firms u and u+1: information travels one link per sweep
    const rng = makeRng(4), W = 300;
    const w: number[] = [], fm: number[] = [], x: number[] = [];
    for (let u = 0; u < W; u++) for (const k of [0, 1, 1]) { w.push(u); fm.push(u + k); x.push(rng.normal() + u * 0.01); }
    const { out, info } = demean([Float64Array.from(x)], [f(w), f(fm)], { tol: 1e-13 });
    expect(info.converged).toBe(true);
    expect(info.iterations).toBeGreaterThan(8);
    for (const fac of [w, fm]) {
      const s = new Map<number, number>();
      fac.forEach((v, i) => s.set(v, (s.get(v) ?? 0) + out[0][i]));
      for (const v of s.values()) expect(Math.abs(v)).toBeLessThan(1e-9);
    }
  });

  it('absorbedDof counts levels minus connected components for two factors', () => {
    // two disconnected blocks: units {1,2} x years {1,2}, unit {3} x year {3}
    const u = f([1, 1, 2, 2, 3, 3]), y = f([1, 2, 1, 2, 3, 3]);
    expect(connectedComponents(u, y)).toBe(2);
    expect(absorbedDof([u, y])).toBe(3 + 3 - 2);
    expect(absorbedDof([u])).toBe(3);
  });

  it('isNested / nonNestedDof: unit FE nested in a unit cluster are not counted (Stata xtreg, fixest)', () => {
    const u = f([1, 1, 2, 2, 3, 3]), y = f([1, 2, 1, 2, 1, 2]), region = f([1, 1, 1, 1, 2, 2]);
    expect(isNested(u, u)).toBe(true);
    expect(isNested(u, region)).toBe(true);
    expect(isNested(y, u)).toBe(false);
    expect(nonNestedDof([u, y], [u])).toBe(1); // the year effects beyond the constant
    expect(nonNestedDof([u], [u])).toBe(0);
    expect(nonNestedDof([y], [u])).toBe(1);
  });
});
