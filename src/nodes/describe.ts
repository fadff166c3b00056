// describe: Table 1 (N, mean, sd, min, max) from exactly the rows the models use:
// by default the rows with every listed variable present.
import { z } from 'zod';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { summarize } from '../econ/measure/describe.js';
import { numericColumns, requireColumns, rowLabeler } from './columns.js';

const MSG = {
  noRows: (counts: string) =>
    `no row has every variable present (missing cells per variable: ${counts}). Check the variable list or clean the panel first.`,
} as const;

const params = z.object({
  vars: z.array(z.string()).min(1).describe('model variables, in table order'),
  listwise: z
    .boolean()
    .default(true)
    .describe('use only rows where every var is present (the estimation sample); false: each variable over its own non-missing rows'),
  id: z.string().default('city').describe('unit column (used to name cells)'),
  time: z.string().default('year').describe('time column (used to name cells)'),
});

export const describe = defineNode({
  type: 'describe',
  version: 1,
  description: 'Descriptive statistics (N, mean, sd with n - 1, min, max) of the model variables over the estimation sample (METHOD 2.7).',
  params,
  inputs: { data: { type: 'table' } },
  outputs: {
    table: { type: 'table', description: 'one row per variable: var, N, mean, sd, min, max' },
    report: { type: 'json', description: 'rows in, rows used, rows dropped for missing values' },
  },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    requireColumns(t, p.vars, 'data', nodeId);
    const X = numericColumns(t, p.vars, rowLabeler(t, p.id, p.time), nodeId);
    const n = t.numRows();
    const rowOk = new Uint8Array(n);
    let used = 0;
    for (let i = 0; i < n; i++) {
      rowOk[i] = X.every((x) => Number.isFinite(x[i])) ? 1 : 0;
      used += rowOk[i];
    }
    if (p.listwise && used === 0) {
      const counts = p.vars.map((v, j) => `${v} ${X[j].filter((x) => !Number.isFinite(x)).length}`).join(', ');
      throw dataError(MSG.noRows(counts), { node: nodeId });
    }
    const stats = X.map((x) => summarize(p.listwise ? x.filter((_, i) => rowOk[i] === 1) : x));
    const table = aq.table({
      var: p.vars,
      N: stats.map((s) => s.n),
      mean: Float64Array.from(stats, (s) => s.mean),
      sd: Float64Array.from(stats, (s) => s.sd),
      min: Float64Array.from(stats, (s) => s.min),
      max: Float64Array.from(stats, (s) => s.max),
    });
    return { table, report: { rowsIn: n, nobs: p.listwise ? used : null, dropped: p.listwise ? n - used : null, listwise: p.listwise } };
  },
});
