// Node `load-xlsx`: one sheet of an Excel workbook as a table (src/io/xlsx.ts does the
// reading: header rows with merged cells, a units row, numbers stored as text, missing
// tokens). Numeric columns land in Float64Array (NaN for missing), text in string arrays.
import { z } from 'zod';
import * as aq from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { loadWorkbook, readSheet, XlsxError, DEFAULT_MISSING } from '../io/xlsx.js';
import { readInput } from './read-input.js';

export const loadXlsxParams = z.object({
  path: z.string().min(1).describe('.xlsx workbook, relative to the workflow file'),
  sheet: z.union([z.string().min(1), z.number().int().min(1).max(10_000)]).default(1).describe('sheet name, or its position (1 = the first)'),
  range: z.string().regex(/^\$?[A-Za-z]{1,3}\$?\d{1,7}(:\$?[A-Za-z]{1,3}\$?\d{1,7})?$/, 'a cell range like "A3:F40", or "A3"').optional()
    .describe('cells to read, e.g. "A3:F40" (or "A3": from A3 to the end of the used area); default: the used area'),
  headerRows: z.number().int().min(0).max(10).default(1)
    .describe('rows at the top of the range that name the columns; names join the cells from the top with "separator" (a merged cell counts once); 0: columns are named A, B, ...'),
  separator: z.string().max(8).default('/').describe('joins the header cells of a column: "地区生产总值/第一产业"'),
  unitsRow: z.boolean().default(false).describe('the row after the headers holds units (亿元, 万人): not data; checked against expectUnits'),
  expectUnits: z.record(z.string(), z.string()).optional().describe('column -> the unit its units-row cell must read (e.g. { "地区生产总值/第一产业": "亿元" }); a mismatch is an error'),
  missing: z.array(z.string()).max(100).default([...DEFAULT_MISSING]).describe('cell texts that mean missing (compared after trimming)'),
  columns: z.record(z.string(), z.enum(['number', 'string'])).optional()
    .describe('types of named columns ("number": a non-numeric cell is an error naming it; "string": kept as text); others are inferred (numbers stored as text count as numbers)'),
}).strict();

export type LoadXlsxParams = z.infer<typeof loadXlsxParams>;

export async function loadXlsxTable(bytes: Uint8Array, p: LoadXlsxParams, file: string): Promise<aq.ColumnTable> {
  try {
    const wb = await loadWorkbook(bytes);
    const d = readSheet(wb, { sheet: p.sheet, range: p.range, headerRows: p.headerRows, unitsRow: p.unitsRow, expectUnits: p.expectUnits, separator: p.separator, missing: p.missing, types: p.columns });
    return aq.table(d.columns as Record<string, ArrayLike<unknown>>, d.names); // names: keeps "2019", "2020" in sheet order
  } catch (e) {
    if (e instanceof XlsxError) throw dataError(`${file}: ${e.message}`, { file });
    throw e;
  }
}

export const loadXlsx = defineNode({
  type: 'load-xlsx',
  version: 1,
  description: 'Load one sheet of an Excel workbook (.xlsx): header rows with merged cells, a units row, numbers stored as text, "—" and blanks as missing',
  params: loadXlsxParams,
  inputs: {},
  outputs: { table: { type: 'table' } },
  files: (p) => [p.path],
  async run(ctx) {
    return { table: await loadXlsxTable(readInput(ctx, ctx.params.path), ctx.params, ctx.params.path) };
  },
});
