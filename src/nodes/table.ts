// `table`: models (or a data table) -> Markdown, LaTeX, HTML, CSV and Word files plus a
// structured part for the report node. Headers, statistics rows and notes are generated
// from the models (src/report/model-table.ts); `branch` and matrix sources label them.
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { Report } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { buildModelGrid, titleWithBranch, type Column } from '../report/model-table.js';
import { buildPlainGrid, isColumnTable } from '../report/plain-table.js';
import { columnsOf } from '../report/columns.js';
import { GOF_KEYS } from '../report/gof.js';
import type { Grid, TablePart } from '../report/grid.js';
import { renderGrid, FORMATS } from '../report/render.js';
import { toDocxBase64 } from '../report/docx.js';
import type { InputSource } from '../graph/node.js';

const MIXED = 'wire either models or one data table into a table node, not both: use two table nodes';
const EMPTY = 'nothing to tabulate: wire at least one model, models array or table into `models`';
export const TABLE_FORMATS = [...FORMATS, 'docx'] as const;

export const tableParams = z.object({
  format: z.union([z.enum(TABLE_FORMATS), z.array(z.enum(TABLE_FORMATS))]).default([...TABLE_FORMATS])
    .describe('output formats: md, tex (booktabs; texlive-latex-recommended), html, csv, docx (Word)'),
  labels: z.record(z.string(), z.string()).default({}).describe('variable -> printed label (also FE columns and depvars)'),
  stars: z.array(z.number().gt(0).lt(1)).default([0.1, 0.05, 0.01]).describe('p-value thresholds, one star per threshold p is below'),
  title: z.string().optional().describe('"Table 2: ..." numbers the LaTeX table 2 whatever the order it is \\input in'),
  branch: z.string().optional().describe('the robustness branch the table comes from, printed with the title (paper.json: "$branch")'),
  notes: z.union([z.string(), z.array(z.string())]).optional().describe('appended below the generated notes'),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('file stem (default: the node id)'),
  keep: z.array(z.union([z.string(), z.array(z.string())])).transform((v) => v.flat()).optional().describe('terms to print (W x terms follow their variable); the others are named in a note'),
  drop: z.array(z.union([z.string(), z.array(z.string())])).transform((v) => v.flat()).optional(),
  order: z.array(z.union([z.string(), z.array(z.string())])).transform((v) => v.flat()).optional().describe('terms first, in this order (a nested list is flattened)'),
  digits: z.number().int().min(0).max(8).default(3),
  columns: z.array(z.string()).optional().describe('the column header row (default: the model numbers (1), (2), ... under generated header rows)'),
  columnOrder: z.array(z.number().int().min(1)).optional().describe('print order of the expanded columns, 1-based (e.g. [1,4,2,5,3,6] to interleave two subgroup outputs)'),
  numbered: z.boolean().default(true).describe('number the columns (1), (2), ...; false: the last header row (dependent variable) is the column header'),
  gof: z.array(z.enum(GOF_KEYS)).optional()
    .describe(`statistics rows, in order (default: fe, se, nobs, r2, r2_within, f, loglik, first_stage, weak_iv, anderson_rubin, hansen_j; a row no column fills is left out). Keys: ${GOF_KEYS.join(', ')}`),
  r2: z.enum(['within', 'overall']).default('within').describe('deprecated, kept for old workflows: the R2 rows are chosen by gof (r2, r2_within, ...)'),
  se: z.enum(['beside', 'below']).default('beside').describe('Markdown only: SE in the estimate cell or on the row below'),
  latex: z.object({
    size: z.enum(['normalsize', 'small', 'footnotesize', 'scriptsize']).default('small'),
    fit: z.boolean().default(true).describe('shrink the table to the text width when it is wider (never enlarges)'),
    landscape: z.boolean().default(false).describe('set the table on a landscape page (pdflscape)'),
    long: z.boolean().default(false).describe('a longtable that breaks across pages (longtable)'),
  }).strict().default({ size: 'small', fit: true, landscape: false, long: false }).describe('LaTeX layout'),
  winsor: z.union([z.tuple([z.number(), z.number()]), z.literal(false), z.null()]).optional()
    .describe('data tables: the winsorising levels applied upstream (paper.json: "$winsor"), for the generated note'),
});

export type TableParams = z.infer<typeof tableParams>;

const pct = (x: number) => { const v = Math.round(x * 1000) / 10; return `${v}${v % 10 === 1 && v !== 11 ? 'st' : v % 10 === 2 && v !== 12 ? 'nd' : v % 10 === 3 && v !== 13 ? 'rd' : 'th'}`; };

/** The note on winsorising, from the levels the branch used. */
export function winsorNote(w: TableParams['winsor']): string | null {
  if (w === undefined) return null;
  if (!w) return 'Not winsorised.';
  return `Winsorised at the ${pct(w[0])} and ${pct(w[1])} percentiles.`;
}

/** Shared by the node and tests: inputs (and where they came from) -> columns and grid. */
export function gridFromInputs(items: unknown[], p: TableParams, name: string, sources?: InputSource[]): { grid: Grid; cols: Column[] } {
  const tables = items.filter(isColumnTable);
  const notes = p.notes === undefined ? [] : Array.isArray(p.notes) ? p.notes : [p.notes];
  if (tables.length) {
    if (tables.length !== items.length || tables.length > 1) throw new FlowError('validate', MIXED);
    const w = winsorNote(p.winsor);
    const grid = buildPlainGrid(tables[0], { name, title: titleWithBranch(p.title, p.branch), notes: [...(w ? [w] : []), ...notes], labels: p.labels, digits: p.digits, columns: p.columns });
    return { grid: { ...grid, latex: p.latex }, cols: [] };
  }
  const cols = items.flatMap((it, i) => columnsOf(it, p, sources?.[i]?.branch));
  if (!cols.length) throw new FlowError('validate', EMPTY);
  const printed = p.columnOrder ? p.columnOrder.map((i) => cols[i - 1]).filter((c) => !!c) : cols;
  return { grid: buildModelGrid(cols, { ...p, name, notes }), cols: printed };
}

export const tableNode = defineNode({
  type: 'table',
  version: 3,
  description: 'Models or a data table -> Markdown, LaTeX (booktabs), HTML, CSV and Word, in the paper\'s layout; stars from p-values; headers, statistics and notes generated from the models',
  params: tableParams,
  inputs: { models: { type: ['model', 'models', 'table'], many: true, description: 'models, subgroup/mediation outputs, or one describe table' } },
  outputs: { report: { type: 'report' } },
  async run({ params, inputs, nodeId, sources }) {
    const items: unknown[] = Array.isArray(inputs.models) ? inputs.models : [inputs.models];
    const name = params.name ?? nodeId;
    const { grid, cols } = gridFromInputs(items, params, name, sources?.models);
    const formats = Array.isArray(params.format) ? params.format : [params.format];
    const part: TablePart = { kind: 'table', node: nodeId, grid, models: cols.map((c, i) => ({ column: grid.columns[i], model: c.model })) };
    const text = formats.filter((f): f is (typeof FORMATS)[number] => f !== 'docx');
    const report: Report = { title: grid.title ?? name, files: renderGrid(grid, text, params), parts: [part] };
    if (formats.includes('docx')) report.binary = { [`${name}.docx`]: await toDocxBase64(grid) };
    return { report };
  },
});
