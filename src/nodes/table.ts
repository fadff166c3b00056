// `table`: models (or a data table) -> Markdown, LaTeX, HTML and CSV files plus a
// structured part for the report node.
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { Report } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { buildModelGrid } from '../report/model-table.js';
import { buildPlainGrid, isColumnTable } from '../report/plain-table.js';
import { columnsOf } from '../report/columns.js';
import type { Grid, TablePart } from '../report/grid.js';
import { renderGrid, FORMATS } from '../report/render.js';

const MIXED = 'wire either models or one data table into a table node, not both: use two table nodes';
const EMPTY = 'nothing to tabulate: wire at least one model, models array or table into `models`';

export const tableParams = z.object({
  format: z.union([z.enum(FORMATS), z.array(z.enum(FORMATS))]).default([...FORMATS])
    .describe('output formats: md, tex (booktabs), html, csv'),
  labels: z.record(z.string(), z.string()).default({}).describe('variable -> printed label (also FE columns and depvars)'),
  stars: z.array(z.number().gt(0).lt(1)).default([0.1, 0.05, 0.01]).describe('p-value thresholds, one star per threshold p is below'),
  title: z.string().optional(),
  notes: z.union([z.string(), z.array(z.string())]).optional().describe('appended below the default SE/stars note'),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('file stem (default: the node id)'),
  keep: z.array(z.string()).optional().describe('terms to print (W x terms follow their variable)'),
  drop: z.array(z.string()).optional(),
  order: z.array(z.string()).optional().describe('terms first, in this order'),
  digits: z.number().int().min(0).max(8).default(3),
  columns: z.array(z.string()).optional().describe('column headers (default: depvar label and number)'),
  columnOrder: z.array(z.number().int().min(1)).optional().describe('print order of the expanded columns, 1-based (e.g. [1,4,2,5,3,6] to interleave two subgroup outputs)'),
  numbered: z.boolean().default(true).describe('append (1), (2), ... to default headers'),
  r2: z.enum(['within', 'overall']).default('within').describe('which R2 of FE models to print'),
  se: z.enum(['beside', 'below']).default('beside').describe('Markdown only: SE in the estimate cell or on the row below'),
});

export type TableParams = z.infer<typeof tableParams>;

/** Shared by the node and tests: inputs -> grid. */
export function gridFromInputs(items: unknown[], p: TableParams, name: string): Grid {
  const tables = items.filter(isColumnTable);
  const notes = p.notes === undefined ? [] : Array.isArray(p.notes) ? p.notes : [p.notes];
  if (tables.length) {
    if (tables.length !== items.length || tables.length > 1) throw new FlowError('validate', MIXED);
    return buildPlainGrid(tables[0], { name, title: p.title, notes, labels: p.labels, digits: p.digits, columns: p.columns });
  }
  const cols = items.flatMap((it) => columnsOf(it, p));
  if (!cols.length) throw new FlowError('validate', EMPTY);
  return buildModelGrid(cols, { ...p, name, notes });
}

export const tableNode = defineNode({
  type: 'table',
  version: 2,
  description: 'Models or a data table -> Markdown, LaTeX (booktabs), HTML and CSV, in the paper\'s layout; stars from p-values',
  params: tableParams,
  inputs: { models: { type: ['model', 'models', 'table'], many: true, description: 'models, subgroup/mediation outputs, or one describe table' } },
  outputs: { report: { type: 'report' } },
  run({ params, inputs, nodeId }) {
    const items: unknown[] = Array.isArray(inputs.models) ? inputs.models : [inputs.models];
    const name = params.name ?? nodeId;
    const grid = gridFromInputs(items, params, name);
    const formats = Array.isArray(params.format) ? params.format : [params.format];
    const cols = isColumnTable(items[0]) ? [] : items.flatMap((it) => columnsOf(it, params));
    const part: TablePart = {
      kind: 'table',
      node: nodeId,
      grid,
      models: (params.columnOrder ? params.columnOrder.map((i) => cols[i - 1]).filter((c) => !!c) : cols)
        .map((c, i) => ({ column: grid.columns[i], model: c.model })),
    };
    const report: Report = { title: params.title ?? name, files: renderGrid(grid, formats, params), parts: [part] };
    return { report };
  },
});
