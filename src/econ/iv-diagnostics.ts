// Identification diagnostics of IV-2SLS, all on the FE-demeaned data:
// first-stage F statistics, the Kleibergen-Paap (2006) rk LM and Wald statistics
// (the algorithm of Kleibergen & Schaffer's ranktest, used by ivreg2), the
// Cragg-Donald F, the Anderson-Rubin test and confidence set, and Hansen's J.
import {
  crossprodBlocked, crossprodVec, cholesky, choleskySolve, choleskyInverse, invertGeneral, symEigen, symPower,
  matMul, transpose, quadInv, type Columns,
} from './linalg.js';
import { computeVcov, smallSample, type VcovRequest } from './vcov.js';
import { meat } from './vcov-meat.js';
import type { Factor } from './fe.js';
import { olsFit, type IvResult } from './iv.js';
import { waldZero, subMatrix } from './inference.js';
import { pUpperChisq, pUpperF, qF } from './dist.js';
import { econData } from './errors.js';

/** Residuals of each column on B (FWL partialling, one factorisation); B may be empty. */
export function partial(cols: Columns, B: Columns): Columns {
  if (B.length === 0) return cols.map((c) => c.slice());
  const k = B.length;
  const L = cholesky(crossprodBlocked(B), k);
  if (!L) throw econData('partialling out the exogenous regressors: singular design');
  return cols.map((c) => {
    const b = choleskySolve(L, k, crossprodVec(B, c));
    const r = c.slice();
    for (let a = 0; a < k; a++) { const x = B[a], ba = b[a]; for (let i = 0; i < r.length; i++) r[i] -= x[i] * ba; }
    return r;
  });
}

/**
 * vec-ordered moment covariance of vec(Z'E) (index k*L + l), unscaled: iid s2 (E'E) kron
 * (Z'Z) with s2 from nDf, or the registry's robust meat of the score columns z_l e_k.
 */
function momentCov(req: VcovRequest, Z: Columns, E: Columns, clusters: Factor[], nDf: number): Float64Array {
  const L = Z.length, K = E.length, m = K * L;
  if (req.type === 'iid') {
    const EE = crossprodBlocked(E).map((v) => v / nDf);
    const ZZ = crossprodBlocked(Z);
    const S = new Float64Array(m * m);
    for (let k = 0; k < K; k++) for (let k2 = 0; k2 < K; k2++) for (let l = 0; l < L; l++) for (let l2 = 0; l2 < L; l2++)
      S[(k * L + l) * m + (k2 * L + l2)] = EE[k * K + k2] * ZZ[l * L + l2];
    return S;
  }
  // the score columns z_l e_k, each with unit "residual": the meat of vec(Z'E)
  const scores: Columns = [];
  for (let k = 0; k < K; k++) for (let l = 0; l < L; l++) {
    const s = new Float64Array(Z[l].length);
    for (let i = 0; i < s.length; i++) s[i] = Z[l][i] * E[k][i];
    scores.push(s);
  }
  const ones = new Float64Array(Z[0].length).fill(1);
  return meat(req.type, scores, ones, clusters);
}

function kron(A: Float64Array, ra: number, ca: number, B: Float64Array, rb: number, cb: number): Float64Array {
  const R = ra * rb, C = ca * cb;
  const out = new Float64Array(R * C);
  for (let i = 0; i < ra; i++) for (let j = 0; j < ca; j++) {
    const a = A[i * ca + j];
    if (a === 0) continue;
    for (let p = 0; p < rb; p++) for (let q = 0; q < cb; q++) out[(i * rb + p) * C + (j * cb + q)] = a * B[p * cb + q];
  }
  return out;
}

/**
 * Kleibergen-Paap rk statistic for H0: rank(Pi) = K - 1 (Pi: L x K first-stage
 * coefficients of Y on Z, both partialled). `lm`: moments from Y (the LM form, under
 * the null); otherwise from the first-stage residuals (the Wald form). Follows
 * Kleibergen & Paap (2006, section 3) as implemented in ranktest: standardise
 * Theta = F' Pi G^-1' (F, G Cholesky factors of Z'Z, Y'Y), SVD, project on the
 * singular vectors of the smallest singular value, quadratic form in its variance.
 */
