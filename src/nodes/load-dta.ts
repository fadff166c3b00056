// Node `load-dta`: a Stata .dta file (formats 117, 118, 119) as a table. Numbers as
// Float64Array with every missing code (., .a-.z) as NaN, text with "" as null; a variable
// with a value label becomes its labels (or stays codes, or both).
import { z } from 'zod';
import * as aq from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { readDta, DtaError, type DtaFile } from '../io/dta/read.js';
import { readInput } from './read-input.js';

export const loadDtaParams = z.object({
  path: z.string().min(1).describe('.dta file, relative to the workflow file'),
  valueLabels: z.enum(['labels', 'codes', 'both']).default('labels')
    .describe('a labelled numeric variable: labels (text; a value without a label keeps its number as text), codes (the numbers), both (codes, plus <name>_label)'),
  encoding: z.enum(['utf-8', 'gbk', 'gb18030', 'latin1']).optional()
    .describe('text encoding of a format-117 file (Stata 13 wrote the code page of the machine); default: UTF-8 when valid, else GB18030, else Latin-1. 118/119 are UTF-8'),
}).strict();

export type LoadDtaParams = z.infer<typeof loadDtaParams>;

const MSG = {
  clash: (file: string, name: string) => `${file}: valueLabels "both" would add "${name}", which the file already has: use "labels" or "codes", or rename the variable in Stata`,
} as const;

/** The table of a parsed .dta file. */
export function dtaTable(d: DtaFile, mode: LoadDtaParams['valueLabels'], file: string): aq.ColumnTable {
  const cols: Record<string, ArrayLike<unknown>> = {};
  d.variables.forEach((v, j) => {
    const col = d.columns[j];
    const labels = v.valueLabel ? d.valueLabels.get(v.valueLabel) : undefined;
    if (!labels || !(col instanceof Float64Array) || mode === 'codes') { cols[v.name] = col; return; }
    const text = Array.from(col, (x) => (Number.isNaN(x) ? null : labels.get(x) ?? String(x)));
    if (mode === 'labels') { cols[v.name] = text; return; }
    cols[v.name] = col;
    const name = `${v.name}_label`;
    if (d.variables.some((u) => u.name === name)) throw dataError(MSG.clash(file, name), { file });
    cols[name] = text;
  });
  return aq.table(cols);
}

export const loadDta = defineNode({
  type: 'load-dta',
  version: 1,
  description: 'Load a Stata .dta file (formats 117, 118, 119): numbers as Float64Array, missing codes as NaN, value labels as text (or codes)',
  params: loadDtaParams,
  inputs: {},
  outputs: { table: { type: 'table' } },
  files: (p) => [p.path],
  run(ctx) {
    const p = ctx.params;
    const bytes = readInput(ctx, p.path);
    try {
      return { table: dtaTable(readDta(bytes, { encoding117: p.encoding }), p.valueLabels, p.path) };
    } catch (e) {
      if (e instanceof DtaError) throw dataError(`${p.path}: ${e.message}`, { file: p.path });
      throw e;
    }
  },
});
