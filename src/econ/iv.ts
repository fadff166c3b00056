// IV-2SLS with absorbed fixed effects as a pure kernel: demean everything by the FE
// (FWL), two stages by Cholesky, second-stage variance from the shared covariance
// registry (scores = first-stage fitted regressors, residuals = structural ones), and
// the first stages. Weak-identification diagnostics live in iv-diagnostics.ts.
import { crossprodBlocked, crossprodVec, cholesky, choleskySolve, choleskyInverse, rankCheck, type Columns } from './linalg.js';
import type { Factor, DemeanInfo } from './fe.js';
import { prepareSample, take, constantFactor, rawScale, demeanOrThrow, varianceWithConstant, residuals } from './fe-ols.js';
import type { VcovRequest, VcovResult } from './vcov.js';
import { econData } from './errors.js';

export interface IvInput {
  y: Float64Array;
  yName: string;
  endog: Columns;
  endogNames: string[];
  exog: Columns;
  exogNames: string[];
  instruments: Columns;
  instrumentNames: string[];
  factors: Factor[];
  feNames: string[];
  clusters?: Factor[];
}

export interface IvOptions {
  vcov: VcovRequest;
  dropSingletons?: boolean;
  tol?: number;
  timings?: Record<string, number>;
}

/** An OLS fit on demeaned data, enough for tests on its coefficients. */
export interface LinearFit {
  beta: Float64Array;
  resid: Float64Array;
  ssr: number;
  bread: Float64Array;
}

export interface IvDemeaned {
  y: Float64Array;
  endog: Columns;
  exog: Columns;
  instruments: Columns;
  /** Z = [instruments..., exog...] */
  Z: Columns;
}

export interface IvResult {
  /** [endog..., exog...] */
  terms: string[];
  beta: Float64Array;
  cons: number;
  /** V over [terms..., _cons] */
  vcov: VcovResult;
  nobs: number;
  singletonsDropped: number;
  dofFE: number;
  nonNestedDof: number;
  dfResid: number;
  ssr: number;
  tssWithin: number;
  tssTotal: number;
  demean: DemeanInfo;
  d: IvDemeaned;
  resid: Float64Array;
  /** first-stage fitted regressors [xhat endog..., exog...] */
  Xhat: Columns;
  ZZinv: Float64Array;
  /** first stage of each endogenous regressor on Z */
  firstStages: LinearFit[];
  factors: Factor[];
  clusters: Factor[];
}

const now = () => performance.now();

/** Name absorbed or collinear columns of a design, as an error. */
export function checkRank(cols: Columns, raw: Columns, names: string[], what: string, feNames: string[]): void {
  const k = cols.length;
  if (k === 0) return;
  const A = crossprodBlocked(cols);
  const rc = rankCheck(A, k, 1e-9, rawScale(raw, A));
  const msgs: string[] = [];
  if (rc.zero.length) msgs.push(`${rc.zero.map((j) => names[j]).join(', ')} ${rc.zero.length > 1 ? 'do' : 'does'} not vary within the fixed effects (${feNames.join(' + ') || 'constant'})`);
  if (rc.collinear.length) msgs.push(`${rc.collinear.map((j) => names[j]).join(', ')} ${rc.collinear.length > 1 ? 'are' : 'is'} collinear with the other ${what}`);
  if (msgs.length) throw econData(`${what}: ${msgs.join('; ')} (singular design): remove ${rc.zero.length + rc.collinear.length > 1 ? 'them' : 'it'}`);
}

/** OLS of y on columns X (no constant: data are demeaned). */
export function olsFit(X: Columns, y: Float64Array): LinearFit {
  const k = X.length;
  const L = cholesky(crossprodBlocked(X), k);
  if (!L) throw econData('singular design in an auxiliary regression');
  const beta = choleskySolve(L, k, crossprodVec(X, y));
  return { beta, ...residuals(y, X, beta), bread: choleskyInverse(L, k) };
}

