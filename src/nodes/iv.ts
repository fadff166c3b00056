// Node `iv`: IV-2SLS with absorbed fixed effects and the identification diagnostics
// applied work reports (first stages, Kleibergen-Paap rk LM / Wald F, Cragg-Donald F,
// Stock-Yogo critical values, Anderson-Rubin test and set, Hansen J).
//
// Exported API: ivParams (zod), type IvParams, fitIvModel(table, params, opts?) -> ModelJson, ivNode.
// Model JSON: as `fe` (coefficients for [endog..., exog..., _cons], vcov {terms, matrix},
// stats with the covariance convention echoed), plus
//   first_stage: [{ endog, coefficients (on [instruments..., exog...], model vcov),
//     std_error_classical, r2_within, partial_r2, f {F, df1, df2, p, vcov}, f_classical }],
//   stats.kp_lm, kp_lm_df, kp_lm_p (under-identification), kp_wald_chi2, kp_f (weak
//   identification: chi2 / the first stage's small-sample factor / L1, so the same K as
//   the first-stage F, ivreghdfe's rule; kp_f_k, kp_f_factor, kp_f_formula), cd_f, stock_yogo { size,
//   relative_bias, source, note }, hansen_j (or { applicable: false, reason }),
//   anderson_rubin { null_value, F, df1, df2, p, level, conf_set } for one endogenous.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { ModelJson } from '../ports/index.js';
import { requireColumns } from './columns.js';
import { fitIv } from '../econ/iv.js';
import { firstStageStats, weakIdStats, andersonRubin, hansenJ, type ConfSet } from '../econ/iv-diagnostics.js';
import { stockYogoBias, stockYogoSize, STOCK_YOGO_SOURCE } from '../econ/stock-yogo.js';
import { coefTable, waldZero, toNested, num } from '../econ/inference.js';
import { panelParam, vcovParam, resolveVcov, resolveFe, completeNumeric, factorColumns, clusterFactors, residualStats, fromKernel, columnList, optionalColumnList, type FitOptions } from './estimation.js';
import { dataError } from '../errors.js';

export const ivParams = z.object({
  y: z.string().describe('dependent variable column'),
  endog: columnList.describe('endogenous regressors'),
  exog: optionalColumnList.default([]).describe('exogenous regressors (included instruments; a nested list is flattened)'),
  instruments: columnList.describe('excluded instruments'),
  fe: z.array(z.string()).optional().describe('fixed-effect columns; default: [panel.id, panel.time] when panel is given, else none'),
  panel: panelParam.optional(),
  vcov: vcovParam.optional(),
  dropSingletons: z.boolean().default(true),
  level: z.number().gt(0).lt(1).default(0.95),
  tol: z.number().positive().max(1e-6).default(1e-13),
  arNull: z.number().default(0).describe('null value of the Anderson-Rubin test (one endogenous regressor)'),
}).strict();

export type IvParams = z.infer<typeof ivParams>;

const confJson = (c: ConfSet) => {
  const f = (x: number) => (Number.isFinite(x) ? x : null); // null = unbounded
  switch (c.type) {
    case 'interval': return { type: c.type, intervals: [[c.low, c.high]] };
    case 'union': return { type: c.type, intervals: c.intervals.map(([a, b]) => [f(a), f(b)]) };
    default: return { type: c.type, intervals: c.type === 'real-line' ? [[null, null]] : [] };
  }
};

