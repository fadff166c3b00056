// structure-indices: rationalisation (RIS) and advancement (AIS) of industrial structure (METHOD 1.5).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { structureIndices as structureKernel, type LpStandard } from '../econ/measure/structure.js';
import { listCells, numericColumns, requireColumns, rowLabeler } from './columns.js';

const MSG = {
  lengths: (va: number, emp: number) =>
    `"va" lists ${va} sector column(s) and "emp" ${emp}: give one value-added and one employment column per sector, in the same order.`,
  benchmarkMissing: () =>
    `lpStandard 'benchmark' needs "benchmark": { "start": [...], "end": [...] }, one productivity per sector in the units of va / emp.`,
  benchmarkLength: (k: number) => `"benchmark.start" and "benchmark.end" need ${k} values each, one per sector (same order as "va").`,
  benchmarkEqual: (j: number) => `benchmark start and end productivity of sector ${j + 1} are equal: they must differ.`,
  negative: (col: string, cells: string) => `"${col}" is negative at ${cells}: value added and employment must be >= 0. Fix the data.`,
  zeroEmp: (col: string, cells: string) =>
    `sector employment "${col}" is zero at ${cells}, so labour productivity is undefined. Fix the data or drop those rows (filter).`,
  noComplete: () =>
    `no row has every value-added and employment column present, so there is nothing to standardise. Check the column names or clean the panel first.`,
  flat: (col: string) =>
    `labour productivity of the sector of "${col}" is the same in every row, so min-max standardisation divides by zero. Use lpStandard 'benchmark'.`,
} as const;

const params = z.object({
  va: z
    .array(z.string())
    .min(2)
    .default(['va_primary', 'va_secondary', 'va_tertiary'])
    .describe('value-added columns, one per sector, in sector order'),
  emp: z
    .array(z.string())
    .min(2)
    .default(['emp_primary', 'emp_secondary', 'emp_tertiary'])
    .describe('employment columns, one per sector, same order as va'),
  lpStandard: z
    .enum(['minmax', 'benchmark'])
    .default('minmax')
    .describe("standardised labour productivity: 'minmax' (lp - min) / (max - min) per sector over all rows; 'benchmark' (lp - start) / (end - start)"),
  benchmark: z
    .object({
      start: z.array(z.number()).describe('productivity at the start of industrialisation, per sector'),
      end: z.array(z.number()).describe('productivity at the end of industrialisation, per sector'),
    })
    .nullable()
    .default(null)
    .describe("'benchmark' only: Chenery-style start/end productivities (units of va / emp)"),
  ris: z.string().default('RIS').describe('name of the rationalisation column: 1 - (1/k) sum |Y_j/Y - L_j/L|'),
  ais: z.string().default('AIS').describe('name of the advancement column: sum (Y_j/Y) x standardised lp_j'),
  id: z.string().default('city').describe('unit column (used to name cells in messages)'),
  time: z.string().default('year').describe('time column (used to name cells in messages)'),
});

export const structureIndices = defineNode({
  type: 'structure-indices',
  version: 1,
  description: 'Rationalisation (RIS) and advancement (AIS) of industrial structure from sector value added and employment; rows with a missing input get missing indices (METHOD 1.5).',
  params,
  inputs: { data: { type: 'table', description: 'panel with sector value added and employment' } },
  outputs: {
    table: { type: 'table', description: 'data with RIS and AIS added' },
    report: { type: 'json', description: 'the productivity range used for standardisation, per sector' },
  },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    if (p.va.length !== p.emp.length) throw dataError(MSG.lengths(p.va.length, p.emp.length), { node: nodeId });
    const k = p.va.length;
    let std: LpStandard = { kind: 'minmax' };
    if (p.lpStandard === 'benchmark') {
      if (!p.benchmark) throw dataError(MSG.benchmarkMissing(), { node: nodeId });
      if (p.benchmark.start.length !== k || p.benchmark.end.length !== k) throw dataError(MSG.benchmarkLength(k), { node: nodeId });
      const eq = p.benchmark.start.findIndex((s, j) => s === p.benchmark!.end[j]);
      if (eq >= 0) throw dataError(MSG.benchmarkEqual(eq), { node: nodeId });
      std = { kind: 'benchmark', start: p.benchmark.start, end: p.benchmark.end };
    }
    requireColumns(t, [...p.va, ...p.emp], 'data', nodeId);
    const label = rowLabeler(t, p.id, p.time);
    const va = numericColumns(t, p.va, label, nodeId);
    const emp = numericColumns(t, p.emp, label, nodeId);
    [...va, ...emp].forEach((x, c) => {
      const col = c < k ? p.va[c] : p.emp[c - k];
      const neg: number[] = [];
      for (let i = 0; i < x.length; i++) if (x[i] < 0) neg.push(i);
      if (neg.length > 0) throw dataError(MSG.negative(col, listCells(neg, (r) => `${label(r)} = ${x[r]}`)), { node: nodeId });
    });
    emp.forEach((x, j) => {
      const zero: number[] = [];
      for (let i = 0; i < x.length; i++) if (x[i] === 0) zero.push(i);
      if (zero.length > 0) throw dataError(MSG.zeroEmp(p.emp[j], listCells(zero, label)), { node: nodeId });
    });
    const res = structureKernel(va, emp, std);
    if (!res.ris.some(Number.isFinite)) throw dataError(MSG.noComplete(), { node: nodeId });
    if (std.kind === 'minmax') {
      const flat = res.lpRange.low.findIndex((lo, j) => !(res.lpRange.high[j] > lo));
      if (flat >= 0) throw dataError(MSG.flat(p.va[flat]), { node: nodeId });
    }
    const sectors = p.va.map((v, j) => ({ va: v, emp: p.emp[j], low: res.lpRange.low[j], high: res.lpRange.high[j] }));
    return {
      table: t.assign({ [p.ris]: res.ris, [p.ais]: res.ais }),
      report: { lpStandard: p.lpStandard, sectors },
    };
  },
});
