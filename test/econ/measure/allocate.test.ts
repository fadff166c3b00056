import { describe, it, expect } from 'vitest';
import { allocateShare } from '../../../src/econ/measure/allocate.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('allocateShare', () => {
  it('allocates share x province narrow figure, and share 1 for a city that is its own province', () => {
    const { share, value } = allocateShare(f(20, 7), f(80, 9), f(40, 3), Uint8Array.from([0, 1]));
    // row 0: 20 / 80 = 0.25 -> 0.25 * 40 = 10; row 1: own province -> 1 * 3 = 3
    expect(Array.from(share)).toEqual([0.25, 1]);
    expect(Array.from(value)).toEqual([10, 3]);
  });
});
