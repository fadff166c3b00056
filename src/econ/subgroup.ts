// Wald test that several coefficients are equal (subgroup heterogeneity), from a
// coefficient vector and its covariance. Comparing stars across subgroups is not a
// test of difference; this is.
import { quadInv } from './linalg.js';
import { pUpperChisq, pUpperF } from './dist.js';
import { econOptions } from './errors.js';

export interface EqualityTest {
  /** H0: b[idx[0]] = b[idx[1]] = ... */
  chi2: number;
  /** chi2 / q */
  F: number;
  df1: number;
  /** denominator df (the model's t df: G - 1 for cluster covariances); null = chi2 form */
  df2: number | null;
  p_value: number;
  form: 'F' | 'chi2';
}

/**
 * R b = 0 with rows b_1 - b_g (g = 2..G): W = (Rb)'(R V R')^-1 (Rb). With a finite
 * reference df the F form W/q ~ F(q, df2) is used, as Stata's `test` after
 * xtreg/reghdfe (df2 = G - 1 clusters, or the residual df); otherwise W ~ chi2(q).
 */
export function waldEqual(est: ArrayLike<number>, V: Float64Array, k: number, idx: number[], df2: number | null): EqualityTest {
  const q = idx.length - 1;
  if (q < 1) throw econOptions('an equality test needs at least two coefficients');
  const Rb = new Float64Array(q);
  const RVR = new Float64Array(q * q);
  const i0 = idx[0];
  for (let a = 0; a < q; a++) {
    const ia = idx[a + 1];
    Rb[a] = est[i0] - est[ia];
    for (let b = 0; b < q; b++) {
      const ib = idx[b + 1];
      // Var(b0 - ba, b0 - bb) = V00 - V0b - Va0 + Vab
      RVR[a * q + b] = V[i0 * k + i0] - V[i0 * k + ib] - V[ia * k + i0] + V[ia * k + ib];
    }
  }
  const chi2 = quadInv(RVR, q, Rb);
  const F = chi2 / q;
  const finite = df2 != null && Number.isFinite(df2) && df2 > 0;
  return {
    chi2, F, df1: q, df2: finite ? df2 : null,
    p_value: finite ? pUpperF(F, q, df2!) : pUpperChisq(chi2, q),
    form: finite ? 'F' : 'chi2',
  };
}