export function fitIvModel(table: ColumnTable, params: IvParams, opts: FitOptions = {}): ModelJson {
  const p = ivParams.parse(params);
  const node = opts.nodeId ?? 'iv';
  const fe = resolveFe(p.fe, p.panel);
  const { req, clusterCols } = resolveVcov(p.vcov, p.panel);
  const overlap = p.endog.filter((c) => p.exog.includes(c) || p.instruments.includes(c));
  if (overlap.length) throw dataError(`${overlap.join(', ')} cannot be both endogenous and exogenous/instrument`, { node });
  requireColumns(table, [p.y, ...p.endog, ...p.exog, ...p.instruments, ...fe, ...clusterCols], 'data', node);
  const t0 = performance.now();
  const [y, ...rest] = completeNumeric(table, [p.y, ...p.endog, ...p.exog, ...p.instruments], node, p.panel);
  const K1 = p.endog.length, K2 = p.exog.length;
  const factors = factorColumns(table, fe, node, p.panel);
  const clusters = clusterFactors(table, clusterCols, fe, factors, node, p.panel);
  if (opts.timings) opts.timings.extract = performance.now() - t0;
  const res = fromKernel(node, () => fitIv({
    y, yName: p.y, endog: rest.slice(0, K1), endogNames: p.endog, exog: rest.slice(K1, K1 + K2), exogNames: p.exog,
    instruments: rest.slice(K1 + K2), instrumentNames: p.instruments, factors, feNames: fe, clusters,
  }, { vcov: req, dropSingletons: p.dropSingletons, tol: p.tol, timings: opts.timings }));

  const t1 = performance.now();
  const K = res.terms.length, k1 = K + 1;
  const terms = [...res.terms, '_cons'];
  const est = [...res.beta, res.cons];
  const V = res.vcov.V;
  const wald = waldZero(est, V, k1, Array.from({ length: K }, (_, i) => i), res.vcov.dfT);
  const zTerms = [...p.instruments, ...p.exog];
  const L = zTerms.length;
  const fss = fromKernel(node, () => firstStageStats(res, req, p.endog));
  const wid = fromKernel(node, () => weakIdStats(res, req));
  const L1 = p.instruments.length;
  const size = stockYogoSize(K1, L1), bias = stockYogoBias(K1, L1);
  const N = res.nobs;
  const r2w = 1 - res.ssr / res.tssWithin;
  const model: ModelJson = {
    estimator: 'iv',
    call: p as unknown as Record<string, unknown>,
    coefficients: coefTable(terms, est, V, k1, res.vcov.dfT, p.level),
    vcov: { terms, matrix: toNested(V, k1) },
    first_stage: fss.map((f) => ({
      endog: f.endog,
      coefficients: coefTable(zTerms, f.beta, f.V, L, f.dfT, p.level),
      std_error_classical: Object.fromEntries(zTerms.map((t, i) => [t, num(Math.sqrt(f.Vclassical[i * L + i]))])),
      r2_within: num(f.r2Within),
      partial_r2: num(f.partialR2),
      f: { F: num(f.fRobust.F), chi2: num(f.fRobust.chi2), df1: f.fRobust.df1, df2: f.fRobust.df2, p: num(f.fRobust.p), vcov: f.vcovLabel },
      f_classical: { F: num(f.fClassical.F), df1: f.fClassical.df1, df2: f.fClassical.df2, p: num(f.fClassical.p) },
    })),
    stats: {
      nobs: N,
      r2_within: num(r2w),
      r2: num(1 - res.ssr / res.tssTotal),
      f: num(wald.F), f_df1: K, f_df2: res.vcov.dfT, f_p: num(wald.p),
      ...residualStats(res, fe),
      kp_lm: num(wid.kpLm), kp_lm_df: wid.kpLmDf, kp_lm_p: num(wid.kpLmP),
      kp_wald_chi2: num(wid.kpWaldChi2), kp_f: num(wid.kpF), kp_f_formula: wid.kpFFormula, kp_f_k: wid.kUsed, kp_f_factor: num(wid.factor),
      cd_f: num(wid.cdF),
      stock_yogo: {
        size: size ?? { applicable: false, reason: `Stock-Yogo size tables cover 1-2 endogenous regressors and up to 30 instruments (here ${K1}, ${L1})` },
        relative_bias: bias ?? { applicable: false, reason: `Stock-Yogo bias tables need 1-3 endogenous regressors and at least 2 more instruments than endogenous, up to 30 (here ${K1}, ${L1})` },
        source: STOCK_YOGO_SOURCE,
        note: 'critical values for the Cragg-Donald F under iid errors; compared to the Kleibergen-Paap F they are a rule of thumb (as in ivreg2)',
      },
      hansen_j: L1 > K1
        ? (() => { const j = hansenJ(res, req); return 'applicable' in j ? j : { stat: num(j.stat), df: j.df, p: num(j.p), form: j.form }; })()
        : { applicable: false, reason: 'exactly identified: as many excluded instruments as endogenous regressors' },
      anderson_rubin: K1 === 1
        ? (() => { const a = andersonRubin(res, req, p.arNull, p.level); return { ...a, F: num(a.F), chi2: num(a.chi2), p: num(a.p), conf_set: confJson(a.conf_set) }; })()
        : { applicable: false, reason: 'the Anderson-Rubin test and set are computed for one endogenous regressor' },
    },
  };
  if (opts.timings) opts.timings.diagnostics = performance.now() - t1;
  return model;
}

export const ivNode = defineNode({
  type: 'iv',
  version: 2, // the code it runs is in its key (its code hash): bump only for a change of meaning
  description: 'IV-2SLS with absorbed fixed effects: first stages, Kleibergen-Paap rk LM / Wald F, Cragg-Donald F, Stock-Yogo critical values, Anderson-Rubin, Hansen J',
  params: ivParams,
  inputs: { data: { type: 'table' } },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitIvModel(inputs.data as ColumnTable, params, { nodeId }) };
  },
});