export function kpRankStat(Y: Columns, Z: Columns, req: VcovRequest, clusters: Factor[], nDf: number, lm: boolean): number {
  const K = Y.length, L = Z.length, m = K * L;
  const ZZ = crossprodBlocked(Z), YY = crossprodBlocked(Y);
  const Lz = cholesky(ZZ, L), Ly = cholesky(YY, K);
  if (!Lz || !Ly) return NaN;
  const Pi = new Float64Array(L * K);
  for (let k = 0; k < K; k++) {
    const p = choleskySolve(Lz, L, crossprodVec(Z, Y[k]));
    for (let l = 0; l < L; l++) Pi[l * K + k] = p[l];
  }
  const iLy = invertGeneral(Ly, K)!, iLz = invertGeneral(Lz, L)!;
  // Theta = Lz' Pi Ly'^-1
  const theta = matMul(matMul(transpose(Lz, L, L), Pi, L, L, K), transpose(iLy, K, K), L, K, K);
  const U = symEigen(matMul(theta, transpose(theta, L, K), L, K, L), L).vectors; // L x L
  const V = symEigen(matMul(transpose(theta, L, K), theta, K, L, K), K).vectors; // K x K
  const q = K - 1; // test rank q: blocks from index q on
  const nu = L - q, nv = K - q;
  const block = (M: Float64Array, cols: number, r0: number, r1: number, c0: number, c1: number) => {
    const out = new Float64Array((r1 - r0) * (c1 - c0));
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[(r - r0) * (c1 - c0) + (c - c0)] = M[r * cols + c];
    return out;
  };
  const u22 = block(U, L, q, L, q, L), v22 = block(V, K, q, K, q, K);
  const uCol = block(U, L, 0, L, q, L); // L x nu: [u12; u22]
  const vCol = block(V, K, 0, K, q, K); // K x nv: [v12; v22]
  const u22h = symPower(matMul(u22, transpose(u22, nu, nu), nu, nu, nu), nu, 0.5, 0);
  const v22h = symPower(matMul(v22, transpose(v22, nv, nv), nv, nv, nv), nv, 0.5, 0);
  const iu22 = invertGeneral(u22, nu), iv22t = invertGeneral(transpose(v22, nv, nv), nv);
  if (!iu22 || !iv22t) return NaN; // degenerate singular vectors: the statistic is not defined
  const aq = matMul(matMul(uCol, iu22, L, nu, nu), u22h, L, nu, nu); // L x nu
  const bq = matMul(matMul(v22h, iv22t, nv, nv, nv), transpose(vCol, K, nv), nv, nv, K); // nv x K
  // lambda = vec(aq' Theta bq')
  const lamM = matMul(matMul(transpose(aq, L, nu), theta, nu, L, K), transpose(bq, nv, K), nu, K, nv); // nu x nv
  const lam = new Float64Array(nu * nv);
  for (let c = 0; c < nv; c++) for (let r = 0; r < nu; r++) lam[c * nu + r] = lamM[r * nv + c];
  // moments: E = Y (LM) or Y - Z Pi (Wald)
  const E: Columns = lm ? Y : Y.map((yk, k) => {
    const e = yk.slice();
    for (let l = 0; l < L; l++) { const z = Z[l], p = Pi[l * K + k]; for (let i = 0; i < e.length; i++) e[i] -= z[i] * p; }
    return e;
  });
  const S = momentCov(req, Z, E, clusters, nDf);
  // var(vec Theta) = (Ly^-1 kron Lz^-1) S (...)'
  const T = kron(iLy, K, K, iLz, L, L); // m x m
  const vhat = matMul(matMul(T, S, m, m, m), transpose(T, m, m), m, m, m);
  const Kq = kron(bq, nv, K, transpose(aq, L, nu), nu, L); // (nv*nu) x m
  const vlab = matMul(matMul(Kq, vhat, nv * nu, m, m), transpose(Kq, nv * nu, m), nv * nu, m, nv * nu);
  return quadInv(vlab, nv * nu, lam);
}

/** Cragg-Donald F: min eigenvalue of Svv^-1/2 Y'P_Z Y Svv^-1/2 / L1, Svv = Y'M_Z Y / df. */
export function craggDonaldF(Y: Columns, Z: Columns, df: number): number {
  const K = Y.length, L = Z.length;
  const YY = crossprodBlocked(Y);
  const fitted = Y.map((y) => olsFit(Z, y));
  const YMY = new Float64Array(K * K);
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) {
    let s = 0; const ra = fitted[a].resid, rb = fitted[b].resid;
    for (let i = 0; i < ra.length; i++) s += ra[i] * rb[i];
    YMY[a * K + b] = s;
  }
  const YPY = YY.map((v, i) => v - YMY[i]);
  const Sih = symPower(YMY.map((v) => v / df), K, -0.5);
  const M = matMul(matMul(Sih, YPY, K, K, K), Sih, K, K, K);
  const ev = symEigen(M, K).values;
  return ev[K - 1] / L;
}

