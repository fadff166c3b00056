// Node `re`: random-effects panel regression (Swamy-Arora), the other half of the Hausman test.
//
// Model JSON: estimator 're'; coefficients ((Intercept) unless fe "twoways", then x; t tests
// on the transformed regression's df, as plm); stats { nobs, n_units, n_periods, theta,
// sigma2_idios, sigma2_id, r2 (plm's: of the quasi-demeaned regression), fe (the fixed
// period dummies: [time] or []), effect, vcov, df_resid }.
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { ModelJson } from '../ports/index.js';
import { hausmanParams, type HausmanParams } from './hausman-test.js';
import { stackSpatialPanel, asDataError } from './spatial-panel.js';
import { fitRandomEffects } from '../econ/re.js';
import { coefTable, num, toNested } from '../econ/inference.js';

export function fitReModel(table: ColumnTable, params: HausmanParams, node = 're'): ModelJson {
  const p = hausmanParams.parse(params);
  const d = stackSpatialPanel(table, null, p, node);
  const fit = asDataError(node, () => fitRandomEffects({ ...d, effect: p.fe }));
  const terms = fit.re.hasIntercept ? ['(Intercept)', ...p.x] : p.x;
  return {
    estimator: 're',
    call: p as unknown as Record<string, unknown>,
    coefficients: coefTable(terms, fit.re.coef, fit.re.vcov, terms.length, fit.re.df),
    stats: {
      nobs: d.n * d.T, n_units: d.n, n_periods: d.T, theta: num(fit.theta),
      sigma2_idios: num(fit.sigma2Idios), sigma2_id: num(fit.sigma2Id), r2: num(fit.r2),
      fe: p.fe === 'twoways' ? [p.panel.time] : [], effect: `random ${p.panel.id} effects (Swamy-Arora)`,
      vcov: 'iid', df_resid: fit.re.df,
    },
    vcov: { terms, matrix: toNested(fit.re.vcov, terms.length) },
  };
}

export const reNode = defineNode({
  type: 're',
  version: 1,
  description: 'Random-effects panel regression by Swamy-Arora (plm random.method "swar") on a balanced panel; fe "twoways" adds fixed period dummies',
  params: hausmanParams,
  inputs: { data: { type: 'table', description: 'balanced panel' } },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitReModel(inputs.data as ColumnTable, params, nodeId) };
  },
});
