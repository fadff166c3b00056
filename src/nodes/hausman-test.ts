// The hausman node's computation: within against Swamy-Arora random effects (plm phtest);
// the table shape of spatial-tests.ts.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { ModelJson } from '../ports/index.js';
import { stackSpatialPanel, baseShape, asDataError } from './spatial-panel.js';
import { fitRandomEffects, hausmanTest } from '../econ/re.js';
import { num } from '../econ/inference.js';
import { jsonRows, testTable, type TestRow } from './spatial-tests.js';

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
