// deflate: nominal columns to constant prices of a base year with a chained
// year-on-year price index per region (METHOD 1.3).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { chainDeflator, deflateBy } from '../econ/measure/deflate.js';
import { listCells, numericColumn, requireColumns, rowLabeler, timeColumn } from './columns.js';

const MSG = {
  noDeflator: (cells: string, base: number) =>
    `no deflator for the data rows ${cells}: the price index of that region is absent, or missing in a year ` +
    `between the row's year and the base year ${base}. Complete the "prices" input or move "base" inside the index years.`,
  dupPrices: (cells: string) => `the "prices" input repeats (region, year) at ${cells}: keep one index per region-year.`,
  badIndex: (col: string, cells: string) =>
    `price index "${col}" must be positive (previous year = 100) but is ${cells}. Fix the index or check its units.`,
  sameName: (col: string) => `deflating "${col}" would overwrite it: set a non-empty "suffix" or a name in "rename".`,
} as const;

const params = z.object({
  columns: z.array(z.string()).min(1).describe('nominal columns of "data" to deflate'),
  index: z.string().default('fai_price_index').describe('column of "prices" with the year-on-year index (previous year = 100)'),
  base: z.number().int().default(2003).describe('base year: P_base = 1, chained forwards and backwards'),
  group: z.string().default('province').describe('region column joining data to prices (same name in both tables)'),
  time: z.string().default('year').describe('time column (same name in both tables)'),
  id: z.string().default('city').describe('unit column of "data" (used to name cells in messages)'),
  suffix: z.string().default('_real').describe('real column name = nominal name + suffix (unless renamed)'),
  rename: z.record(z.string(), z.string()).default({}).describe('explicit real column names: { nominal: real }'),
  deflator: z.string().nullable().default(null).describe('if given, also add the cumulative deflator P_t under this name'),
});

export const deflate = defineNode({
  type: 'deflate',
  version: 1,
  description: 'Deflates nominal columns with a chained regional price index: P_base = 1, P_t = P_(t-1) x idx_t / 100; real = nominal / P (METHOD 1.3).',
  params,
  inputs: {
    data: { type: 'table', description: 'table with the nominal columns, region and year' },
    prices: { type: 'table', description: 'region-year table with the year-on-year price index' },
  },
  outputs: { table: { type: 'table', description: 'data with real columns (and optionally the deflator) added' } },
  run({ params: p, inputs, nodeId }) {
    const data = inputs.data as ColumnTable;
    const prices = inputs.prices as ColumnTable;
    requireColumns(data, [p.group, p.time, ...p.columns], 'data', nodeId);
    requireColumns(prices, [p.group, p.time, p.index], 'prices', nodeId);
    const outName = (c: string) => p.rename[c] ?? c + p.suffix;
    for (const c of p.columns) if (outName(c) === c) throw dataError(MSG.sameName(c), { node: nodeId });

    // One consecutive index series per region; absent years are NaN so the chain breaks there.
    const pLabel = rowLabeler(prices, p.group, p.time);
    const pYear = timeColumn(prices, p.time, pLabel, nodeId);
    const idx = numericColumn(prices, p.index, pLabel, nodeId);
    const bad: number[] = [];
    for (let r = 0; r < idx.length; r++) if (idx[r] <= 0) bad.push(r);
    if (bad.length > 0) throw dataError(MSG.badIndex(p.index, listCells(bad, (r) => `${pLabel(r)} = ${idx[r]}`)), { node: nodeId });
    const region = prices.array(p.group) as ArrayLike<unknown>;
    const rowsOf = new Map<string, number[]>();
    for (let r = 0; r < region.length; r++) {
      const k = String(region[r]);
      if (!rowsOf.has(k)) rowsOf.set(k, []);
      rowsOf.get(k)!.push(r);
    }
    const series = new Map<string, { first: number; P: Float64Array }>();
    const dup: number[] = [];
    for (const [k, rows] of rowsOf) {
      let first = Infinity;
      let last = -Infinity;
      for (const r of rows) {
        first = Math.min(first, pYear[r]);
        last = Math.max(last, pYear[r]);
      }
      const span = new Float64Array(last - first + 1).fill(NaN);
      for (const r of rows) {
        const j = pYear[r] - first;
        if (!Number.isNaN(span[j])) dup.push(r);
        span[j] = idx[r];
      }
      series.set(k, { first, P: chainDeflator(span, first, p.base) });
    }
    if (dup.length > 0) throw dataError(MSG.dupPrices(listCells(dup, pLabel)), { node: nodeId });

    const dLabel = rowLabeler(data, p.id, p.time);
    const dYear = timeColumn(data, p.time, dLabel, nodeId);
    const dRegion = data.array(p.group) as ArrayLike<unknown>;
    const n = data.numRows();
    const P = new Float64Array(n);
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = series.get(String(dRegion[i]));
      const j = s ? dYear[i] - s.first : -1;
      P[i] = s && j >= 0 && j < s.P.length ? s.P[j] : NaN;
      if (Number.isNaN(P[i])) missing.push(i);
    }
    if (missing.length > 0) throw dataError(MSG.noDeflator(listCells(missing, dLabel), p.base), { node: nodeId });

    const added: Record<string, Float64Array> = {};
    for (const c of p.columns) added[outName(c)] = deflateBy(numericColumn(data, c, dLabel, nodeId), P);
    if (p.deflator) added[p.deflator] = P;
    return { table: data.assign(added) };
  },
});
