// Node `append`: the rows of several tables, one after the other (Stata `append`, dplyr
// bind_rows), e.g. one sheet per province or per year. Columns are matched by name; a
// column that is numeric in one table and text in another is an error naming both.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError, FlowError } from '../errors.js';
import { colValues, columnKind, makeTable, listSome, type Column } from './table-cols.js';
import { isMissing } from './columns.js';

export const appendParams = z.object({
  columns: z.enum(['same', 'union']).default('same')
    .describe('same: every table must have the same columns (an error lists the differences); union: a column absent from a table is missing there'),
  source: z.string().optional().describe('add a column of this name saying which input each row came from'),
  labels: z.array(z.string()).max(10_000).optional().describe('the source value of each input, in order (default: the upstream node id)'),
}).strict();

export type AppendParams = z.infer<typeof appendParams>;

const MSG = {
  differ: (i: number, from: string, missing: string[], extra: string[]) =>
    `input ${i + 1} (${from}) ${[missing.length ? `lacks ${listSome(missing.map((c) => `"${c}"`))}` : '', extra.length ? `has ${listSome(extra.map((c) => `"${c}"`))} that input 1 lacks` : ''].filter(Boolean).join(' and ')}: rename the columns to match, or set "columns": "union"`,
  kind: (col: string, a: string, ka: string, b: string, kb: string) =>
    `column "${col}" is ${ka} in ${a} but ${kb} in ${b}: make it the same type in both (load-csv / load-xlsx "columns")`,
  labels: (n: number, k: number) => `"labels" has ${k} entries for ${n} inputs: give one per input`,
  source: (name: string) => `"source" column "${name}" is already a column of the inputs: choose another name`,
} as const;

export function appendTables(tables: ColumnTable[], from: string[], p: AppendParams, node: string): ColumnTable {
  if (p.labels && p.labels.length !== tables.length) throw new FlowError('validate', MSG.labels(tables.length, p.labels.length), { node, field: 'labels' });
  const names: string[] = [];
  for (const t of tables) for (const c of t.columnNames()) if (!names.includes(c)) names.push(c);
  if (p.columns === 'same') {
    const base = tables[0].columnNames();
    tables.forEach((t, i) => {
      const have = t.columnNames();
      const missing = base.filter((c) => !have.includes(c)), extra = have.filter((c) => !base.includes(c));
      if (missing.length || extra.length) throw dataError(MSG.differ(i, from[i], missing, extra), { node });
    });
  }
  if (p.source && names.includes(p.source)) throw dataError(MSG.source(p.source), { node });
  const total = tables.reduce((s, t) => s + t.numRows(), 0);
  const out: Record<string, Column> = {};
  for (const c of names) {
    const parts = tables.map((t) => (t.columnNames().includes(c) ? colValues(t, c) : null));
    let kind = 'empty' as 'number' | 'text' | 'empty', first = -1;
    for (let i = 0; i < parts.length; i++) {
      const k = parts[i] ? columnKind(parts[i]!) : 'empty';
      if (k === 'empty') continue;
      if (kind !== 'empty' && k !== kind) throw dataError(MSG.kind(c, from[first], kind, from[i], k), { node });
      if (kind === 'empty') { kind = k; first = i; }
    }
    if (kind === 'text') {
      const col: unknown[] = [];
      parts.forEach((a, i) => { const n = tables[i].numRows(); for (let r = 0; r < n; r++) col.push(a && !isMissing(a[r]) ? a[r] : null); });
      out[c] = col;
    } else {
      const col = new Float64Array(total);
      let at = 0;
      parts.forEach((a, i) => { const n = tables[i].numRows(); for (let r = 0; r < n; r++) { const v = a ? a[r] : NaN; col[at++] = typeof v === 'number' ? v : NaN; } });
      out[c] = col;
    }
  }
  if (p.source) out[p.source] = tables.flatMap((t, i) => new Array(t.numRows()).fill(p.labels?.[i] ?? from[i]));
  return makeTable(out, p.source ? [...names, p.source] : names);
}

export const appendNode = defineNode({
  type: 'append',
  version: 1,
  sources: true, // labels / matches rows by the upstream node ids
  description: 'Stack the rows of several tables (columns matched by name; same columns, or their union)',
  params: appendParams,
  inputs: { tables: { type: 'table', many: true, description: 'the tables, in order' } },
  outputs: { table: { type: 'table' } },
  run({ params, inputs, nodeId, sources }) {
    const tables = inputs.tables as ColumnTable[];
    const from = tables.map((_, i) => sources?.tables?.[i]?.node ?? `input ${i + 1}`);
    return { table: appendTables(tables, from, params, nodeId) };
  },
});
