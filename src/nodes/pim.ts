// pim: perpetual-inventory capital stock per unit from a real investment flow (METHOD 1.4).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { pimStock } from '../econ/measure/pim.js';
import { gather, groupPanel, listCells, numericColumn, requireColumns, rowLabeler, scatter, timeColumn } from './columns.js';

const MSG = {
  missing: (col: string, cells: string) =>
    `investment "${col}" is missing at ${cells}; the recursion cannot skip a year. ` +
    `Fill the gaps first (clean-panel with interpolate) or start later with "startYear".`,
  gap: (cells: string) =>
    `years are not consecutive before ${cells}; the recursion needs every year. Add the missing rows (with interpolated investment) or set "startYear" after the gap.`,
  firstNotPositive: (cells: string) =>
    `the first investment ${cells} is not positive, so the base-year stock is not positive. Set "startYear" to a year with positive investment.`,
  shortWindow: (unit: string, n: number) =>
    `unit ${unit} has ${n} year(s) of investment: base 'hall-jones' needs at least 2 to compute the growth rate. Use base 'zhang' or more years.`,
  badGrowth: (unit: string, g: number, delta: number) =>
    `unit ${unit}: investment growth g = ${g.toFixed(4)} over the first years makes g + delta = ${(g + delta).toFixed(4)} <= 0, ` +
    `so the Hall-Jones base stock I_0 / (g + delta) is not positive. Use base 'zhang', a longer "window" or a later "startYear".`,
} as const;

const params = z.object({
  value: z.string().default('inv_real').describe('real investment column (constant prices)'),
  delta: z.number().gt(0).lt(1).default(0.09).describe('depreciation rate (Zhang et al. use 0.096)'),
  base: z
    .enum(['zhang', 'hall-jones'])
    .default('zhang')
    .describe("base-year stock: 'zhang' K_0 = I_0 / zhangRate; 'hall-jones' K_0 = I_0 / (g + delta), g the mean investment growth over the first `window` years"),
  zhangRate: z.number().gt(0).lt(1).default(0.1).describe("denominator of the 'zhang' base stock (Zhang, Wu & Zhang 2004: 10%)"),
  window: z.number().int().min(2).default(5).describe("'hall-jones': first years (window - 1 growth rates) averaged for g"),
  growthMean: z.enum(['arithmetic', 'geometric']).default('arithmetic').describe("'hall-jones': mean of the annual growth rates, or the compound rate"),
  timing: z
    .enum(['start', 'end'])
    .default('start')
    .describe("'start': K_(t+1) = K_t (1 - delta) + I_t (METHOD 1.4, K_t at the start of year t); 'end': K_t = K_(t-1) (1 - delta) + I_t (Zhang et al., end of year)"),
  startYear: z.number().int().nullable().default(null).describe('first investment year used (the base year); earlier rows get a missing stock. Default: each unit\'s first year'),
  scale: z.number().positive().default(1).describe('multiply the stock by this (e.g. 10000: 100m yuan -> 10k yuan, as the paper\'s lnINF)'),
  out: z.string().default('capital').describe('name of the added capital-stock column'),
  id: z.string().default('city').describe('unit column'),
  time: z.string().default('year').describe('time column'),
});

export const pim = defineNode({
  type: 'pim',
  version: 1,
  description: 'Perpetual-inventory capital stock per unit, K_(t+1) = K_t (1 - delta) + I_t, base stock by Zhang et al. or Hall-Jones (METHOD 1.4).',
  params,
  inputs: { data: { type: 'table', description: 'panel with the real investment column' } },
  outputs: {
    table: { type: 'table', description: 'data with the capital stock added' },
    report: { type: 'json', description: 'per unit: base year, K_0 and (hall-jones) g' },
  },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    requireColumns(t, [p.id, p.time, p.value], 'data', nodeId);
    const label = rowLabeler(t, p.id, p.time);
    const year = timeColumn(t, p.time, label, nodeId);
    const inv = numericColumn(t, p.value, label, nodeId);
    const { keys, rows } = groupPanel(t, p.id, year, label, nodeId, p.time);
    const K = new Float64Array(t.numRows()).fill(NaN);
    const units: { unit: string; baseYear: number; k0: number; g: number | null }[] = [];
    const opts = { delta: p.delta, base: p.base, zhangRate: p.zhangRate, window: p.window, growthMean: p.growthMean, timing: p.timing };
    for (let u = 0; u < keys.length; u++) {
      const r = p.startYear === null ? rows[u] : rows[u].filter((i) => year[i] >= p.startYear!);
      if (r.length === 0) continue;
      const missing = r.filter((i) => !Number.isFinite(inv[i]));
      if (missing.length > 0) throw dataError(MSG.missing(p.value, listCells(missing, label)), { node: nodeId });
      const gaps = r.filter((i, j) => j > 0 && year[i] !== year[r[j - 1]] + 1);
      if (gaps.length > 0) throw dataError(MSG.gap(listCells(gaps, label)), { node: nodeId });
      if (!(inv[r[0]] > 0)) throw dataError(MSG.firstNotPositive(`${label(r[0])} = ${inv[r[0]]}`), { node: nodeId });
      if (p.base === 'hall-jones' && r.length < 2) throw dataError(MSG.shortWindow(keys[u], r.length), { node: nodeId });
      const I = gather(inv, r);
      const { K: k, k0, g } = pimStock(I, opts);
      if (g !== null && !(g + p.delta > 0)) throw dataError(MSG.badGrowth(keys[u], g, p.delta), { node: nodeId });
      for (let j = 0; j < k.length; j++) k[j] *= p.scale;
      scatter(K, r, k);
      units.push({ unit: keys[u], baseYear: year[r[0]], k0: k0 * p.scale, g });
    }
    return { table: t.assign({ [p.out]: K }), report: { params: opts, units } };
  },
});
