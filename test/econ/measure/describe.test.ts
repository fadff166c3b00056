import { describe, it, expect } from 'vitest';
import { summarize } from '../../../src/econ/measure/describe.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('summarize', () => {
  it('gives N, mean, sd with n - 1, min and max over the finite values', () => {
    // 1, 2, 3, 6: mean 3; ss = 4 + 1 + 0 + 9 = 14; sd = sqrt(14 / 3)
    const s = summarize(f(1, 2, NaN, 3, 6));
    expect(s).toEqual({ n: 4, mean: 3, sd: Math.sqrt(14 / 3), min: 1, max: 6 });
  });
});