export function fitIv(input: IvInput, opts: IvOptions): IvResult {
  const t = opts.timings;
  let t0 = now();
  const K1 = input.endog.length, L1 = input.instruments.length;
  if (K1 === 0) throw econData('iv needs at least one endogenous regressor in "endog"');
  if (L1 < K1) throw econData(`the model is under-identified: ${K1} endogenous regressor(s) (${input.endogNames.join(', ')}) need at least as many excluded instruments, got ${L1} (${input.instrumentNames.join(', ') || 'none'})`);
  const clusters0 = input.clusters ?? [];
  const sample = prepareSample(input.y.length, input.factors, clusters0, opts.dropSingletons ?? true);
  const rows = sample.rows, N = rows.length;
  const sub = (c: Float64Array) => (sample.subset ? take(c, rows) : c);
  const factors = sample.factors.length > 0 ? sample.factors : [constantFactor(N)];
  const raw = [input.y, ...input.endog, ...input.exog, ...input.instruments].map(sub);
  const { out, info } = demeanOrThrow(raw, factors, opts.tol, sample.factors.length > 0 ? sample.counts : undefined);
  const y = out[0];
  const endog = out.slice(1, 1 + K1);
  const exog = out.slice(1 + K1, 1 + K1 + input.exog.length);
  const instruments = out.slice(1 + K1 + input.exog.length);
  if (t) t.demean = (t.demean ?? 0) + now() - t0;
  t0 = now();

  const Z = [...instruments, ...exog];
  const rawEndog = raw.slice(1, 1 + K1), rawExog = raw.slice(1 + K1, 1 + K1 + input.exog.length), rawInstr = raw.slice(1 + K1 + input.exog.length);
  checkRank(Z, [...rawInstr, ...rawExog], [...input.instrumentNames, ...input.exogNames], 'instruments', input.feNames);
  checkRank([...endog, ...exog], [...rawEndog, ...rawExog], [...input.endogNames, ...input.exogNames], 'regressors', input.feNames);
  const L = Z.length;
  const Lz = cholesky(crossprodBlocked(Z), L);
  if (!Lz) throw econData('the instruments are collinear (singular design)');
  const ZZinv = choleskyInverse(Lz, L);
  const firstStages: LinearFit[] = endog.map((x) => {
    const beta = choleskySolve(Lz, L, crossprodVec(Z, x));
    return { beta, ...residuals(x, Z, beta), bread: ZZinv };
  });
  const Xhat: Columns = [...endog.map((x, k) => { const r = firstStages[k].resid; const h = new Float64Array(N); for (let i = 0; i < N; i++) h[i] = x[i] - r[i]; return h; }), ...exog];
  const X = [...endog, ...exog];
  const K = X.length;
  const Lx = cholesky(crossprodBlocked(Xhat), K);
  if (!Lx) throw econData(`the first-stage fitted values are collinear: the excluded instruments (${input.instrumentNames.join(', ')}) do not identify ${input.endogNames.join(', ')}`);
  const beta = choleskySolve(Lx, K, crossprodVec(Xhat, y));
  const bread = choleskyInverse(Lx, K);
  const { resid, ssr } = residuals(y, X, beta);
  let tssWithin = 0;
  for (let i = 0; i < N; i++) tssWithin += y[i] * y[i];
  const yRaw = raw[0];
  let yMean = 0;
  for (let i = 0; i < N; i++) yMean += yRaw[i];
  yMean /= N;
  let tssTotal = 0;
  for (let i = 0; i < N; i++) tssTotal += (yRaw[i] - yMean) ** 2;
  const xRaw = raw.slice(1, 1 + K);
  const xMeans = Float64Array.from(xRaw.map((c) => { let m = 0; for (let i = 0; i < N; i++) m += c[i]; return m / N; }));
  let cons = yMean;
  for (let a = 0; a < K; a++) cons -= xMeans[a] * beta[a];
  if (t) t.solve = (t.solve ?? 0) + now() - t0;
  t0 = now();

  const { vcov, dofFE, nonNestedDof: nnd, clusters } = varianceWithConstant(opts.vcov, { scores: Xhat, xMeans, bread, resid, factors, clusters: sample.clusters });
  if (t) t.variance = (t.variance ?? 0) + now() - t0;
  return {
    terms: [...input.endogNames, ...input.exogNames], beta, cons, vcov, nobs: N, singletonsDropped: sample.dropped,
    dofFE, nonNestedDof: nnd, dfResid: N - dofFE - K, ssr, tssWithin, tssTotal, demean: info,
    d: { y, endog, exog, instruments, Z }, resid, Xhat, ZZinv, firstStages, factors, clusters,
  };
}
