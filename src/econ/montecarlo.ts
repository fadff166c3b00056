// Monte Carlo summaries of an estimator over simulated data sets with a known truth:
// bias, the spread of the estimates, whether the reported standard errors match that
// spread (mean SE / sd), and the coverage of the reported confidence intervals, each
// with its own Monte Carlo standard error so that a reader can tell a real miss from
// simulation noise.

export interface Draw {
  estimate: number;
  std_error: number | null;
  conf_low: number | null;
  conf_high: number | null;
}

export interface McSummary {
  draws: number;
  truth: number;
  mean: number;
  bias: number;
  /** sd / sqrt(draws) */
  bias_mc_se: number;
  sd: number;
  mean_se: number | null;
  /** mean reported SE over the sd of the estimates: 1 when the SEs are right */
  se_sd: number | null;
  /** share of intervals that contain the truth */
  coverage: number | null;
  /** sqrt(c (1 - c) / draws) at the nominal level c */
  coverage_mc_se: number | null;
  level: number;
}

/** Summarise the draws of one quantity against its truth (one per draw: each data set's own). */
export function summariseDraws(draws: Draw[], truths: number[], level: number): McSummary {
  const n = draws.length;
  const truth = truths.reduce((s, v) => s + v, 0) / n;
  // errors against each draw's own truth; the spread is that of the estimates
  const est = draws.map((d, i) => d.estimate - truths[i] + truth);
  const mean = est.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(est.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  const ses = draws.map((d) => d.std_error).filter((v): v is number => v != null && Number.isFinite(v));
  const meanSe = ses.length === n ? ses.reduce((s, v) => s + v, 0) / n : null;
  const withCi = draws.filter((d) => d.conf_low != null && d.conf_high != null);
  const coverage = withCi.length === n && n > 0
    ? draws.filter((d, i) => (d.conf_low as number) <= truths[i] && truths[i] <= (d.conf_high as number)).length / n
    : null;
  return {
    draws: n, truth, mean, bias: mean - truth, bias_mc_se: sd / Math.sqrt(n), sd,
    mean_se: meanSe, se_sd: meanSe != null && sd > 0 ? meanSe / sd : null,
    coverage, coverage_mc_se: coverage != null ? Math.sqrt(level * (1 - level) / n) : null, level,
  };
}
