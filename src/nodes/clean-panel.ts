// clean-panel: continuity, interior interpolation, winsorising and logs (METHOD 1.7),
// reporting every cell it filled or clipped and every unit or row it dropped.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { interpolateInterior, longestRun, winsorize } from '../econ/measure/clean.js';
import { gather, groupPanel, keepRows, listCells, numericColumn, requireColumns, rowLabeler, scatter, timeColumn } from './columns.js';

const MSG = {
  logNonPositive: (col: string, cells: string) =>
    `cannot take the log of "${col}": it is zero or negative at ${cells}. ` +
    `Fix those cells, drop the rows (filter), or remove "${col}" from "logs".`,
  winsorOrder: (lo: number, hi: number) => `"winsor" levels must satisfy 0 <= low < high <= 1, got [${lo}, ${hi}].`,
  logClash: (name: string) => `log column "${name}" would overwrite an input column: choose another name in "logs" or "logPrefix".`,
} as const;

const params = z.object({
  vars: z.array(z.string()).min(1).describe('variables checked for continuity and interpolated (and winsorised unless winsorVars is given)'),
  continuity: z
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('keep a unit only if it has at least this many consecutive years with every var present (after interpolation)'),
  interpolate: z.boolean().default(true).describe('fill missing cells strictly inside a unit\'s series by linear interpolation in time'),
  maxGap: z.number().int().min(1).nullable().default(null).describe('interpolate only gaps of at most this many years (default: any interior gap)'),
  dropIncomplete: z.boolean().default(false).describe('also drop the rows of kept units that still miss a var'),
  winsor: z
    .union([z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]), z.literal(false)])
    .default([0.01, 0.99])
    .describe('winsorise at these quantiles (R type 7, pooled over the kept rows), or false'),
  winsorVars: z.array(z.string()).nullable().default(null).describe('variables to winsorise (default: vars)'),
  logs: z
    .union([z.array(z.string()), z.record(z.string(), z.string())])
    .default([])
    .describe('columns to log after winsorising: a list (new name = logPrefix + column) or { newName: column }'),
  logPrefix: z.string().default('ln').describe('prefix of log column names when "logs" is a list'),
  id: z.string().default('city').describe('unit column'),
  time: z.string().default('year').describe('time column'),
});

type Cell = { id: string; time: number; var: string };

/** A unit clean-panel removed, and the step that removed it (the report's dropped.units). */
export interface DroppedUnit { id: string; longestRun: number; rows: number; step: 'continuity'; continuity: number }

/** "Chizhou dropped (continuity): ..." */
export const droppedWhy = (d: DroppedUnit) =>
  `${d.id} dropped (continuity): its longest run of consecutive complete years is ${d.longestRun} (of ${d.rows} rows), fewer than continuity = ${d.continuity}; every model downstream runs without it`;

