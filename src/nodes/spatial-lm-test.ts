// The spatial-lm node's computation: LM lag / error and their robust forms on the pooled or FE
// OLS residuals; the table shape of spatial-tests.ts.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { stackSpatialPanel, baseShape, setupFor, asDataError } from './spatial-panel.js';
import { spatialLmTests } from '../econ/spatial/lm-tests.js';
import { FE_LABEL, jsonRows, testTable, type TestRow } from './spatial-tests.js';

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

