import { describe, it, expect } from 'vitest';
import { concordanceSum } from '../../../src/econ/measure/concordance.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('concordanceSum', () => {
  it('sums the old columns before the switch year and the new ones from it on', () => {
    const out = concordanceSum(f(2011, 2012), [f(1, NaN), f(2, NaN)], [f(NaN, 7)], 2012);
    // 2011: 1 + 2 = 3; 2012: 7
    expect(Array.from(out)).toEqual([3, 7]);
  });
  it('gives a missing result when a summed cell is missing', () => {
    expect(Number.isNaN(concordanceSum(f(2010), [f(1), f(NaN)], [f(5)], 2012)[0])).toBe(true);
  });
});
