// Descriptive statistics of one variable (Table 1): N, mean, sd (n - 1), min, max.

export interface Summary {
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** Summary over the finite values of x. */
export function summarize(x: ArrayLike<number>): Summary {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i])) ss += (x[i] - mean) ** 2;
  return { n, mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, min: n > 0 ? min : NaN, max: n > 0 ? max : NaN };
}
