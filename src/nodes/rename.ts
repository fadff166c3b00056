// Node `rename`: column names from a mapping, given inline and/or in a mapping file kept
// in the project (a CSV with columns `from` and `to`, e.g. data/yrd26/names.csv: Chinese
// yearbook headers -> variable names). The file's bytes are part of the key.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError } from '../errors.js';
import { didYouMean } from '../graph/load.js';
import { parseCsv } from '../io/csv.js';
import { decodeText, ENCODINGS } from '../io/decode.js';
import { readInput } from './read-input.js';
import { colValues, listSome, makeTable } from './table-cols.js';

export const renameParams = z.object({
  columns: z.record(z.string(), z.string().min(1)).default({}).describe('{ old name: new name }; applied after the file\'s entries (and wins over them)'),
  file: z.string().min(1).optional().describe('mapping CSV (relative to the workflow file) with a "from" and a "to" column; other columns (unit, note) are documentation'),
  from: z.string().default('from').describe('column of the mapping file holding the current names'),
  to: z.string().default('to').describe('column of the mapping file holding the new names'),
  encoding: z.enum(ENCODINGS).optional().describe('encoding of the mapping file (default: detected, as load-csv)'),
  unmatched: z.enum(['error', 'ignore']).default('ignore')
    .describe('a mapping entry whose name is not a column: ignore (one names file serves several tables; at least one entry must match) or error'),
  only: z.boolean().default(false).describe('keep only the renamed columns (in the table\'s order)'),
}).strict();

export type RenameParams = z.infer<typeof renameParams>;

const MSG = {
  fileColumns: (file: string, miss: string[], have: string[]) => `${file}: no column ${miss.map((c) => `"${c}"`).join(', ')}; the file has ${have.join(', ')}: set "from" / "to" to its columns`,
  fileCell: (file: string, row: number, col: string) => `${file}: row ${row}, column "${col}" is empty: every mapping needs both names`,
  fileConflict: (file: string, name: string, a: string, b: string) => `${file}: "${name}" is mapped twice, to "${a}" and to "${b}": keep one row`,
  none: (have: string[]) => `no entry of the mapping names a column of the input; its columns are: ${listSome(have, 12)}: is it the right file, or the right table?`,
  unmatched: (names: string[], hint: string) => `the mapping names ${listSome(names.map((n) => `"${n}"`))}, not a column of the input${hint}: fix the names, or set "unmatched": "ignore"`,
  clash: (target: string, a: string, b: string) => `two columns would be named "${target}": "${a}" and "${b}": map one of them elsewhere (or drop it with filter first)`,
} as const;

/** The mapping file's entries, in file order. */
export function readMapping(bytes: Uint8Array, file: string, p: Pick<RenameParams, 'from' | 'to' | 'encoding'>): [string, string][] {
  const utf8 = decodeText(bytes, p.encoding, file).bytes;
  const names = parseCsv(utf8, { file }).names;
  const miss = [p.from, p.to].filter((c) => !names.includes(c));
  if (miss.length) throw dataError(MSG.fileColumns(file, miss, names), { file });
  const d = parseCsv(utf8, { file, types: { [p.from]: 'string', [p.to]: 'string' } }); // "2006" and "001" stay as written
  const text = (c: string) => { const a = d.columns[c]; return Array.from(a as ArrayLike<unknown>, (v) => (v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : String(v).trim())); };
  const from = text(p.from), to = text(p.to);
  const seen = new Map<string, string>();
  const out: [string, string][] = [];
  for (let r = 0; r < d.nRows; r++) {
    if (!from[r] && !to[r]) continue; // a blank line
    for (const [c, v] of [[p.from, from[r]], [p.to, to[r]]] as const) if (!v) throw dataError(MSG.fileCell(file, r + 2, c), { file });
    const prev = seen.get(from[r]);
    if (prev !== undefined && prev !== to[r]) throw dataError(MSG.fileConflict(file, from[r], prev, to[r]), { file });
    if (prev === undefined) { seen.set(from[r], to[r]); out.push([from[r], to[r]]); }
  }
  return out;
}

export function renameTable(t: ColumnTable, entries: [string, string][], p: Pick<RenameParams, 'unmatched' | 'only'>, node: string): ColumnTable {
  const have = t.columnNames();
  const map = new Map<string, string>();
  for (const [a, b] of entries) map.set(a, b); // later entries (inline columns) win
  const unmatched = [...map.keys()].filter((k) => !have.includes(k));
  if (unmatched.length === map.size && map.size > 0) throw dataError(MSG.none(have), { node });
  if (p.unmatched === 'error' && unmatched.length) throw dataError(MSG.unmatched(unmatched, unmatched.length === 1 ? didYouMean(unmatched[0], have) : ''), { node });
  const kept = p.only ? have.filter((c) => map.has(c)) : have;
  const names = kept.map((c) => map.get(c) ?? c);
  const first = new Map<string, string>();
  kept.forEach((c, i) => {
    const prev = first.get(names[i]);
    if (prev !== undefined) throw dataError(MSG.clash(names[i], prev, c), { node });
    first.set(names[i], c);
  });
  return makeTable(Object.fromEntries(kept.map((c, i) => [names[i], colValues(t, c)])), names);
}

export const renameNode = defineNode({
  type: 'rename',
  version: 1,
  description: 'Rename columns from a mapping file (e.g. Chinese yearbook headers -> variable names) and/or an inline { old: new } map',
  params: renameParams,
  inputs: { table: { type: 'table' } },
  outputs: { table: { type: 'table' } },
  files: (p) => (p.file ? [p.file] : []),
  run(ctx) {
    const p = ctx.params;
    const entries = p.file ? readMapping(readInput(ctx, p.file, 'file'), p.file, p) : [];
    entries.push(...Object.entries(p.columns));
    return { table: renameTable(ctx.inputs.table as ColumnTable, entries, p, ctx.nodeId) };
  },
});
