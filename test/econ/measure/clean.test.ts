import { describe, it, expect } from 'vitest';
import { interpolateInterior, longestRun, quantile7, winsorize } from '../../../src/econ/measure/clean.js';

describe('interpolateInterior', () => {
  it('fills interior gaps linearly in time and leaves the ends missing', () => {
    const time = Float64Array.from([2001, 2002, 2003, 2004, 2005]);
    const x = Float64Array.from([NaN, 10, NaN, NaN, 40]);
    const filled = interpolateInterior(time, x);
    // 10 + (40 - 10) * 1/3 = 20; 10 + 30 * 2/3 = 30
    expect(filled).toEqual([2, 3]);
    expect(Number.isNaN(x[0])).toBe(true);
    expect(x[2]).toBeCloseTo(20, 12);
    expect(x[3]).toBeCloseTo(30, 12);
  });

  it('weights by time when a year row is absent', () => {
    const time = Float64Array.from([2001, 2002, 2004]);
    const x = Float64Array.from([0, NaN, 30]);
    interpolateInterior(time, x);
    // 0 + 30 * (2002 - 2001) / (2004 - 2001) = 10
    expect(x[1]).toBeCloseTo(10, 12);
  });

  it('leaves gaps longer than maxGap alone', () => {
    const x = Float64Array.from([1, NaN, NaN, 4]);
    expect(interpolateInterior(Float64Array.from([1, 2, 3, 4]), x, 1)).toEqual([]);
  });
});

describe('longestRun', () => {
  it('counts consecutive complete years and breaks at gaps in time', () => {
    const time = Float64Array.from([1, 2, 3, 5, 6, 7, 8]);
    expect(longestRun(time, Uint8Array.from([1, 1, 1, 1, 1, 1, 1]))).toBe(4); // 5..8
    expect(longestRun(time, Uint8Array.from([1, 1, 1, 1, 0, 1, 1]))).toBe(3); // 1..3
  });
});

describe('quantile7 and winsorize', () => {
  it('quantile7 matches R type 7', () => {
    // x = 1..5: h = 4 * 0.1 = 0.4 -> 1 + 0.4 * (2 - 1) = 1.4
    expect(quantile7([5, 3, 1, 2, 4], 0.1)).toBeCloseTo(1.4, 14);
    expect(quantile7([5, 3, 1, 2, 4, NaN], 0.5)).toBe(3);
  });

  it('winsorize clips to the quantiles and lists the clipped positions', () => {
    const x = Float64Array.from([1, 2, 3, 4, 100]);
    // q(0.1) = 1.4; q(0.9): h = 3.6 -> 4 + 0.6 * 96 = 61.6
    const { lo, hi, clipped } = winsorize(x, 0.1, 0.9);
    expect(lo).toBeCloseTo(1.4, 12);
    expect(hi).toBeCloseTo(61.6, 12);
    expect(clipped).toEqual([0, 4]);
    expect(x[4]).toBeCloseTo(61.6, 12);
  });
});
