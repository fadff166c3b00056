// Lagrange multiplier tests for a spatial lag and a spatial error in the non-spatial
// (pooled or fixed-effects) panel regression, and their robust forms
// (Anselin 1988 sec. 6.3; Anselin, Bera, Florax & Yoon 1996; panel form: Elhorst 2014
// sec. 3.4, Debarsy & Ertur 2010). With e = the OLS residuals of y~ on X~ (demeaned as
// the spatial models demean), s2 = e'e / N, W_NT = I_T kron W, T_W = T tr(W'W + WW):
//   g_lag = e' (W y)~ / s2,  g_err = e' W_NT e / s2,
//   J = [ (W X~b)~' M (W X~b)~ + T_W s2 ] / s2,   M = I - X~(X~'X~)^-1 X~',
//   LM_lag = g_lag^2 / J,  LM_err = g_err^2 / T_W,
//   RLM_lag = (g_lag - g_err)^2 / (J - T_W),  RLM_err = (g_err - (T_W / J) g_lag)^2 / (T_W (1 - T_W / J)),
// each chi2(1). (W y)~: W applied to the raw y and demeaned (e'Q = e', so e'(Wy)~ = e'Wy).
import { cholesky, choleskySolve, crossprod, crossprodVec } from '../linalg.js';
import { pUpperChisq } from '../dist.js';
import { demean, spatialLag } from './panel.js';
import { residual, dot } from './vec.js';
import { wStats, type ResidualMoranInput } from './moran.js';

export type LmInput = Omit<ResidualMoranInput, 'alternative'>;

export interface LmRow { test: 'lm_lag' | 'lm_error' | 'robust_lm_lag' | 'robust_lm_error'; statistic: number; df: 1; p_value: number }

export function spatialLmTests(inp: LmInput): LmRow[] {
  const { n, T, fe, w } = inp;
  const N = n * T;
  const Xd = inp.X.map((x) => demean(x, n, T, fe));
  const yd = demean(inp.y, n, T, fe);
  const K = Xd.length;
  const L = cholesky(crossprod(Xd), K);
  if (!L) throw new Error('the demeaned regressors are collinear: drop one.');
  const b = choleskySolve(L, K, crossprodVec(Xd, yd));
  const e = residual(yd, Xd, b);
  const s2 = dot(e, e) / N;
  const wy = demean(spatialLag(w, inp.y, T), n, T, fe);
  const we = spatialLag(w, e, T);
  const s = wStats(w);
  const Tw = T * (s.sumSq + s.trWW);
  const fitted = new Float64Array(N);
  for (let k = 0; k < K; k++) for (let i = 0; i < N; i++) fitted[i] += Xd[k][i] * b[k];
  const wxb = demean(spatialLag(w, fitted, T), n, T, fe);
  const m = residual(wxb, Xd, choleskySolve(L, K, crossprodVec(Xd, wxb)));
  const J = (dot(m, m) + Tw * s2) / s2;
  const gl = dot(e, wy) / s2, ge = dot(e, we) / s2;
  const row = (test: LmRow['test'], statistic: number): LmRow => ({ test, statistic, df: 1, p_value: pUpperChisq(statistic, 1) });
  return [
    row('lm_lag', (gl * gl) / J),
    row('lm_error', (ge * ge) / Tw),
    row('robust_lm_lag', (gl - ge) ** 2 / (J - Tw)),
    row('robust_lm_error', (ge - (Tw / J) * gl) ** 2 / (Tw * (1 - Tw / J))),
  ];
}
