// The spatial-lr-wald node's computation: the SDM, SAR and SEM fits and the LR / Wald tests of
// the SDM against them; the table shape of spatial-tests.ts.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { stackSpatialPanel, baseShape, setupFor, asDataError } from './spatial-panel.js';
import { lrWaldTests } from '../econ/spatial/lr-wald.js';
import { fitSpatialPanel } from '../econ/spatial/ml.js';
import { fitSem } from '../econ/spatial/sem.js';
import { num } from '../econ/inference.js';
import { jsonRows, testTable, type TestRow } from './spatial-tests.js';

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

