import { describe, it, expect } from 'vitest';
import { makeRng } from '../../src/econ/rng.js';

describe('makeRng', () => {
  it('replays the same stream from the same seed, another from another seed', () => {
    const a = makeRng(123), b = makeRng(123), c = makeRng(124);
    const xa = Array.from({ length: 5 }, () => a.uniform());
    expect(Array.from({ length: 5 }, () => b.uniform())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.uniform())).not.toEqual(xa);
  });
  it('uniform() has mean 1/2 and variance 1/12; normal() mean 0 and variance 1', () => {
    const r = makeRng(1), n = 200_000;
    let s = 0, s2 = 0, z = 0, z2 = 0, z4 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(); s += u; s2 += u * u;
      expect(u >= 0 && u < 1).toBe(true);
      const x = r.normal(); z += x; z2 += x * x; z4 += x ** 4;
    }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    expect(Math.abs(z / n)).toBeLessThan(0.01);
    expect(Math.abs(z2 / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(z4 / n - 3)).toBeLessThan(0.1);
  });
  it('int(n) covers 0..n-1', () => {
    const r = makeRng(5);
    const seen = new Set(Array.from({ length: 1000 }, () => r.int(6)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
