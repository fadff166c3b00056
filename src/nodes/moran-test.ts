// The moran node's computation: Moran's I per period (spdep moran.test) and of the FE
// residuals on I_T x W (spdep lm.morantest); the table shape of spatial-tests.ts.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { stackSpatialPanel, baseShape, feParam, setupFor, asDataError } from './spatial-panel.js';
import { columnList } from './column-list.js';
import { moranI, residualMoran, wStats } from '../econ/spatial/moran.js';
import { num } from '../econ/inference.js';
import { FE_LABEL, jsonRows, testTable, type TestRow } from './spatial-tests.js';

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

