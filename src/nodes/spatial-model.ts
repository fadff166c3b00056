// The sar / sdm nodes' whole computation as a plain function (checked wrapper around
// the kernels in src/econ/spatial): checks columns, ids and balance, reorders the panel
// to W's unit order stacked by period, fits by concentrated ML, simulates effects.
//
// Model JSON (NODES.md): estimator 'sar' | 'sdm'; call = params; coefficients: beta rows,
// then theta rows named `W*x` (normal z tests); stats { nobs, n_units, n_periods, rho,
// rho_se, rho_z, rho_p, sigma2, sigma2_se, loglik, r2 (squared correlation of y with
// the reduced-form prediction (I - rho W)^-1 (X b + W X theta + FE)), r2_within
// (1 - e'e / y~'y~, Elhorst), fe, lee_yu, ... }; effects { direct | indirect | total:
// [{ term, estimate, std_error, statistic, p_value, conf_low, conf_high }] } (LeSage-Pace,
// exact point estimates, simulated standard errors); vcov { terms: [x, W*x, rho], matrix }.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { stackSpatialPanel, baseShape, spatialPanelParam, effectsParam, setupFor, type CleaningReports } from './spatial-panel.js';
import type { WSetup } from '../econ/spatial/setup.js';
import { fitSpatialPanel, type SpatialMlFit } from '../econ/spatial/ml.js';
import { spatialEffects, type Effects } from '../econ/spatial/effects.js';
import { coefTable, num, toNested } from '../econ/inference.js';
import { pTwoSidedNormal, qNormal } from '../econ/dist.js';
import { VCOV_TYPES } from '../econ/vcov-types.js';

const mlShape = {
  ...baseShape,
  information: z.enum(['expected', 'observed']).default('expected')
    .describe(Object.entries(VCOV_TYPES.ml.conventions).map(([k, v]) => `${k}: ${v}`).join('; ')),
};

export const sarParams = z.object(mlShape).strict();
export const sdmParams = z.object({
  ...mlShape,
  wx: z.array(z.string()).optional().describe('regressors also entered as W x (default: all of x)'),
}).strict();

export { spatialPanelParam, effectsParam };
export type SarParams = z.infer<typeof sarParams>;
export type SdmParams = z.infer<typeof sdmParams>;


export interface SpatialFitOptions {
  nodeId?: string;
  /** clean-panel reports of the panel's cleaning (optional input `cleaning`): say which step removed a unit W has */
  cleaning?: CleaningReports;
  timings?: Record<string, number>;
}

export { setupFor };

export function fitSpatialModel(
  table: ColumnTable, w: IdMatrix, params: SarParams | SdmParams, kind: 'sar' | 'sdm', opts: SpatialFitOptions = {},
): ModelJson {
  const node = opts.nodeId ?? kind;
  const p = kind === 'sdm' ? sdmParams.parse(params) : sarParams.parse(params);
  const t0 = performance.now();
  const wxNames = kind === 'sdm' ? ((p as SdmParams).wx ?? p.x) : [];
  const badWx = wxNames.filter((v) => !p.x.includes(v));
  if (badWx.length) throw new FlowError('validate', `wx names ${badWx.join(', ')}, which are not in x (${p.x.join(', ')}).`, { node });

  const { n, T, y, X } = stackSpatialPanel(table, w, p, node, 2, opts.cleaning);
  const t1 = performance.now();
  const setup = setupFor(w);
  const t2 = performance.now();

  let fit: SpatialMlFit;
  try {
    fit = fitSpatialPanel({ n, T, y, X, wx: wxNames.map((v) => p.x.indexOf(v)), fe: p.fe, leeYu: p.leeYu, setup, information: p.information });
  } catch (e) {
    if (e instanceof FlowError) throw e;
    throw new FlowError('data', (e as Error).message, { node }, e);
  }
  const t3 = performance.now();

  // effects: draws from (beta, theta, rho) without sigma2
  const K = X.length + wxNames.length;
  const P = K + 1, P2 = K + 2;
  const V = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) V[a * P + b] = fit.vcov[a * P2 + b];
  const kx = X.length;
  const beta = fit.coef.slice(0, kx);
  const theta = new Float64Array(kx);
  const thetaIndex = p.x.map((v) => { const j = wxNames.indexOf(v); return j < 0 ? null : kx + j; });
  thetaIndex.forEach((pos2, k) => { if (pos2 !== null) theta[k] = fit.coef[pos2]; });
  let eff: Effects;
  try {
    eff = spatialEffects({ setup, inverse: fit.inverse, rho: fit.rho, xNames: p.x, beta, theta, thetaIndex, vcov: V, draws: p.effects.draws, seed: p.effects.seed });
  } catch (e) {
    throw new FlowError('data', (e as Error).message, { node }, e);
  }
  const t4 = performance.now();
  if (opts.timings) {
    Object.assign(opts.timings, {
      extract: t1 - t0, wSetup: t2 - t1, demeanAndLags: fit.timings.setupMs, optimise: fit.timings.optimiseMs,
      variance: fit.timings.varianceMs, effects: t4 - t3,
    });
  }
  return spatialModelJson(fit, eff, p, kind, wxNames, setup);
}

