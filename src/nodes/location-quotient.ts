// location-quotient: LQ_i = (fin_i / emp_i) / (fin_R / emp_R), R the reference region (METHOD 1.8).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { locationQuotient as lqKernel } from '../econ/measure/lq.js';
import { asList, listCells, numericColumn, requireColumns, rowLabeler, sumColumns, timeColumn } from './columns.js';

const MSG = {
  denominator: (cells: string) => `total employment is zero or negative at ${cells}: the location quotient is undefined. Fix the data or filter those rows.`,
  negative: (col: string, cells: string) => `"${col}" is negative at ${cells}: fix the data.`,
  emptyRef: (periods: string) =>
    `the reference region has no sector employment in ${periods}: check "reference" (column and values) and the data.`,
} as const;

const params = z.object({
  numerator: z.string().default('emp_finance').describe('sector employment column (financial-sector employment)'),
  denominator: z
    .union([z.string(), z.array(z.string()).min(1)])
    .default(['emp_primary', 'emp_secondary', 'emp_tertiary'])
    .describe('total employment: one column, or a list of columns summed'),
  time: z.string().nullable().default('year').describe('reference totals are computed per period of this column; null pools all rows'),
  reference: z
    .object({ column: z.string(), values: z.array(z.union([z.string(), z.number()])).min(1) })
    .nullable()
    .default(null)
    .describe('rows forming the reference region R: those whose column is one of values (default: all rows)'),
  out: z.string().default('LQ').describe('name of the location-quotient column'),
  id: z.string().default('city').describe('unit column (used to name cells)'),
});

export const locationQuotient = defineNode({
  type: 'location-quotient',
  version: 1,
  description: 'Location quotient of a sector: (sector_i / total_i) / (sector_R / total_R), R all rows of the period by default (METHOD 1.8).',
  params,
  inputs: { data: { type: 'table' } },
  outputs: { table: { type: 'table', description: 'data with the location quotient added' } },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    const denom = asList(p.denominator);
    requireColumns(t, [p.numerator, ...denom, ...(p.time ? [p.time] : []), ...(p.reference ? [p.reference.column] : [])], 'data', nodeId);
    const label = rowLabeler(t, p.id, p.time);
    const fin = numericColumn(t, p.numerator, label, nodeId);
    const emp = sumColumns(t, denom, label, nodeId);
    const neg: number[] = [];
    for (let i = 0; i < fin.length; i++) if (fin[i] < 0) neg.push(i);
    if (neg.length > 0) throw dataError(MSG.negative(p.numerator, listCells(neg, label)), { node: nodeId });
    const bad: number[] = [];
    for (let i = 0; i < emp.length; i++) if (emp[i] <= 0) bad.push(i);
    if (bad.length > 0) throw dataError(MSG.denominator(listCells(bad, label)), { node: nodeId });

    const n = t.numRows();
    const group = new Int32Array(n);
    const periods: number[] = [];
    if (p.time) {
      const year = timeColumn(t, p.time, label, nodeId);
      const idx = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (!idx.has(year[i])) {
          idx.set(year[i], periods.length);
          periods.push(year[i]);
        }
        group[i] = idx.get(year[i])!;
      }
    } else periods.push(0);
    const inRef = new Uint8Array(n).fill(1);
    if (p.reference) {
      const allowed = new Set(p.reference.values.map(String));
      const c = t.array(p.reference.column) as ArrayLike<unknown>;
      for (let i = 0; i < n; i++) inRef[i] = allowed.has(String(c[i])) ? 1 : 0;
    }
    const { lq, refShare } = lqKernel(fin, emp, group, periods.length, inRef);
    const empty = periods.filter((_, g) => !(refShare[g] > 0));
    if (empty.length > 0) throw dataError(MSG.emptyRef(p.time ? empty.join(', ') : 'the data'), { node: nodeId });
    return { table: t.assign({ [p.out]: lq }) };
  },
});
