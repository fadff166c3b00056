// The sac node's computation: the sdm node's params and checks (spatial-panel.ts), then the
// kernel in src/econ/spatial/sac.ts and the LeSage-Pace effects of rho.
//
// Model JSON (NODES.md): estimator 'sac'; coefficients: beta rows (normal z tests);
// stats { nobs, n_units, n_periods, rho, rho_se, rho_z, rho_p, lambda, lambda_se, lambda_z,
// lambda_p, sigma2, sigma2_se, loglik, r2, r2_within, fe, lee_yu, likelihood_n, interval,
// logdet_method, vcov, optimizer_evaluations, effects_* }; vcov { terms: [x, rho, lambda],
// matrix }; effects of rho (as sar: S = (I - rho W)^-1 beta; the error process has none).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { stackSpatialPanel, baseShape, setupFor, asDataError, spatialStat, block } from './spatial-panel.js';
import { fitSac } from '../econ/spatial/sac.js';
import { inverseAt } from '../econ/spatial/setup.js';
import { spatialEffects, type Effects } from '../econ/spatial/effects.js';
import { coefTable, num, toNested } from '../econ/inference.js';
import { qNormal } from '../econ/dist.js';

export const sacParams = z.object(baseShape).strict();
export type SacParams = z.infer<typeof sacParams>;

export function fitSacModel(table: ColumnTable, w: IdMatrix, params: SacParams, nodeId = 'sac'): ModelJson {
  const p = sacParams.parse(params);
  const d = stackSpatialPanel(table, w, p, nodeId);
  const setup = setupFor(w);
  const fit = asDataError(nodeId, () => fitSac({ ...d, fe: p.fe, leeYu: p.leeYu, setup }));
  const K = p.x.length, P = K + 3;
  const se = (i: number) => Math.sqrt(fit.vcov[i * P + i]);
  // effects of the lag part: draws of (beta, rho), as for sar
  const Vbr = block(fit.vcov, P, [...Array(K + 1).keys()]);
  const eff: Effects = asDataError(nodeId, () => spatialEffects({
    setup, inverse: inverseAt(setup, fit.rho), rho: fit.rho, xNames: p.x, beta: fit.beta, theta: new Float64Array(K),
    thetaIndex: p.x.map(() => null), vcov: Vbr, draws: p.effects.draws, seed: p.effects.seed,
  }));
  const q = qNormal(0.975);
  const effRows = (rows: Effects['direct']) => rows.map((r) => ({
    term: r.term, estimate: num(r.estimate), std_error: num(r.std_error), statistic: num(r.statistic), p_value: num(r.p_value),
    conf_low: num(r.estimate - q * r.std_error), conf_high: num(r.estimate + q * r.std_error),
  }));
  return {
    estimator: 'sac',
    call: p as unknown as Record<string, unknown>,
    coefficients: coefTable(p.x, fit.beta, fit.vcov, P, Infinity),
    stats: {
      nobs: fit.n * fit.T, n_units: fit.n, n_periods: fit.T,
      ...spatialStat('rho', fit.rho, se(K)), ...spatialStat('lambda', fit.lambda, se(K + 1)),
      sigma2: num(fit.sigma2), sigma2_se: num(se(K + 2)), loglik: num(fit.loglik),
      r2: num(fit.r2), r2_within: num(fit.r2Within), fe: p.fe, lee_yu: p.leeYu, likelihood_n: fit.nEff * fit.tEff,
      interval: [num(fit.interval[0]), num(fit.interval[1])], logdet_method: setup.logdetMethod,
      vcov: 'ML, analytical information matrix', optimizer_evaluations: fit.evaluations,
      effects_draws: eff.draws, effects_seed: eff.seed, effects_redrawn: eff.redrawn,
      effects_method: `point estimates exact; standard errors from ${eff.draws} draws of (beta, rho); ${eff.method}`,
    },
    effects: { direct: effRows(eff.direct), indirect: effRows(eff.indirect), total: effRows(eff.total) },
    vcov: { terms: [...p.x, 'rho', 'lambda'], matrix: toNested(block(fit.vcov, P, [...Array(K + 2).keys()]), K + 2) },
  };
}
