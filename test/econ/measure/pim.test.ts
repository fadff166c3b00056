import { describe, it, expect } from 'vitest';
import { initialGrowth, pimStock, type PimOptions } from '../../../src/econ/measure/pim.js';

const opts = (o: Partial<PimOptions>): PimOptions => ({
  delta: 0.1,
  base: 'zhang',
  zhangRate: 0.1,
  window: 5,
  growthMean: 'arithmetic',
  timing: 'start',
  ...o,
});

describe('pimStock', () => {
  const I = Float64Array.from([10, 20, 30]);

  it("pim(delta, base='zhang') starts from I0 / 0.10", () => {
    const { K, k0 } = pimStock(I, opts({}));
    expect(k0).toBe(100); // 10 / 0.10
    expect(K[0]).toBe(100);
  });

  it("pim(timing='start') follows K_(t+1) = K_t (1 - delta) + I_t", () => {
    const { K } = pimStock(I, opts({}));
    // K1 = 100 * 0.9 + 10 = 100;  K2 = 100 * 0.9 + 20 = 110
    expect(Array.from(K)).toEqual([100, 100, 110]);
  });

  it("pim(timing='end') follows K_t = K_(t-1) (1 - delta) + I_t (Zhang et al.)", () => {
    const { K } = pimStock(I, opts({ timing: 'end' }));
    // K1 = 100 * 0.9 + 20 = 110;  K2 = 110 * 0.9 + 30 = 129
    expect(K[1]).toBeCloseTo(110, 12);
    expect(K[2]).toBeCloseTo(129, 12);
  });

  it("pim(base='hall-jones') starts from I0 / (g + delta), g the mean growth of the first window years", () => {
    const J = Float64Array.from([100, 110, 121, 133.1, 146.41, 500]);
    // window 5 -> years 0..4 -> 4 growth rates of exactly 10%: g = 0.10; K0 = 100 / (0.10 + 0.10) = 500
    const { K, g, k0 } = pimStock(J, opts({ base: 'hall-jones', window: 5 }));
    expect(g).toBeCloseTo(0.1, 12);
    expect(k0).toBeCloseTo(500, 10);
    // K1 = 500 * 0.9 + 100 = 550
    expect(K[1]).toBeCloseTo(550, 10);
  });

  it("pim(delta = 0.09, base='zhang') keeps the base-stock rate 0.10 and depreciates at delta (the two never swap)", () => {
    const { K, k0 } = pimStock(I, opts({ delta: 0.09, zhangRate: 0.1 }));
    expect(k0).toBe(100); // I0 / 0.10, not I0 / 0.09
    // K1 = 100 x 0.91 + 10 = 101; K2 = 101 x 0.91 + 20 = 111.91
    expect(K[1]).toBeCloseTo(101, 12);
    expect(K[2]).toBeCloseTo(111.91, 12);
    const end = pimStock(I, opts({ delta: 0.096, zhangRate: 0.1, timing: 'end' })).K;
    expect(end[1]).toBeCloseTo(100 * 0.904 + 20, 12);
  });

  it("pim(delta = 0.096, base='hall-jones') divides by g + delta with the depreciation rate given", () => {
    const J = Float64Array.from([100, 110, 121, 133.1, 146.41, 500]);
    const { k0, K } = pimStock(J, opts({ base: 'hall-jones', window: 5, delta: 0.096 }));
    expect(k0).toBeCloseTo(100 / 0.196, 10);
    expect(K[1]).toBeCloseTo((100 / 0.196) * 0.904 + 100, 10);
  });

  it("initialGrowth(arithmetic) averages the annual rates and (geometric) compounds them", () => {
    const J = Float64Array.from([100, 200, 100]);
    // rates: +100%, -50% -> arithmetic 0.25; geometric (100/100)^(1/2) - 1 = 0
    expect(initialGrowth(J, 3, 'arithmetic')).toBeCloseTo(0.25, 12);
    expect(initialGrowth(J, 3, 'geometric')).toBeCloseTo(0, 12);
  });
});