export interface FirstStageStats {
  endog: string;
  /** coefficients on [instruments..., exog...] */
  beta: Float64Array;
  V: Float64Array;
  Vclassical: Float64Array;
  dfT: number;
  vcovLabel: string;
  vcovFactor: number;
  r2Within: number;
  partialR2: number;
  fClassical: { F: number; df1: number; df2: number; p: number };
  fRobust: { F: number; chi2: number; df1: number; df2: number; p: number };
}

/** Each endogenous regressor's first stage: coefficients, partial R2, F on the excluded instruments. */
export function firstStageStats(res: IvResult, req: VcovRequest, endogNames: string[]): FirstStageStats[] {
  const { Z, exog, instruments } = res.d;
  const L = Z.length, L1 = instruments.length;
  const idx = Array.from({ length: L1 }, (_, i) => i);
  return res.firstStages.map((fs, k) => {
    const x = res.d.endog[k];
    const base = { X: Z, bread: res.ZZinv, resid: fs.resid, nSlopes: L, dofFE: res.dofFE, clusters: res.clusters, nonNestedDof: res.nonNestedDof };
    const vc = computeVcov(req, base);
    const iid = computeVcov({ type: 'iid' }, base);
    let tss = 0;
    for (let i = 0; i < x.length; i++) tss += x[i] * x[i];
    const ssrR = exog.length > 0 ? olsFit(exog, x).ssr : tss;
    const fc = waldZero(fs.beta, iid.V, L, idx, iid.dfT);
    const fr = waldZero(fs.beta, vc.V, L, idx, vc.dfT);
    return {
      endog: endogNames[k], beta: fs.beta, V: vc.V, Vclassical: iid.V, dfT: vc.dfT, vcovLabel: vc.label, vcovFactor: vc.factor,
      r2Within: 1 - fs.ssr / tss, partialR2: 1 - fs.ssr / ssrR,
      fClassical: { F: fc.F, df1: L1, df2: iid.dfT, p: fc.p },
      fRobust: { F: fr.F, chi2: fr.chi2, df1: L1, df2: vc.dfT, p: fr.p },
    };
  });
}

export interface WeakIdStats {
  kpLm: number; kpLmDf: number; kpLmP: number;
  kpWaldChi2: number; kpF: number; kpFFormula: string;
  cdF: number;
  /** K of the first-stage regression under the covariance convention: used by both the first-stage F and the rk F */
  kUsed: number | null;
  /** the registry's small-sample factor of that K */
  factor: number;
}

/**
 * KP rk LM (under-identification, chi2(L1 - K1 + 1)) and rk Wald F (weak
 * identification). The rk Wald chi2 comes from the unscaled robust meat; the F is
 * chi2 / (the first-stage regression's small-sample factor) / L1, i.e. the registry's
 * convention with the same K as the first-stage F. For the default cluster convention
 * that is ivreghdfe's rkF = chi2 / (N-1) x (N - L - sdofminus) x (G-1)/G / L1 with
 * L + sdofminus = instruments + exogenous + the partialled constant + the absorbed FE
 * dof not nested in the cluster; with one endogenous regressor and one instrument the
 * rk F is then exactly the first-stage robust F, as in ivreg2/ivreghdfe. iid: the
 * Cragg-Donald F (which is then the classical first-stage F).
 */
export function weakIdStats(res: IvResult, req: VcovRequest): WeakIdStats {
  const { exog, instruments, endog } = res.d;
  const N = res.nobs, K1 = endog.length, L1 = instruments.length;
  const Yp = partial(endog, exog), Zp = partial(instruments, exog);
  const nDf = N - res.dofFE;
  const lm = kpRankStat(Yp, Zp, req, res.clusters, nDf, true);
  const wald = kpRankStat(Yp, Zp, req, res.clusters, nDf, false);
  const L = exog.length + L1;
  const cdF = craggDonaldF(Yp, Zp, N - res.dofFE - L);
  const df = L1 - K1 + 1;
  const base = { kpLm: lm, kpLmDf: df, kpLmP: pUpperChisq(lm, df), kpWaldChi2: wald, cdF };
  if (req.type === 'iid') return { ...base, kpF: cdF, kpFFormula: 'iid: the Cragg-Donald F', kUsed: null, factor: 1 };
  const G = req.type === 'cluster' ? Math.min(...res.clusters.map((c) => c.nLevels)) : undefined;
  const ss = smallSample(req, { N, nSlopes: L, dofFE: res.dofFE, nonNestedDof: res.nonNestedDof, G });
  return {
    ...base, kpF: wald / ss.factor / L1, kUsed: ss.kUsed, factor: ss.factor,
    kpFFormula: `rkF = chi2 / factor / L1, factor = the first-stage covariance's small-sample factor (${req.convention}, K = ${ss.kUsed ?? 'none'}): the first-stage F's K (ivreghdfe's rule)`,
  };
}

