// Random-effects panel regression by Swamy & Arora (1972) on a balanced panel, and the
// Hausman (1978) test of fixed against random effects (Baltagi 2021 sec. 2.3, 4.3;
// plm's random.method = "swar" and phtest).
//
//   y_it = a + x_it b + u_i + e_it.
// Within regression: s2_e = e_w'e_w / (nT - n - K); between regression of unit means on
// (1, x_i.): s2_1 = T e_b'e_b / (n - K - 1) = T s2_u + s2_e; theta = 1 - sqrt(s2_e / s2_1)
// (0 when s2_1 <= s2_e: no unit variance left, pooled OLS); then OLS of y - theta y_i. on
// ((1 - theta), x - theta x_i.), V = s2 (X*'X*)^-1 with s2 = e*'e* / (nT - K - 1).
// `twoways`: time effects as period dummies in every regression (fixed) next to the random
// unit effect; on a balanced panel that is the same as removing period means first, and the
// dummies replace the constant (df nT - K - T, within df nT - n - T + 1 - K).
// Hausman: H = d' (V_FE - V_RE)^-1 d, d = b_FE - b_RE over the slopes, chi2(K).
import { cholesky, choleskySolve, choleskyInverse, crossprod, crossprodVec, invertGeneral } from './linalg.js';
import { pUpperChisq } from './dist.js';
import { demean, panelMeans } from './spatial/panel.js';
import { residual, dot } from './spatial/vec.js';

export interface ReInput {
  n: number;
  T: number;
  /** stacked by period, row t n + i */
  y: Float64Array;
  X: Float64Array[];
  effect: 'individual' | 'twoways';
}

export interface OlsPart { coef: Float64Array; vcov: Float64Array; sigma2: number; df: number }

export interface ReFit {
  /** intercept first ('individual' only), then the slopes */
  re: OlsPart & { hasIntercept: boolean };
  fe: OlsPart;
  sigma2Idios: number;
  sigma2Id: number;
  theta: number;
  /** 1 - e*'e* / centred y*'y* of the transformed regression (plm's r.squared) */
  r2: number;
}

const COLLINEAR = 'the regressors are collinear (or constant within units, which the within regression cannot use): drop one.';

function ols(y: Float64Array, X: Float64Array[], df: number): OlsPart & { e: Float64Array } {
  const K = X.length;
  const L = cholesky(crossprod(X), K);
  if (!L) throw new Error(COLLINEAR);
  const coef = choleskySolve(L, K, crossprodVec(X, y));
  const e = residual(y, X, coef);
  const sigma2 = dot(e, e) / df;
  const vcov = choleskyInverse(L, K).map((v) => v * sigma2);
  return { coef, vcov, sigma2, df, e };
}

export function fitRandomEffects(inp: ReInput): ReFit {
  const { n, T, effect } = inp;
  const N = n * T, K = inp.X.length;
  const timeFe = effect === 'twoways';
  // period means out first for time effects (the dummies' projection on a balanced panel)
  const pre = (v: Float64Array) => (timeFe ? demean(v, n, T, 'time') : v);
  const y = pre(inp.y), X = inp.X.map(pre);
  const within = ols(demean(y, n, T, 'individual'), X.map((x) => demean(x, n, T, 'individual')), N - n - K - (timeFe ? T - 1 : 0));
  const ybar = panelMeans(y, n, T).unit, xbar = X.map((x) => panelMeans(x, n, T).unit);
  if (n - K - 1 <= 0) throw new Error(`the between regression needs more units than regressors + 1 (n = ${n}, K = ${K}).`);
  const between = ols(ybar, [new Float64Array(n).fill(1), ...xbar], n - K - 1);
  const s2e = within.sigma2;
  const s21 = T * between.sigma2;
  const theta = s21 > s2e ? 1 - Math.sqrt(s2e / s21) : 0;
  const quasi = (v: Float64Array, m: Float64Array) => {
    const out = new Float64Array(N);
    for (let t = 0; t < T; t++) for (let i = 0; i < n; i++) out[t * n + i] = v[t * n + i] - theta * m[i];
    return out;
  };
  const ys = quasi(y, ybar);
  const Xs = X.map((x, k) => quasi(x, xbar[k]));
  const cols = timeFe ? Xs : [new Float64Array(N).fill(1 - theta), ...Xs];
  const re = ols(ys, cols, N - K - (timeFe ? T : 1));
  let my = 0;
  for (let i = 0; i < N; i++) my += ys[i];
  my /= N;
  let tss = 0;
  for (let i = 0; i < N; i++) tss += (ys[i] - my) ** 2;
  const { e: _e, ...reOut } = re;
  const { e: _w, ...feOut } = within;
  return {
    re: { ...reOut, hasIntercept: !timeFe }, fe: feOut,
    sigma2Idios: s2e, sigma2Id: Math.max(0, (s21 - s2e) / T), theta, r2: 1 - dot(re.e, re.e) / tss,
  };
}

export interface HausmanResult { statistic: number; df: number; p_value: number; positiveDefinite: boolean }

/** Hausman: d'(V_FE - V_RE)^-1 d over the K slopes (V_RE's slope block). */
export function hausmanTest(fit: ReFit): HausmanResult {
  const K = fit.fe.coef.length;
  const off = fit.re.hasIntercept ? 1 : 0, Kr = K + off;
  const d = new Float64Array(K), D = new Float64Array(K * K);
  for (let a = 0; a < K; a++) {
    d[a] = fit.fe.coef[a] - fit.re.coef[a + off];
    for (let b = 0; b < K; b++) D[a * K + b] = fit.fe.vcov[a * K + b] - fit.re.vcov[(a + off) * Kr + b + off];
  }
  const positiveDefinite = cholesky(D, K) !== null;
  const Di = invertGeneral(D, K);
  if (!Di) throw new Error('V_FE - V_RE is singular: the Hausman statistic is undefined.');
  let h = 0;
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) h += d[a] * Di[a * K + b] * d[b];
  return { statistic: h, df: K, p_value: pUpperChisq(h, K), positiveDefinite };
}
