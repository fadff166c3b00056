// Node `reshape`: wide <-> long (Stata `reshape`, tidyr pivot_longer / pivot_wider).
// long: a yearbook sheet with years as columns (城市 | 2006 | 2007 | ...) becomes one row
//   per city-year; or stub columns (gdp2006, pop2006, gdp2007, ...) become gdp, pop by year.
// wide: the reverse; an (id, key) pair that appears twice is an error naming it.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import { dataError, FlowError } from '../errors.js';
import { requireColumns } from './columns.js';
import { colValues, columnKind, gather, rowKeys, keyText, showKey, listSome, makeTable, type Column } from './table-cols.js';

export const reshapeParams = z.object({
  to: z.enum(['long', 'wide']),
  id: z.array(z.string()).min(1).max(16).describe('columns that identify a unit (kept as they are)'),
  key: z.string().describe('long: the new column holding the former column names (or their suffixes), e.g. "year"; wide: the column whose values name the new columns'),
  columns: z.array(z.string()).max(100_000).optional().describe('long: the columns to fold (default: every column but id), into "value"'),
  value: z.string().default('value').describe('long: name of the value column (with "columns")'),
  stubs: z.array(z.string().min(1)).max(1000).optional().describe('long: fold columns named <stub><suffix> into one column per stub, the suffix going to "key" (Stata reshape long gdp pop, j(year))'),
  keyType: z.enum(['auto', 'number', 'string']).default('auto').describe('long: the key column as numbers (auto: when every key reads as one) or text'),
  values: z.array(z.string()).min(1).max(1000).optional().describe('wide: the columns to spread; new columns are named <value><separator><key value>'),
  separator: z.string().max(8).default('').describe('wide: between the value name and the key value'),
  maxColumns: z.number().int().min(1).max(1_000_000).default(10_000).describe('wide: at most this many new columns (a wrong key column would make one per row)'),
}).strict();

export type ReshapeParams = z.infer<typeof reshapeParams>;

const MSG = {
  needs: (to: string, what: string) => `reshape to ${to} needs ${what}`,
  both: '"columns" and "stubs" are two ways of choosing what to fold: give one',
  noStub: (stub: string) => `no column starts with stub "${stub}" (followed by a suffix): check the stub, or use "columns"`,
  mixed: (a: string, b: string) => `columns "${a}" (numbers) and "${b}" (text) cannot share one value column: make them the same type upstream`,
  keyNumber: (k: string) => `keyType "number": "${k}" does not read as a number: use keyType "string"`,
  clash: (name: string) => `the output would have two columns "${name}": choose another "key" / "value" name`,
  dup: (keys: string[], id: string, key: string) => `(${id}) and ${key} do not identify rows: ${listSome(keys)} appear more than once: aggregate first, or add the column that tells them apart to "id"`,
  missingKey: (n: number, key: string) => `${n} row(s) have no ${key}: drop or fill them upstream`,
  tooMany: (n: number, key: string, max: number) => `"${key}" has ${n} distinct values, more than maxColumns = ${max}: is it the right key column? (raise maxColumns if it is)`,
} as const;

const asKey = (s: string, type: ReshapeParams['keyType'], all: string[]) => {
  const numeric = type === 'number' || (type === 'auto' && all.every((k) => k.trim() !== '' && Number.isFinite(Number(k))));
  if (type === 'number' && !Number.isFinite(Number(s))) throw dataError(MSG.keyNumber(s));
  return numeric ? Number(s) : s;
};

