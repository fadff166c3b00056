// The specification-test nodes' computation (moran, spatial-lm, spatial-lr-wald, hausman):
// the sdm node's params and checks, the kernels in src/econ, and one table shape for all,
// so that `append` stacks them into one diagnostics table:
//   test (text) | y (text) | statistic | z (Moran only) | df (chi2 tests) | p_value
// (NaN where a column does not apply: printed blank). Each node also returns a
// model-like JSON { estimator, call, stats, tests: the same rows, ... }.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import * as aq from 'arquero';
import { stackSpatialPanel, baseShape, feParam, setupFor, asDataError } from './spatial-panel.js';
import { columnList } from './column-list.js';
import { moranI, residualMoran, wStats } from '../econ/spatial/moran.js';
import { spatialLmTests } from '../econ/spatial/lm-tests.js';
import { lrWaldTests } from '../econ/spatial/lr-wald.js';
import { fitSpatialPanel } from '../econ/spatial/ml.js';
import { fitSem } from '../econ/spatial/sem.js';
import { fitRandomEffects, hausmanTest } from '../econ/re.js';
import { num } from '../econ/inference.js';

const FE_LABEL = { none: 'pooled', individual: 'unit FE', time: 'period FE', twoways: 'two-way FE' } as const;

export interface TestRow { test: string; y: string; statistic: number; z: number; df: number; p_value: number }

export function testTable(rows: TestRow[]): ColumnTable {
  return aq.table({
    test: rows.map((r) => r.test),
    y: rows.map((r) => r.y),
    statistic: Float64Array.from(rows, (r) => r.statistic),
    z: Float64Array.from(rows, (r) => r.z),
    df: Float64Array.from(rows, (r) => r.df),
    p_value: Float64Array.from(rows, (r) => r.p_value),
  });
}

const jsonRows = (rows: TestRow[]) => rows.map((r) => ({
  test: r.test, y: r.y, statistic: num(r.statistic), z: num(r.z), df: Number.isNaN(r.df) ? null : r.df, p_value: num(r.p_value),
}));

const { effects: _e, leeYu: _l, x: _x, fe: _f, ...yPanel } = baseShape;
const alternative = z.enum(['greater', 'less', 'two.sided']).default('greater')
  .describe('alternative hypothesis for the z tests (spdep default: greater, positive autocorrelation)');

export const moranParams = z.object({
  ...yPanel,
  x: columnList.optional().describe("regressors: when given, also Moran's I of the residuals of y on x (with fe) on I_T kron W"),
  fe: feParam,
  alternative,
  inference: z.enum(['randomisation', 'normal']).default('randomisation').describe("the per-period rows of the table: z and p under randomisation or normality (the JSON has both)"),
}).strict();
export type MoranParams = z.infer<typeof moranParams>;

export function moranTest(table: ColumnTable, w: IdMatrix, params: MoranParams, node = 'moran'): { model: ModelJson; table: ColumnTable } {
  const p = moranParams.parse(params);
  const x = p.x ?? [];
  const d = stackSpatialPanel(table, w, { y: p.y, x, panel: p.panel }, node, x.length ? 2 : 1);
  const setup = setupFor(w);
  const s = wStats(setup.csr);
  const periods = d.periods.map((period, t) => {
    const v = d.y.subarray(t * d.n, t * d.n + d.n);
    if (v.every((q) => q === v[0])) throw new FlowError('data', `"${p.y}" is constant across units in period ${String(period)}: Moran's I is undefined there; drop the period (filter).`, { node });
    return { period, ...moranI(Float64Array.from(v), setup.csr, s, p.alternative) };
  });
  const rows: TestRow[] = periods.map((m) => {
    const inf = m[p.inference];
    return { test: `Moran's I ${String(m.period)}`, y: p.y, statistic: m.I, z: inf.z, df: NaN, p_value: inf.p_value };
  });
  const resid = x.length ? asDataError(node, () => residualMoran({ ...d, fe: p.fe, w: setup.csr, alternative: p.alternative })) : null;
  if (resid) rows.push({ test: `Moran's I, residuals (${FE_LABEL[p.fe]})`, y: p.y, statistic: resid.I, z: resid.z, df: NaN, p_value: resid.p_value });
  const model: ModelJson = {
    estimator: 'moran',
    call: p as unknown as Record<string, unknown>,
    stats: { n_units: d.n, n_periods: d.T, alternative: p.alternative, S0: num(s.S0), S1: num(s.S1), S2: num(s.S2) },
    periods: periods.map((m) => ({
      period: m.period, I: num(m.I), expectation: num(m.expectation),
      normal: { variance: num(m.normal.variance), z: num(m.normal.z), p_value: num(m.normal.p_value) },
      randomisation: { variance: num(m.randomisation.variance), z: num(m.randomisation.z), p_value: num(m.randomisation.p_value) },
    })),
    residuals: resid && {
      fe: p.fe, I: num(resid.I), expectation: num(resid.expectation), variance: num(resid.variance),
      z: num(resid.z), p_value: num(resid.p_value), df_resid: resid.dfResid,
    },
    tests: jsonRows(rows),
  };
  return { model, table: testTable(rows) };
}

const { effects: _e2, leeYu: _l2, ...lmShape } = baseShape;
export const spatialLmParams = z.object(lmShape).strict();
export type SpatialLmParams = z.infer<typeof spatialLmParams>;

const LM_LABEL = { lm_lag: 'LM lag', lm_error: 'LM error', robust_lm_lag: 'Robust LM lag', robust_lm_error: 'Robust LM error' } as const;

