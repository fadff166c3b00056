// The sem node's computation: the sdm node's params and checks (spatial-panel.ts), then the
// kernel in src/econ/spatial/sem.ts (its own module, apart from sac's, so that each node's code
// hash covers only the code it runs).
//
// Model JSON (NODES.md): estimator 'sem'; coefficients: beta rows (normal z tests);
// stats { nobs, n_units, n_periods, lambda, lambda_se, lambda_z, lambda_p, sigma2, sigma2_se,
// loglik, r2, r2_within, fe, lee_yu, likelihood_n, interval, logdet_method, vcov,
// optimizer_evaluations }; vcov { terms: [x, lambda], matrix }.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { stackSpatialPanel, baseShape, setupFor, asDataError, spatialStat, block } from './spatial-panel.js';
import { fitSem } from '../econ/spatial/sem.js';
import { coefTable, num, toNested } from '../econ/inference.js';

const { effects: _effects, ...semShape } = baseShape;
export const semParams = z.object(semShape).strict();
export type SemParams = z.infer<typeof semParams>;

export function fitSemModel(table: ColumnTable, w: IdMatrix, params: SemParams, nodeId = 'sem'): ModelJson {
  const p = semParams.parse(params);
  const d = stackSpatialPanel(table, w, p, nodeId);
  const setup = setupFor(w);
  const fit = asDataError(nodeId, () => fitSem({ ...d, fe: p.fe, leeYu: p.leeYu, setup }));
  const K = p.x.length, P = K + 2;
  const se = (i: number) => Math.sqrt(fit.vcov[i * P + i]);
  const idx = [...Array(K + 1).keys()];
  return {
    estimator: 'sem',
    call: p as unknown as Record<string, unknown>,
    coefficients: coefTable(p.x, fit.beta, fit.vcov, P, Infinity),
    stats: {
      nobs: fit.n * fit.T, n_units: fit.n, n_periods: fit.T,
      ...spatialStat('lambda', fit.lambda, se(K)),
      sigma2: num(fit.sigma2), sigma2_se: num(se(K + 1)), loglik: num(fit.loglik),
      r2: num(fit.r2), r2_within: num(fit.r2Within), fe: p.fe, lee_yu: p.leeYu, likelihood_n: fit.nEff * fit.tEff,
      interval: [num(fit.interval[0]), num(fit.interval[1])], logdet_method: setup.logdetMethod,
      logdet_error_bound: num(fit.logdetErrorBound), trace_method: fit.traceMethod,
      trace_error_bounds: { tr_G: num(fit.traceErrors.trG), tr_GG: num(fit.traceErrors.trGG), tr_GtG: num(fit.traceErrors.trGtG) },
      vcov: 'ML, analytical information matrix', optimizer_evaluations: fit.evaluations,
    },
    vcov: { terms: [...p.x, 'lambda'], matrix: toNested(block(fit.vcov, P, idx), K + 1) },
  };
}