function spatialModelJson(fit: SpatialMlFit, eff: Effects, p: SarParams | SdmParams, kind: 'sar' | 'sdm', wxNames: string[], setup: WSetup): ModelJson {
  const K = fit.coef.length, P2 = K + 2;
  const terms = [...p.x, ...wxNames.map((v) => `W*${v}`)];
  const coefficients = coefTable(terms, fit.coef, fit.vcov, P2, Infinity);
  const rhoSe = Math.sqrt(fit.vcov[K * P2 + K]);
  const q = qNormal(0.975);
  const effRows = (rows: Effects['direct']) => rows.map((r) => ({
    term: r.term, estimate: num(r.estimate), std_error: num(r.std_error), statistic: num(r.statistic), p_value: num(r.p_value),
    conf_low: num(r.estimate - q * r.std_error), conf_high: num(r.estimate + q * r.std_error),
  }));
  const P = K + 1;
  const V = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) V[a * P + b] = fit.vcov[a * P2 + b];
  return {
    estimator: kind,
    call: p as unknown as Record<string, unknown>,
    coefficients,
    stats: {
      nobs: fit.n * fit.T,
      n_units: fit.n,
      n_periods: fit.T,
      rho: num(fit.rho),
      rho_se: num(rhoSe),
      rho_z: num(fit.rho / rhoSe),
      rho_p: num(pTwoSidedNormal(fit.rho / rhoSe)),
      sigma2: num(fit.sigma2),
      sigma2_se: num(Math.sqrt(fit.vcov[(K + 1) * P2 + K + 1])),
      loglik: num(fit.loglik),
      r2: num(fit.r2),
      r2_within: num(fit.r2Within),
      fe: p.fe,
      lee_yu: p.leeYu,
      likelihood_n: fit.nEff * fit.tEff,
      rho_interval: [num(fit.interval[0]), num(fit.interval[1])],
      logdet_method: setup.logdetMethod,
      logdet_error_bound: num(fit.logdetErrorBound),
      trace_method: fit.traceMethod,
      trace_error_bounds: { tr_G: num(fit.traceErrors.trG), tr_GG: num(fit.traceErrors.trGG), tr_GtG: num(fit.traceErrors.trGtG) },
      vcov: p.information === 'observed' ? 'ML, analytical observed information (Hessian)' : 'ML, analytical information matrix',
      information: p.information,
      effects_draws: eff.draws,
      effects_seed: eff.seed,
      effects_redrawn: eff.redrawn,
      effects_method: `point estimates ${fit.inverse ? 'exact' : 'from the scalars below at the estimate'}; standard errors from ${eff.draws} draws; ${eff.method}`,
      optimizer_evaluations: fit.evaluations,
    },
    effects: { direct: effRows(eff.direct), indirect: effRows(eff.indirect), total: effRows(eff.total) },
    vcov: { terms: [...terms, 'rho'], matrix: toNested(V, P) },
  };
}