export type ConfSet =
  | { type: 'interval'; low: number; high: number }
  | { type: 'union'; intervals: [number, number][] }
  | { type: 'real-line' }
  | { type: 'empty' };

export interface ArResult { null_value: number; F: number; chi2: number; df1: number; df2: number; p: number; level: number; conf_set: ConfSet }

/**
 * Anderson-Rubin test of beta_endog = b0 (one endogenous regressor): regress
 * y - b0 x on the instruments and test the excluded ones, with the model's covariance;
 * the confidence set inverts it: W(b) = d(b)' V(b)^-1 d(b) with d linear and V
 * quadratic in b (the residuals are linear in b), so the set is exact: roots of a
 * quadratic for one instrument, a fine scan with bisection otherwise.
 */
export function andersonRubin(res: IvResult, req: VcovRequest, b0: number, level: number): ArResult {
  const { Z, instruments } = res.d;
  const L = Z.length, L1 = instruments.length;
  const fy = olsFit(Z, res.d.y), fx = olsFit(Z, res.d.endog[0]);
  const base = { X: Z, bread: res.ZZinv, nSlopes: L, dofFE: res.dofFE, clusters: res.clusters, nonNestedDof: res.nonNestedDof };
  const vOf = (u: Float64Array) => computeVcov(req, { ...base, resid: u });
  const sum = fy.resid.map((v, i) => v + fx.resid[i]);
  const Vyy = vOf(fy.resid), Vxx = vOf(fx.resid), Vs = vOf(sum);
  const idx = Array.from({ length: L1 }, (_, i) => i);
  const A = subMatrix(Vyy.V, L, idx), C = subMatrix(Vxx.V, L, idx), S = subMatrix(Vs.V, L, idx);
  const B = S.map((v, i) => (v - A[i] - C[i]) / 2);
  const py = idx.map((i) => fy.beta[i]), px = idx.map((i) => fx.beta[i]);
  const W = (b: number): number => {
    const d = py.map((v, i) => v - b * px[i]);
    const Vb = A.map((v, i) => v - 2 * b * B[i] + b * b * C[i]);
    return quadInv(Vb, L1, d);
  };
  const df2 = Vyy.dfT;
  const w0 = W(b0);
  const crit = L1 * qF(level, L1, df2);
  let conf: ConfSet;
  if (L1 === 1) {
    // (py - b px)^2 <= crit (A - 2bB + b^2 C)
    const qa = px[0] * px[0] - crit * C[0], qb = -2 * (py[0] * px[0] - crit * B[0]), qc = py[0] * py[0] - crit * A[0];
    conf = quadraticSet(qa, qb, qc);
  } else {
    conf = scanSet((b) => W(b) - crit, res.beta[0], Math.sqrt(Math.abs(res.vcov.V[0])) || 1);
  }
  return { null_value: b0, F: w0 / L1, chi2: w0, df1: L1, df2, p: pUpperF(w0 / L1, L1, df2), level, conf_set: conf };
}

/** {b : qa b^2 + qb b + qc <= 0} */
function quadraticSet(qa: number, qb: number, qc: number): ConfSet {
  const disc = qb * qb - 4 * qa * qc;
  if (Math.abs(qa) < 1e-14 * (Math.abs(qb) + Math.abs(qc))) {
    if (qb === 0) return qc <= 0 ? { type: 'real-line' } : { type: 'empty' };
    const r = -qc / qb;
    return qb > 0 ? { type: 'union', intervals: [[-Infinity, r]] } : { type: 'union', intervals: [[r, Infinity]] };
  }
  if (disc < 0) return qa > 0 ? { type: 'empty' } : { type: 'real-line' };
  const s = Math.sqrt(disc);
  const r1 = (-qb - s) / (2 * qa), r2 = (-qb + s) / (2 * qa);
  const lo = Math.min(r1, r2), hi = Math.max(r1, r2);
  return qa > 0 ? { type: 'interval', low: lo, high: hi } : { type: 'union', intervals: [[-Infinity, lo], [hi, Infinity]] };
}