function toLong(t: ColumnTable, p: ReshapeParams, node: string): ColumnTable {
  if (p.columns && p.stubs) throw new FlowError('validate', MSG.both, { node });
  requireColumns(t, p.id, 'table', node);
  const others = t.columnNames().filter((c) => !p.id.includes(c));
  // groups: value column -> (suffix -> source column)
  const groups = new Map<string, Map<string, string>>();
  const suffixes: string[] = [];
  const add = (value: string, suffix: string, col: string) => {
    let g = groups.get(value);
    if (!g) groups.set(value, (g = new Map()));
    g.set(suffix, col);
    if (!suffixes.includes(suffix)) suffixes.push(suffix);
  };
  if (p.stubs) {
    for (const stub of p.stubs) {
      const cols = others.filter((c) => c.startsWith(stub) && c.length > stub.length && !p.stubs!.some((s) => s !== stub && s.startsWith(stub) && c.startsWith(s)));
      if (!cols.length) throw dataError(MSG.noStub(stub), { node });
      for (const c of cols) add(stub, c.slice(stub.length), c);
    }
  } else {
    const cols = p.columns ?? others;
    requireColumns(t, cols, 'table', node);
    for (const c of cols) add(p.value, c, c);
  }
  const outNames = [...p.id, p.key, ...groups.keys()];
  const twice = outNames.find((x, i) => outNames.indexOf(x) !== i);
  if (twice !== undefined) throw new FlowError('validate', MSG.clash(twice), { node });
  const n = t.numRows(), k = suffixes.length;
  const keyVals = suffixes.map((s) => asKey(s, p.keyType, suffixes));
  const out: Record<string, Column> = {};
  const idRows = Int32Array.from({ length: n * k }, (_, i) => Math.floor(i / k));
  for (const c of p.id) out[c] = gather(colValues(t, c), idRows);
  out[p.key] = typeof keyVals[0] === 'number' ? Float64Array.from({ length: n * k }, (_, i) => keyVals[i % k] as number) : Array.from({ length: n * k }, (_, i) => keyVals[i % k]);
  for (const [value, bySuffix] of groups) {
    const src = suffixes.map((s) => (bySuffix.has(s) ? colValues(t, bySuffix.get(s)!) : null));
    const kinds = src.map((a) => (a ? columnKind(a) : 'empty'));
    const num = kinds.findIndex((x) => x === 'number'), txt = kinds.findIndex((x) => x === 'text');
    if (num >= 0 && txt >= 0) throw dataError(MSG.mixed(bySuffix.get(suffixes[num])!, bySuffix.get(suffixes[txt])!), { node });
    const cell = (i: number) => { const a = src[i % k]; return a ? a[Math.floor(i / k)] : null; };
    out[value] = txt >= 0 ? Array.from({ length: n * k }, (_, i) => keyText(cell(i))) : Float64Array.from({ length: n * k }, (_, i) => { const v = cell(i); return typeof v === 'number' ? v : NaN; });
  }
  return makeTable(out, outNames);
}

function toWide(t: ColumnTable, p: ReshapeParams, node: string): ColumnTable {
  if (!p.values) throw new FlowError('validate', MSG.needs('wide', '"values": the columns to spread'), { node, field: 'values' });
  requireColumns(t, [...p.id, p.key, ...p.values], 'table', node);
  const n = t.numRows();
  const ids = rowKeys(p.id.map((c) => colValues(t, c)), n);
  const keyCol = colValues(t, p.key);
  const keys = Array.from({ length: n }, (_, r) => keyText(keyCol[r]));
  const noKey = keys.filter((k) => k === null).length + ids.filter((k) => k === null).length;
  if (noKey) throw dataError(MSG.missingKey(noKey, `${p.key} or id`), { node });
  const units = new Map<string, number>(), firstRow: number[] = [];
  ids.forEach((k, r) => { if (!units.has(k!)) { units.set(k!, firstRow.length); firstRow.push(r); } });
  let distinct = [...new Set(keys as string[])];
  if (distinct.length * p.values.length > p.maxColumns) throw dataError(MSG.tooMany(distinct.length, p.key, p.maxColumns), { node });
  if (columnKind(keyCol) === 'number') distinct = distinct.sort((a, b) => Number(a) - Number(b));
  const slot = new Map(distinct.map((k, j) => [k, j]));
  const cell = new Int32Array(units.size * distinct.length).fill(-1);
  const dups = new Set<string>();
  for (let r = 0; r < n; r++) {
    const at = units.get(ids[r]!)! * distinct.length + slot.get(keys[r]!)!;
    if (cell[at] >= 0) dups.add(showKey(`${ids[r]}\u0000${keys[r]}`));
    cell[at] = r;
  }
  if (dups.size) throw dataError(MSG.dup([...dups], p.id.join(', '), p.key), { node });
  const out: Record<string, Column> = {};
  const names: string[] = [];
  const firsts = Int32Array.from(firstRow);
  for (const c of p.id) { out[c] = gather(colValues(t, c), firsts); names.push(c); }
  for (const v of p.values) {
    const src = colValues(t, v);
    distinct.forEach((k, j) => {
      const name = `${v}${p.separator}${k}`;
      if (name in out) throw new FlowError('validate', MSG.clash(name), { node });
      out[name] = gather(src, Int32Array.from({ length: units.size }, (_, u) => cell[u * distinct.length + j]));
      names.push(name);
    });
  }
  return makeTable(out, names);
}

export const reshapeNode = defineNode({
  type: 'reshape',
  version: 1,
  description: 'Wide <-> long: years (or indicators) as columns to one row per unit-year, or back',
  params: reshapeParams,
  inputs: { table: { type: 'table' } },
  outputs: { table: { type: 'table' } },
  run({ params, inputs, nodeId }) {
    const t = inputs.table as ColumnTable;
    return { table: params.to === 'long' ? toLong(t, params, nodeId) : toWide(t, params, nodeId) };
  },
});