export function spatialLm(table: ColumnTable, w: IdMatrix, params: SpatialLmParams, node = 'spatial-lm'): { model: ModelJson; table: ColumnTable } {
  const p = spatialLmParams.parse(params);
  const d = stackSpatialPanel(table, w, p, node);
  const setup = setupFor(w);
  const res = asDataError(node, () => spatialLmTests({ ...d, fe: p.fe, w: setup.csr }));
  const rows: TestRow[] = res.map((r) => ({ test: `${LM_LABEL[r.test]} (${FE_LABEL[p.fe]})`, y: p.y, statistic: r.statistic, z: NaN, df: 1, p_value: r.p_value }));
  const model: ModelJson = {
    estimator: 'spatial-lm',
    call: p as unknown as Record<string, unknown>,
    stats: { nobs: d.n * d.T, n_units: d.n, n_periods: d.T, fe: p.fe, method: 'Anselin (1988), Anselin et al. (1996) robust forms; panel: Elhorst (2014), on the demeaned OLS residuals' },
    tests: jsonRows(rows).map((r, i) => ({ ...r, key: res[i].test })),
  };
  return { model, table: testTable(rows) };
}

const { effects: _e3, ...lrShape } = baseShape;
export const spatialLrWaldParams = z.object(lrShape).strict();
export type SpatialLrWaldParams = z.infer<typeof spatialLrWaldParams>;

export function spatialLrWald(table: ColumnTable, w: IdMatrix, params: SpatialLrWaldParams, node = 'spatial-lr-wald'): { model: ModelJson; table: ColumnTable } {
  const p = spatialLrWaldParams.parse(params);
  const d = stackSpatialPanel(table, w, p, node);
  const setup = setupFor(w);
  const base = { ...d, fe: p.fe, leeYu: p.leeYu, setup };
  const sdm = asDataError(node, () => fitSpatialPanel({ ...base, wx: p.x.map((_, k) => k) }));
  const sar = asDataError(node, () => fitSpatialPanel({ ...base, wx: [] }));
  const sem = asDataError(node, () => fitSem(base));
  const res = asDataError(node, () => lrWaldTests({ coef: sdm.coef, rho: sdm.rho, vcov: sdm.vcov, loglik: sdm.loglik }, sar.loglik, sem.loglik));
  const rows: TestRow[] = res.map((r) => ({ test: `${r.test}: ${r.restriction}`, y: p.y, statistic: r.statistic, z: NaN, df: r.df, p_value: r.p_value }));
  const model: ModelJson = {
    estimator: 'spatial-lr-wald',
    call: p as unknown as Record<string, unknown>,
    stats: {
      nobs: d.n * d.T, n_units: d.n, n_periods: d.T, fe: p.fe, lee_yu: p.leeYu,
      loglik_sdm: num(sdm.loglik), loglik_sar: num(sar.loglik), loglik_sem: num(sem.loglik),
      rho_sdm: num(sdm.rho), rho_sar: num(sar.rho), lambda_sem: num(sem.lambda),
      method: 'LR: 2 (logL_SDM - logL_restricted); Wald: full information-matrix covariance of the SDM (delta method for theta + rho beta)',
    },
    tests: jsonRows(rows),
  };
  return { model, table: testTable(rows) };
}

const { effects: _e4, leeYu: _l4, fe: _f4, ...hShape } = baseShape;
export const hausmanParams = z.object({
  ...hShape,
  fe: z.enum(['individual', 'twoways']).default('individual').describe('individual: unit effects fixed vs random; twoways: period dummies in both models'),
}).strict();
export type HausmanParams = z.infer<typeof hausmanParams>;

export const HAUSMAN_NOTE = 'non-spatial Hausman test (within vs Swamy-Arora random effects); the spatial Hausman test (Debarsy-Ertur 2010, Lee-Yu 2012) needs spatial random-effects ML and is not built';

export function hausman(table: ColumnTable, params: HausmanParams, node = 'hausman'): { model: ModelJson; table: ColumnTable } {
  const p = hausmanParams.parse(params);
  const d = stackSpatialPanel(table, null, p, node);
  const fit = asDataError(node, () => fitRandomEffects({ ...d, effect: p.fe }));
  const h = asDataError(node, () => hausmanTest(fit));
  const rows: TestRow[] = [{ test: `Hausman FE vs RE${p.fe === 'twoways' ? ' (period dummies in both)' : ''}`, y: p.y, statistic: h.statistic, z: NaN, df: h.df, p_value: h.p_value }];
  const off = fit.re.hasIntercept ? 1 : 0;
  const model: ModelJson = {
    estimator: 'hausman',
    call: p as unknown as Record<string, unknown>,
    stats: {
      nobs: d.n * d.T, n_units: d.n, n_periods: d.T, fe: p.fe, theta: num(fit.theta),
      sigma2_idios: num(fit.sigma2Idios), sigma2_id: num(fit.sigma2Id),
      difference_positive_definite: h.positiveDefinite, note: HAUSMAN_NOTE,
    },
    compared: p.x.map((v, k) => ({
      term: v, fe: num(fit.fe.coef[k]), re: num(fit.re.coef[k + off]),
      fe_se: num(Math.sqrt(fit.fe.vcov[k * p.x.length + k])), re_se: num(Math.sqrt(fit.re.vcov[(k + off) * (p.x.length + off) + k + off])),
    })),
    tests: jsonRows(rows),
  };
  return { model, table: testTable(rows) };
}
