// filter: keep rows (an arquero predicate, a year range or list) and columns (keep / drop).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { FlowError, dataError } from '../errors.js';
import { declareParams, keepRows, nullsToNaN, requireColumns, rowLabeler, timeColumn } from './columns.js';

const MSG = {
  badWhere: (expr: string, why: string) =>
    `filter "where" ${JSON.stringify(expr)} is not a valid arquero predicate (${why}). ` +
    `Write e.g. "d => d.province !== 'Shanghai' && d.year >= 2006"; constants go in "values" as $.name.`,
  reversedYears: 'years.from is after years.to, so no period would be kept: swap them',
  noneKept: (what: string, n: number, before: string) =>
    `no rows left: ${what} keeps none of the ${n} rows${before}; the nodes downstream need data: widen the selection`,
  keepAndDropOverlap: (cols: string[]) => `columns ${cols.join(', ')} are both in "keep" and "drop": list each in one of them.`,
} as const;

const params = z.object({
  where: z.string().nullable().default(null).describe('arquero predicate over a row, e.g. "d => d.year >= 2006"; missing numbers are NaN (never true in comparisons)'),
  values: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}).describe('constants available in "where" as $.name'),
  years: z
    .union([
      z.object({ from: z.number().int().optional(), to: z.number().int().optional() })
        .refine((y) => y.from === undefined || y.to === undefined || y.from <= y.to, MSG.reversedYears),
      z.array(z.number().int()),
    ])
    .nullable()
    .default(null)
    .describe('keep these periods: { from, to } (inclusive, either optional) or an explicit list of years'),
  time: z.string().default('year').describe('time column used by "years"'),
  keep: z.array(z.string()).nullable().default(null).describe('keep only these columns (in this order)'),
  drop: z.array(z.string()).default([]).describe('drop these columns'),
});

/** "2003-2020": the span of the time column's values. */
function yearSpan(year: ArrayLike<number>): string {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < year.length; i++) { if (year[i] < lo) lo = year[i]; if (year[i] > hi) hi = year[i]; }
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

export const filter = defineNode({
  type: 'filter',
  version: 1,
  description: 'Selects rows (where predicate, year range or list) and columns (keep / drop).',
  params,
  inputs: { table: { type: 'table' } },
  outputs: { table: { type: 'table' } },
  run({ params: p, inputs, nodeId }) {
    let t = inputs.table as ColumnTable;
    if (p.keep) requireColumns(t, p.keep, 'table', nodeId);
    requireColumns(t, p.drop, 'table', nodeId);
    const overlap = (p.keep ?? []).filter((c) => p.drop.includes(c));
    if (overlap.length > 0) throw new FlowError('validate', MSG.keepAndDropOverlap(overlap), { node: nodeId });
    if (p.years) {
      requireColumns(t, [p.time], 'table', nodeId);
      const year = timeColumn(t, p.time, rowLabeler(t, null, p.time), nodeId);
      const ys = p.years;
      const inYears = Array.isArray(ys) ? ((y: number) => ys.includes(y)) : (y: number) => (ys.from ?? -Infinity) <= y && y <= (ys.to ?? Infinity);
      const mask = new Uint8Array(t.numRows());
      for (let i = 0; i < mask.length; i++) mask[i] = inYears(year[i]) ? 1 : 0;
      const n = t.numRows();
      t = keepRows(t, mask);
      if (t.numRows() === 0 && n > 0) throw dataError(MSG.noneKept(`"years" ${JSON.stringify(ys)}`, n, ` (${p.time} ${yearSpan(year)})`), { node: nodeId, field: 'years' });
    }
    if (p.where) {
      const n0 = t.numRows();
      t = nullsToNaN(t);
      try {
        t = t.params(p.values).filter(declareParams(p.where)).reify();
      } catch (e) {
        throw new FlowError('validate', MSG.badWhere(p.where, (e as Error).message), { node: nodeId, field: 'where' }, e);
      }
      if (t.numRows() === 0 && n0 > 0) throw dataError(MSG.noneKept(`"where" ${JSON.stringify(p.where)}`, n0, ''), { node: nodeId, field: 'where' });
    }
    if (p.keep) t = t.select(p.keep);
    if (p.drop.length > 0) t = t.select(t.columnNames().filter((c) => !p.drop.includes(c)));
    return { table: t };
  },
});
