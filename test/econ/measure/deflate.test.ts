import { describe, it, expect } from 'vitest';
import { chainDeflator, deflateBy } from '../../../src/econ/measure/deflate.js';

describe('chainDeflator', () => {
  // years 2003..2006, index (previous year = 100)
  const idx = Float64Array.from([105, 110, 90, 120]);

  it('sets P_base = 1 and chains forward P_t = P_(t-1) x idx_t / 100', () => {
    const P = chainDeflator(idx, 2003, 2003);
    // P2004 = 1.10; P2005 = 1.10 * 0.90 = 0.99; P2006 = 0.99 * 1.20 = 1.188
    expect(P[0]).toBe(1);
    expect(P[1]).toBeCloseTo(1.1, 14);
    expect(P[2]).toBeCloseTo(0.99, 14);
    expect(P[3]).toBeCloseTo(1.188, 14);
  });

  it('chains backwards before the base year: P_(t-1) = P_t / (idx_t / 100)', () => {
    const P = chainDeflator(idx, 2003, 2005);
    // P2005 = 1; P2004 = 1 / 0.90; P2003 = (1 / 0.90) / 1.10; P2006 = 1.20
    expect(P[2]).toBe(1);
    expect(P[1]).toBeCloseTo(1 / 0.9, 14);
    expect(P[0]).toBeCloseTo(1 / 0.9 / 1.1, 14);
    expect(P[3]).toBeCloseTo(1.2, 14);
  });

  it('accepts a base one year before the first index year (its index is never used)', () => {
    const P = chainDeflator(idx, 2003, 2002);
    expect(P[0]).toBeCloseTo(1.05, 14);
  });

  it('breaks the chain at a missing index value', () => {
    const P = chainDeflator(Float64Array.from([100, NaN, 110]), 2003, 2003);
    expect(P[0]).toBe(1);
    expect(Number.isNaN(P[1])).toBe(true);
    expect(Number.isNaN(P[2])).toBe(true);
  });

  it('deflateBy divides nominal by the deflator', () => {
    expect(Array.from(deflateBy(Float64Array.from([11, 99]), Float64Array.from([1.1, 0.99])))).toEqual([10, 100]);
  });
});