export const cleanPanel = defineNode({
  type: 'clean-panel',
  version: 1,
  description: 'Cleans a panel: interpolates interior gaps, keeps units with enough consecutive complete years, winsorises, adds logs; reports every change (METHOD 1.7).',
  params,
  inputs: { data: { type: 'table', description: 'the panel' } },
  outputs: {
    table: { type: 'table', description: 'the cleaned panel' },
    report: { type: 'json', description: 'cells filled and clipped, units and rows dropped, winsor bounds, log columns' },
  },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    const winsorVars = p.winsorVars ?? p.vars;
    const logs: [string, string][] = Array.isArray(p.logs) ? p.logs.map((c) => [p.logPrefix + c, c]) : Object.entries(p.logs);
    requireColumns(t, [p.id, p.time, ...p.vars, ...winsorVars, ...logs.map(([, c]) => c)], 'data', nodeId);
    if (p.winsor !== false && !(p.winsor[0] < p.winsor[1])) throw dataError(MSG.winsorOrder(p.winsor[0], p.winsor[1]), { node: nodeId });
    for (const [name] of logs) if (t.columnNames().includes(name)) throw dataError(MSG.logClash(name), { node: nodeId });

    const label = rowLabeler(t, p.id, p.time);
    const year = timeColumn(t, p.time, label, nodeId);
    const { keys, rows } = groupPanel(t, p.id, year, label, nodeId, p.time);
    const cols = new Map<string, Float64Array>();
    const col = (name: string) => {
      if (!cols.has(name)) cols.set(name, Float64Array.from(numericColumn(t, name, label, nodeId)));
      return cols.get(name)!;
    };
    const unitOf = new Array<string>(t.numRows());
    rows.forEach((r, u) => r.forEach((i) => (unitOf[i] = keys[u])));
    const cell = (i: number, v: string): Cell => ({ id: unitOf[i], time: year[i], var: v });

    // 1. interior interpolation, per unit and variable
    const filled: (Cell & { value: number })[] = [];
    if (p.interpolate) {
      for (const v of p.vars) {
        const x = col(v);
        for (const r of rows) {
          const xs = gather(x, r);
          const done = interpolateInterior(gather(year, r), xs, p.maxGap ?? Infinity);
          scatter(x, r, xs);
          for (const j of done) filled.push({ ...cell(r[j], v), value: xs[j] });
        }
      }
    }

    // 2. continuity: a unit stays if it has `continuity` consecutive complete years
    const n = t.numRows();
    const complete = new Uint8Array(n);
    for (let i = 0; i < n; i++) complete[i] = p.vars.every((v) => Number.isFinite(col(v)[i])) ? 1 : 0;
    const keep = new Uint8Array(n);
    const droppedUnits: DroppedUnit[] = [];
    rows.forEach((r, u) => {
      const run = longestRun(gather(year, r), Uint8Array.from(r, (i) => complete[i]));
      if (run >= p.continuity) r.forEach((i) => (keep[i] = 1));
      else droppedUnits.push({ id: keys[u], longestRun: run, rows: r.length, step: 'continuity', continuity: p.continuity });
    });
    const droppedRows: { id: string; time: number; missing: string[] }[] = [];
    if (p.dropIncomplete)
      for (let i = 0; i < n; i++)
        if (keep[i] && !complete[i]) {
          keep[i] = 0;
          droppedRows.push({ id: unitOf[i], time: year[i], missing: p.vars.filter((v) => !Number.isFinite(col(v)[i])) });
        }
    const kept: number[] = [];
    for (let i = 0; i < n; i++) if (keep[i]) kept.push(i);

    // 3. winsorising over the kept rows, pooled
    const clipped: (Cell & { from: number; to: number })[] = [];
    const bounds: Record<string, { low: number; high: number }> = {};
    if (p.winsor !== false) {
      for (const v of winsorVars) {
        const x = col(v);
        const xs = gather(x, kept);
        const before = Float64Array.from(xs);
        const { lo, hi, clipped: at } = winsorize(xs, p.winsor[0], p.winsor[1]);
        scatter(x, kept, xs);
        if (Number.isFinite(lo)) bounds[v] = { low: lo, high: hi };
        for (const j of at) clipped.push({ ...cell(kept[j], v), from: before[j], to: xs[j] });
      }
    }

    // 4. logs (after winsorising; non-positive values in kept rows are an error naming the cells)
    const added: Record<string, Float64Array> = {};
    for (const [name, src] of logs) {
      const x = col(src);
      const bad = kept.filter((i) => x[i] <= 0);
      if (bad.length > 0) throw dataError(MSG.logNonPositive(src, listCells(bad, (r) => `${label(r)} = ${x[r]}`)), { node: nodeId });
      added[name] = x.map(Math.log);
    }

    for (const [name, x] of cols) added[name] = x;
    const out = keepRows(t.assign(added), keep);
    return {
      table: out,
      report: {
        rows: { in: n, out: kept.length },
        filled,
        clipped,
        dropped: { units: droppedUnits, rows: droppedRows },
        winsor: p.winsor === false ? null : { levels: p.winsor, bounds },
        logs: Object.fromEntries(logs),
        // what a run prints (a dropped unit changes every estimate; it must not pass unnoticed)
        warnings: droppedUnits.map(droppedWhy),
      },
    };
  },
});
