// Perpetual inventory capital stock (METHOD 1.4) for one unit's consecutive years.

export type PimBase = 'zhang' | 'hall-jones';
/** 'start': K_(t+1) = K_t (1 - delta) + I_t, K_t the stock at the start of year t (METHOD 1.4);
 *  'end': K_t = K_(t-1) (1 - delta) + I_t, K_t the stock at the end of year t (Zhang, Wu & Zhang 2004). */
export type PimTiming = 'start' | 'end';
export type GrowthMean = 'arithmetic' | 'geometric';

export interface PimOptions {
  delta: number;
  base: PimBase;
  /** zhang: K_0 = I_0 / rate (0.10) */
  zhangRate: number;
  /** hall-jones: number of first years whose investment growth gives g */
  window: number;
  growthMean: GrowthMean;
  timing: PimTiming;
}

/**
 * Mean growth rate of I over its first `window` years (window - 1 annual rates):
 * arithmetic mean of I_t / I_(t-1) - 1, or geometric (I_(w-1) / I_0)^(1/(w-1)) - 1.
 */
export function initialGrowth(I: Float64Array, window: number, mean: GrowthMean): number {
  const w = Math.min(window, I.length);
  if (w < 2) return NaN;
  if (mean === 'geometric') return Math.pow(I[w - 1] / I[0], 1 / (w - 1)) - 1;
  let s = 0;
  for (let t = 1; t < w; t++) s += I[t] / I[t - 1] - 1;
  return s / (w - 1);
}

/** Base-year stock K_0: I_0 / rate (zhang) or I_0 / (g + delta) (hall-jones). */
export function baseStock(I: Float64Array, o: PimOptions): { k0: number; g: number | null } {
  switch (o.base) {
    case 'zhang':
      return { k0: I[0] / o.zhangRate, g: null };
    case 'hall-jones': {
      const g = initialGrowth(I, o.window, o.growthMean);
      return { k0: I[0] / (g + o.delta), g };
    }
    default: {
      const never: never = o.base;
      throw new Error(`unknown PIM base ${String(never)}`);
    }
  }
}

/** K per year of a consecutive, complete investment series. */
export function pimStock(I: Float64Array, o: PimOptions): { K: Float64Array; k0: number; g: number | null } {
  const n = I.length;
  const K = new Float64Array(n);
  if (n === 0) return { K, k0: NaN, g: null };
  const { k0, g } = baseStock(I, o);
  K[0] = k0;
  const keep = 1 - o.delta;
  for (let t = 1; t < n; t++) K[t] = K[t - 1] * keep + (o.timing === 'start' ? I[t - 1] : I[t]);
  return { K, k0, g };
}
