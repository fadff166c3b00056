import { describe, it, expect } from 'vitest';
import { locationQuotient } from '../../../src/econ/measure/lq.js';

const f = (...x: number[]) => Float64Array.from(x);

describe('locationQuotient', () => {
  it('divides the unit share by the reference share of the same period', () => {
    // period 0: fin (1, 3), emp (10, 10): ref = 4 / 20 = 0.2 -> LQ = 0.1/0.2 = 0.5, 0.3/0.2 = 1.5
    // period 1: fin 2, emp 10: ref 0.2 -> LQ = 1
    const { lq } = locationQuotient(f(1, 3, 2), f(10, 10, 10), Int32Array.from([0, 0, 1]), 2, Uint8Array.from([1, 1, 1]));
    expect(lq[0]).toBeCloseTo(0.5, 14);
    expect(lq[1]).toBeCloseTo(1.5, 14);
    expect(lq[2]).toBeCloseTo(1, 14);
  });
});
