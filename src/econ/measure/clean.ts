// Panel cleaning kernels (METHOD 1.7): interior linear interpolation, longest run of
// consecutive complete years, type-7 quantiles and winsorising.

/**
 * Fills NaN cells strictly between two observed values by linear interpolation in time
 * (so a missing year row is weighted correctly). Leading and trailing gaps stay NaN.
 * Gaps spanning more than maxGap time units between observations are left alone.
 * Mutates x; returns the filled positions.
 */
export function interpolateInterior(time: Float64Array, x: Float64Array, maxGap = Infinity): number[] {
  const filled: number[] = [];
  let prev = -1;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) continue;
    if (prev >= 0 && i - prev > 1 && time[i] - time[prev] - 1 <= maxGap) {
      const t0 = time[prev];
      const dt = time[i] - t0;
      for (let m = prev + 1; m < i; m++) {
        x[m] = x[prev] + ((x[i] - x[prev]) * (time[m] - t0)) / dt;
        filled.push(m);
      }
    }
    prev = i;
  }
  return filled;
}

/** Length of the longest run of consecutive periods (time step 1) where complete[i]. */
export function longestRun(time: Float64Array, complete: Uint8Array): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < time.length; i++) {
    if (!complete[i]) {
      run = 0;
      continue;
    }
    run = run > 0 && time[i] === time[i - 1] + 1 && complete[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

/** Quantile of the finite values, R type 7 (linear interpolation between order statistics). */
export function quantile7(x: ArrayLike<number>, p: number): number {
  const v: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) v.push(x[i]);
  if (v.length === 0) return NaN;
  v.sort((a, b) => a - b);
  const h = (v.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo] + (h - lo) * (v[hi] - v[lo]);
}

/** Clips x (in place) to [lo, hi] quantiles of its finite values; returns bounds and clipped positions. */
export function winsorize(x: Float64Array, pLow: number, pHigh: number): { lo: number; hi: number; clipped: number[] } {
  const lo = quantile7(x, pLow);
  const hi = quantile7(x, pHigh);
  const clipped: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) {
      x[i] = lo;
      clipped.push(i);
    } else if (x[i] > hi) {
      x[i] = hi;
      clipped.push(i);
    }
  }
  return { lo, hi, clipped };
}
