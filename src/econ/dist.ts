// p-values and quantiles. Upper tails are computed directly from the regularised
// incomplete beta / gamma functions, never as 1 - cdf, so far tails keep their digits
// (STACK.md: jstat and 1 - cdf lose everything below ~1e-16).
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';
// Per-function packages: the namespace packages (@stdlib/stats-base-dists-t, ...) load every
// function of a distribution and cost ~0.2 s of start-up, which a warm `flow run` cannot afford.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import chisqQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import fQuantile from '@stdlib/stats-base-dists-f-quantile';

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export function pTwoSidedT(stat: number, df: number): number {
  if (!Number.isFinite(stat)) return Number.isNaN(stat) ? NaN : 0;
  if (!Number.isFinite(df)) return pTwoSidedNormal(stat);
  return betainc(df / (df + stat * stat), df / 2, 0.5, true, false);
}

/** Two-sided p-value of a standard normal statistic. */
export function pTwoSidedNormal(stat: number): number {
  return 2 * normalCdf(-Math.abs(stat), 0, 1);
}

/** P(X > x) for X ~ chi2(k). */
export function pUpperChisq(x: number, k: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, k / 2, true, true);
}

/** P(X > x) for X ~ F(d1, d2). */
export function pUpperF(x: number, d1: number, d2: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(d2)) return pUpperChisq(x * d1, d1);
  return betainc(d2 / (d2 + d1 * x), d2 / 2, d1 / 2, true, false);
}

export const qT = (p: number, df: number): number =>
  Number.isFinite(df) ? tQuantile(p, df) : normalQuantile(p, 0, 1);
export const qNormal = (p: number): number => normalQuantile(p, 0, 1);
export const qChisq = (p: number, k: number): number => chisqQuantile(p, k);
export const qF = (p: number, d1: number, d2: number): number => fQuantile(p, d1, d2);
