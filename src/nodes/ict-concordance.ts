// ict-concordance: ICT investment across the 2012 industry reclassification (METHOD 1.1).
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { concordanceSum } from '../econ/measure/concordance.js';
import { numericColumns, requireColumns, rowLabeler, timeColumn } from './columns.js';

const params = z.object({
  before: z
    .array(z.string())
    .min(1)
    .default(['fai_computer_services', 'fai_software'])
    .describe('columns summed for years before switchYear (old classification: computer services + software)'),
  after: z
    .array(z.string())
    .min(1)
    .default(['fai_info_transmission_it'])
    .describe('columns summed from switchYear on (new classification: information transmission, software and IT services)'),
  switchYear: z.number().int().default(2012).describe('first year of the new classification'),
  time: z.string().default('year').describe('time column'),
  id: z.string().default('city').describe('unit column (used to name cells in messages)'),
  out: z.string().default('ict_invest').describe('name of the added column; a missing summed cell gives a missing result'),
});

export const ictConcordance = defineNode({
  type: 'ict-concordance',
  version: 1,
  description: 'ICT investment: old-classification columns before the switch year, new-classification columns from it on (METHOD 1.1).',
  params,
  inputs: { data: { type: 'table', description: 'city-year table' } },
  outputs: { table: { type: 'table', description: 'the input with the ICT column added' } },
  run({ params: p, inputs, nodeId }) {
    const t = inputs.data as ColumnTable;
    requireColumns(t, [p.time, ...p.before, ...p.after], 'data', nodeId);
    const label = rowLabeler(t, p.id, p.time);
    const year = timeColumn(t, p.time, label, nodeId);
    const out = concordanceSum(year, numericColumns(t, p.before, label, nodeId), numericColumns(t, p.after, label, nodeId), p.switchYear);
    return { table: t.assign({ [p.out]: out }) };
  },
});
