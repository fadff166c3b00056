// derive: new columns from arquero expressions, e.g. { "lnRoad": "d => op.log(d.road_area / d.pop)" }.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { FlowError, dataError } from '../errors.js';
import { declareParams, listCells, isMissing, nullsToNaN, referencedColumns, rowLabeler } from './columns.js';

const MSG = {
  badExpr: (name: string, expr: string, why: string) =>
    `derive column "${name}": cannot use expression ${JSON.stringify(expr)} (${why}). ` +
    `Write an arquero expression over the input columns, e.g. "d => d.retail_sales / d.gdp" or "d => op.log(d.capital)"; ` +
    `constants go in "values" and are read as $.name.`,
  nonFinite: (name: string, expr: string, cells: string) =>
    `derive column "${name}" = ${expr} is not a finite number at ${cells} although every column it reads is present ` +
    `(log of a non-positive value, division by zero?). Fix the data, filter those rows, or set "allowNonFinite": true.`,
} as const;

const params = z.object({
  columns: z
    .record(z.string(), z.string())
    .describe('new (or replaced) columns: { name: arquero expression }, evaluated in order, so later ones may use earlier ones'),
  values: z
    .record(z.string(), z.union([z.number(), z.string(), z.boolean()]))
    .default({})
    .describe('constants available in expressions as $.name (arquero expressions cannot capture outer variables)'),
  allowNonFinite: z
    .boolean()
    .default(false)
    .describe('accept NaN/Infinity results in rows where every column read is present (default: an error naming the cells)'),
  id: z.string().default('city').describe('unit column (used to name cells in messages)'),
  time: z.string().default('year').describe('time column (used to name cells in messages)'),
});

export const derive = defineNode({
  type: 'derive',
  version: 1,
  description: 'Adds columns computed by arquero expressions. Missing numbers are NaN, so they propagate instead of counting as 0.',
  params,
  inputs: { table: { type: 'table', description: 'any table' } },
  outputs: { table: { type: 'table' } },
  run({ params: p, inputs, nodeId }) {
    let t = nullsToNaN(inputs.table as ColumnTable);
    const label = rowLabeler(t, p.id, p.time);
    for (const [name, expr] of Object.entries(p.columns)) {
      try {
        t = t.params(p.values).derive({ [name]: declareParams(expr) });
      } catch (e) {
        throw new FlowError('validate', MSG.badExpr(name, expr, (e as Error).message), { node: nodeId, field: `columns.${name}` }, e);
      }
      if (p.allowNonFinite) continue;
      const out = t.array(name) as ArrayLike<unknown>;
      const reads = referencedColumns(expr).filter((c) => c !== name && t.columnNames().includes(c)).map((c) => t.array(c) as ArrayLike<unknown>);
      const bad: number[] = [];
      for (let i = 0; i < out.length; i++) {
        const v = out[i];
        if (typeof v !== 'number' || Number.isFinite(v)) continue;
        if (reads.every((a) => !isMissing(a[i]))) bad.push(i);
      }
      if (bad.length > 0) throw dataError(MSG.nonFinite(name, expr, listCells(bad, (r) => `${label(r)} = ${out[r]}`)), { node: nodeId });
    }
    return { table: t };
  },
});
