// solow-tfp: ln TFP = ln Y - alpha ln K - (1 - alpha) ln L (METHOD 1.8).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { solowResidual } from '../econ/measure/tfp.js';
import { asList, listCells, requireColumns, rowLabeler, sumColumns } from './columns.js';

const MSG = {
  nonPositive: (what: string, cols: string[], cells: string) =>
    `cannot take the log of ${what} (${cols.join(' + ')}): it is zero or negative at ${cells}. Fix the data or filter those rows.`,
} as const;

const params = z.object({
  y: z
    .union([z.string(), z.array(z.string()).min(1)])
    .default(['va_primary', 'va_secondary', 'va_tertiary'])
    .describe('output: a column or columns summed (use deflated values for real output)'),
  k: z.union([z.string(), z.array(z.string()).min(1)]).default('capital_total').describe('capital stock column (pim on total fixed investment)'),
  l: z
    .union([z.string(), z.array(z.string()).min(1)])
    .default(['emp_primary', 'emp_secondary', 'emp_tertiary'])
    .describe('labour: a column or columns summed'),
  alpha: z.number().gt(0).lt(1).default(0.4).describe('capital share'),
  out: z.string().default('lnTFP').describe('name of the ln TFP column'),
  id: z.string().default('city').describe('unit column (used to name cells)'),
  time: z.string().default('year').describe('time column (used to name cells)'),
});

export const solowTfp = defineNode({
  type: 'solow-tfp',
  version: 1,
  description: 'Solow residual ln TFP = ln Y - alpha ln K - (1 - alpha) ln L (METHOD 1.8); missing inputs give a missing result.',
  params,
  inputs: { data: { type: 'table' } },
  outputs: { table: { type: 'table', description: 'data with ln TFP added' } },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    const parts = { output: asList(p.y), capital: asList(p.k), labour: asList(p.l) };
    requireColumns(t, Object.values(parts).flat(), 'data', nodeId);
    const label = rowLabeler(t, p.id, p.time);
    const [Y, K, L] = Object.entries(parts).map(([what, cols]) => {
      const x = sumColumns(t, cols, label, nodeId);
      const bad: number[] = [];
      for (let i = 0; i < x.length; i++) if (x[i] <= 0) bad.push(i);
      if (bad.length > 0) throw dataError(MSG.nonPositive(what, cols, listCells(bad, (r) => `${label(r)} = ${x[r]}`)), { node: nodeId });
      return x;
    });
    return { table: t.assign({ [p.out]: solowResidual(Y, K, L, p.alpha) }) };
  },
});
