// allocate-share: provincial sector investment allocated to cities by their share of the
// province in a broader sector (METHOD 1.2).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { allocateShare as allocateKernel } from '../econ/measure/allocate.js';
import { listCells, numericColumn, requireColumns, rowLabeler, timeColumn, type RowLabel } from './columns.js';

const MSG = {
  noProvinceRow: (cells: string) =>
    `no province-year row for the city rows ${cells}. Add those province-years to the "province" input or filter the city rows.`,
  dupProvince: (cells: string) => `the "province" input repeats (province, year) at ${cells}: keep one row per province-year.`,
  zeroBroad: (col: string, cells: string) =>
    `province "${col}" is zero or negative for ${cells}, so the city share is undefined. Check the province figures (units, missing cells).`,
  shareTooHigh: (col: string, cells: string, max: number) =>
    `the city share of "${col}" exceeds ${max} at ${cells}: a city reports more than its province. ` +
    `Check units and province names; raise "maxShare" if the excess is a known reporting difference.`,
} as const;

const allocation = z.object({
  out: z.string().describe('name of the added city column'),
  broad: z.string().describe('broader sector column in the city table (the share numerator)'),
  provinceBroad: z.string().optional().describe('broader sector column in the province table (default: same name as broad)'),
  narrow: z.string().describe('narrow sector column in the province table (the figure allocated)'),
  shareOut: z.string().optional().describe('if given, also add the city share under this name'),
});

const params = z.object({
  allocations: z
    .array(allocation)
    .min(1)
    .default([
      { out: 'elec_invest', broad: 'fai_utilities', narrow: 'fai_electricity_supply' },
      { out: 'rail_invest', broad: 'fai_transport', narrow: 'fai_railway' },
    ])
    .describe('one entry per allocated figure: out = broad_city / broad_province x narrow_province'),
  province: z.string().default('province').describe('province column (same name in both tables)'),
  time: z.string().default('year').describe('time column (same name in both tables)'),
  id: z.string().default('city').describe('city column (used to name cells in messages)'),
  ownProvince: z
    .array(z.string())
    .default(['Shanghai'])
    .describe('provinces that are a single city of the sample: their city gets the whole province figure (share = 1)'),
  maxShare: z.number().positive().default(1).describe('a city share above this is an error (1 + 1e-9 tolerance)'),
});

function labelWithValue(label: RowLabel, x: Float64Array): RowLabel {
  return (r) => `${label(r)} = ${x[r]}`;
}

export const allocateShare = defineNode({
  type: 'allocate-share',
  version: 1,
  description: "City sector investment estimated as the city's share of its province in a broader sector times the province's narrow sector figure (METHOD 1.2).",
  params,
  inputs: {
    city: { type: 'table', description: 'city-year table with the broad sector columns' },
    province: { type: 'table', description: 'province-year table with the broad and narrow sector columns' },
  },
  outputs: { table: { type: 'table', description: 'the city table with one column per allocation added' } },
  run({ params: p, inputs, nodeId }) {
    const city = inputs.city as ColumnTable;
    const prov = inputs.province as ColumnTable;
    requireColumns(city, [p.province, p.time, ...p.allocations.map((a) => a.broad)], 'city', nodeId);
    requireColumns(prov, [p.province, p.time, ...p.allocations.flatMap((a) => [a.provinceBroad ?? a.broad, a.narrow])], 'province', nodeId);
    const cLabel = rowLabeler(city, p.id, p.time);
    const pLabel = rowLabeler(prov, p.province, p.time);
    const cYear = timeColumn(city, p.time, cLabel, nodeId);
    const pYear = timeColumn(prov, p.time, pLabel, nodeId);
    const pName = prov.array(p.province) as ArrayLike<unknown>;
    const key = (name: unknown, year: number) => `${String(name)}\u0000${year}`;
    const pIndex = new Map<string, number>();
    const dup: number[] = [];
    for (let r = 0; r < pName.length; r++) {
      const k = key(pName[r], pYear[r]);
      if (pIndex.has(k)) dup.push(r);
      else pIndex.set(k, r);
    }
    if (dup.length > 0) throw dataError(MSG.dupProvince(listCells(dup, pLabel)), { node: nodeId });

    const n = city.numRows();
    const cName = city.array(p.province) as ArrayLike<unknown>;
    const match = new Int32Array(n);
    const unmatched: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = pIndex.get(key(cName[i], cYear[i]));
      if (r === undefined) unmatched.push(i);
      match[i] = r ?? -1;
    }
    if (unmatched.length > 0) throw dataError(MSG.noProvinceRow(listCells(unmatched, cLabel)), { node: nodeId });

    const own = new Set(p.ownProvince);
    const whole = new Uint8Array(n);
    for (let i = 0; i < n; i++) whole[i] = own.has(String(cName[i])) ? 1 : 0;
    const added: Record<string, Float64Array> = {};
    for (const a of p.allocations) {
      const cityBroad = numericColumn(city, a.broad, cLabel, nodeId);
      const provBroadAll = numericColumn(prov, a.provinceBroad ?? a.broad, pLabel, nodeId);
      const provNarrowAll = numericColumn(prov, a.narrow, pLabel, nodeId);
      const provBroad = new Float64Array(n);
      const provNarrow = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        provBroad[i] = provBroadAll[match[i]];
        provNarrow[i] = provNarrowAll[match[i]];
      }
      const zero: number[] = [];
      for (let i = 0; i < n; i++) if (!whole[i] && provBroad[i] <= 0) zero.push(i);
      if (zero.length > 0)
        throw dataError(MSG.zeroBroad(a.provinceBroad ?? a.broad, listCells(zero, labelWithValue(cLabel, provBroad))), { node: nodeId });
      const { share, value } = allocateKernel(cityBroad, provBroad, provNarrow, whole);
      const high: number[] = [];
      for (let i = 0; i < n; i++) if (share[i] > p.maxShare + 1e-9) high.push(i);
      if (high.length > 0) throw dataError(MSG.shareTooHigh(a.broad, listCells(high, labelWithValue(cLabel, share)), p.maxShare), { node: nodeId });
      added[a.out] = value;
      if (a.shareOut) added[a.shareOut] = share;
    }
    return { table: city.assign(added) };
  },
});
