// Node `aggregate`: one row per group (Stata `collapse`, dplyr summarise), e.g. each
// city's mean GDP per capita over the sample years for the economic weights:
// { "by": ["city"], "columns": { "gdp_pc": "mean(gdp_pc)" } }. Sums run in row order, so
// the result is the same on every machine.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError, FlowError } from '../errors.js';
import { requireColumns, numericColumn, rowLabeler, listCells } from './columns.js';
import { colValues, rowKeys, gather, makeTable, type Column } from './table-cols.js';

const FUNS = ['mean', 'sum', 'min', 'max', 'sd', 'var', 'median', 'first', 'last', 'count', 'nmissing'] as const;
type Fun = (typeof FUNS)[number];
const SPEC = new RegExp(`^\\s*(${FUNS.join('|')}|n)\\(\\s*([^()]*?)\\s*\\)\\s*$`);

export const aggregateParams = z.object({
  by: z.array(z.string()).max(16).default([]).describe('group columns (none: one row for the whole table)'),
  columns: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0 && Object.keys(c).length <= 10_000, 'between 1 and 10,000 columns')
    .describe(`{ new column: "fun(column)" }, fun one of ${FUNS.join(', ')}; "n()" counts rows. sd and var use n - 1`),
  missing: z.enum(['error', 'skip']).default('error').describe('a missing value in a summarised column: an error naming the cells, or skipped (as Stata collapse does; a group with none left gives NaN)'),
  id: z.string().default('city').describe('unit column (names cells in messages)'),
  time: z.string().default('year').describe('time column (names cells in messages)'),
}).strict();

export type AggregateParams = z.infer<typeof aggregateParams>;

const MSG = {
  spec: (name: string, spec: string) => `columns.${name}: "${spec}" is not "fun(column)" with fun one of ${FUNS.join(', ')} (or "n()")`,
  missing: (col: string, cells: string) => `column "${col}" is missing at ${cells}: fill or drop those rows upstream, or set "missing": "skip" to summarise what is there`,
  clash: (name: string) => `"${name}" is both a group column and an output: name the output otherwise`,
} as const;

function summarise(fun: Fun, x: Float64Array, rows: number[]): number {
  const v: number[] = [];
  for (const r of rows) if (x[r] === x[r]) v.push(x[r]);
  switch (fun) {
    case 'count': return v.length;
    case 'nmissing': return rows.length - v.length;
    case 'first': return rows.length ? x[rows[0]] : NaN;
    case 'last': return rows.length ? x[rows[rows.length - 1]] : NaN;
    default: break;
  }
  if (!v.length) return NaN;
  switch (fun) {
    case 'sum': return v.reduce((s, a) => s + a, 0);
    case 'mean': return v.reduce((s, a) => s + a, 0) / v.length;
    case 'min': return v.reduce((a, b) => (b < a ? b : a));
    case 'max': return v.reduce((a, b) => (b > a ? b : a));
    case 'median': { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; }
    case 'sd': case 'var': {
      if (v.length < 2) return NaN;
      const m = v.reduce((s, a) => s + a, 0) / v.length;
      const ss = v.reduce((s, a) => s + (a - m) * (a - m), 0) / (v.length - 1);
      return fun === 'sd' ? Math.sqrt(ss) : ss;
    }
    default: { const never: never = fun; return never; }
  }
}

export function aggregateTable(t: ColumnTable, p: AggregateParams, node: string): ColumnTable {
  const specs = Object.entries(p.columns).map(([name, spec]) => {
    const m = SPEC.exec(spec);
    if (!m || (m[1] !== 'n' && !m[2])) throw new FlowError('validate', MSG.spec(name, spec), { node, field: `columns.${name}` });
    if (p.by.includes(name)) throw new FlowError('validate', MSG.clash(name), { node, field: `columns.${name}` });
    return { name, fun: m[1] as Fun | 'n', col: m[2] };
  });
  requireColumns(t, [...p.by, ...specs.filter((s) => s.fun !== 'n').map((s) => s.col)], 'table', node);
  const n = t.numRows();
  const keys = rowKeys(p.by.map((c) => colValues(t, c)), n);
  const groups = new Map<string, number[]>();
  keys.forEach((k, r) => { const g = k ?? '\u0001missing'; let a = groups.get(g); if (!a) groups.set(g, (a = [])); a.push(r); });
  const label = rowLabeler(t, p.id, p.time);
  const values = new Map<string, Float64Array>();
  const out: Record<string, Column> = {};
  const firsts = Int32Array.from([...groups.values()], (rows) => rows[0]);
  for (const c of p.by) out[c] = gather(colValues(t, c), firsts);
  for (const s of specs) {
    if (s.fun === 'n') { out[s.name] = Float64Array.from(groups.values(), (rows) => rows.length); continue; }
    const xs = values.get(s.col) ?? numericColumn(t, s.col, label, node);
    values.set(s.col, xs);
    if (p.missing === 'error' && s.fun !== 'count' && s.fun !== 'nmissing') {
      const bad: number[] = [];
      for (let r = 0; r < n; r++) if (xs[r] !== xs[r]) bad.push(r);
      if (bad.length) throw dataError(MSG.missing(s.col, listCells(bad, label)), { node });
    }
    out[s.name] = Float64Array.from(groups.values(), (rows) => summarise(s.fun as Fun, xs, rows));
  }
  return makeTable(out, [...p.by, ...specs.map((s) => s.name)]);
}

export const aggregateNode = defineNode({
  type: 'aggregate',
  version: 1,
  description: 'One row per group: mean, sum, min, max, sd, var, median, first, last, count, nmissing of columns, n() rows (e.g. a city\'s mean over years)',
  params: aggregateParams,
  inputs: { table: { type: 'table' } },
  outputs: { table: { type: 'table' } },
  run({ params, inputs, nodeId }) {
    return { table: aggregateTable(inputs.table as ColumnTable, params, nodeId) };
  },
});