/** {b : f(b) <= 0} by a scan over centre +- 1000 se (log-spaced) with bisection at sign changes. */
function scanSet(f: (b: number) => number, centre: number, se: number): ConfSet {
  const offs: number[] = [0];
  for (let e = -3; e <= 3; e += 0.01) offs.push(se * 10 ** e, -se * 10 ** e);
  const grid = offs.map((o) => centre + o).sort((a, b) => a - b);
  const vals = grid.map(f);
  const intervals: [number, number][] = [];
  let start: number | null = vals[0] <= 0 ? -Infinity : null;
  const root = (a: number, b: number) => {
    let fa = f(a);
    for (let i = 0; i < 100 && Math.abs(b - a) > 1e-12 * (Math.abs(a) + se); i++) {
      const m = 0.5 * (a + b), fm = f(m);
      if (Math.sign(fm) === Math.sign(fa)) { a = m; fa = fm; } else b = m;
    }
    return 0.5 * (a + b);
  };
  for (let i = 1; i < grid.length; i++) {
    const inPrev = vals[i - 1] <= 0, inCur = vals[i] <= 0;
    if (!inPrev && inCur) start = root(grid[i - 1], grid[i]);
    if (inPrev && !inCur) { intervals.push([start as number, root(grid[i - 1], grid[i])]); start = null; }
  }
  if (start !== null) intervals.push([start, Infinity]);
  if (intervals.length === 0) return { type: 'empty' };
  if (intervals.length === 1 && intervals[0][0] === -Infinity && intervals[0][1] === Infinity) return { type: 'real-line' };
  if (intervals.length === 1 && Number.isFinite(intervals[0][0]) && Number.isFinite(intervals[0][1])) return { type: 'interval', low: intervals[0][0], high: intervals[0][1] };
  return { type: 'union', intervals };
}

export interface HansenJ { stat: number; df: number; p: number; form: string }

/**
 * Over-identification: Sargan (iid: u'P_Z u / (u'u / (N - dofFE))), or Hansen's J with
 * the model's robust/cluster moment covariance S: the two-step efficient GMM objective
 * (Z'u)' S^-1 (Z'u), S from the 2SLS residuals (as ivreg2).
 */
export function hansenJ(res: IvResult, req: VcovRequest): HansenJ | { applicable: false; reason: string } {
  const { Z, y, endog, exog } = res.d;
  const L = Z.length, K = endog.length + exog.length;
  const df = res.d.instruments.length - endog.length;
  const N = res.nobs;
  if (req.type === 'iid') {
    const fit = olsFit(Z, res.resid);
    let uu = 0;
    for (let i = 0; i < N; i++) uu += res.resid[i] ** 2;
    const stat = (uu - fit.ssr) / (uu / (N - res.dofFE));
    return { stat, df, p: pUpperChisq(stat, df), form: 'Sargan' };
  }
  const S = momentCov(req, Z, [res.resid], res.clusters, N);
  const Ls = cholesky(S, L);
  const notPd = { applicable: false as const, reason: `the ${L} x ${L} moment covariance is not positive definite (more moments than clusters, or two-way clustering): J is not computed` };
  if (!Ls) return notPd;
  const Sinv = choleskyInverse(Ls, L);
  const X = [...endog, ...exog];
  // ZX (L x K), Zy (L)
  const ZX = new Float64Array(L * K);
  for (let a = 0; a < K; a++) { const c = crossprodVec(Z, X[a]); for (let l = 0; l < L; l++) ZX[l * K + a] = c[l]; }
  const Zy = crossprodVec(Z, y);
  const XZW = matMul(transpose(ZX, L, K), Sinv, K, L, L);
  const Mq = matMul(XZW, ZX, K, L, K);
  const rhs = matMul(XZW, Zy, K, L, 1);
  const Lm = cholesky(Mq, K);
  if (!Lm) return notPd;
  const b = choleskySolve(Lm, K, rhs);
  const u = y.slice();
  for (let a = 0; a < K; a++) { const xa = X[a]; for (let i = 0; i < N; i++) u[i] -= xa[i] * b[a]; }
  const Zu = crossprodVec(Z, u);
  const stat = quadInv(S, L, Zu);
  return { stat, df, p: pUpperChisq(stat, df), form: 'Hansen J (two-step GMM)' };
}
