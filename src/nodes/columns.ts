// Shared checks for the measurement nodes: reading arquero columns into Float64Array
// (missing = NaN), naming offending cells as (city, year), grouping a panel by unit.
// Kernels in src/econ/measure never see arquero; these helpers are the boundary.
import type { ColumnTable } from 'arquero';
import { dataError } from '../errors.js';
import { closest } from '../graph/load.js';

const MAX_LISTED = 8;

const MSG = {
  missingColumns: (port: string, missing: string[], available: string[]) => {
    // "did you mean" from the table's own columns; the whole list only when it is short
    const near = missing.map((c) => closest(c, available, 1)[0]).filter((x): x is string => !!x);
    const hint = near.length ? `; did you mean ${near.join(', ')}?` : available.length <= 12 ? `; available: ${available.join(', ')}` : `; the table has ${available.length} columns (${available.slice(0, 6).join(', ')}, ...)`;
    return `input "${port}" has no column ${missing.map((c) => `"${c}"`).join(', ')}${hint}`;
  },
  nonNumeric: (col: string, cells: string) =>
    `column "${col}" is not numeric at ${cells}. A token such as "NA" turns a CSV column into text: ` +
    `clean the file or give load-csv column types so that missing cells are empty.`,
  duplicate: (cells: string, id: string, time: string) =>
    `rows are duplicated on (${id}, ${time}) at ${cells}: each unit may appear once per period. ` +
    `Drop or aggregate the duplicates upstream (filter / derive).`,
  badTime: (col: string, cells: string) =>
    `column "${col}" must hold whole numbers (years) but has ${cells}. Fix the time column or point "time" at another column.`,
} as const;

/** Throws a data error listing every missing column and the available ones. */
export function requireColumns(t: ColumnTable, cols: readonly string[], port: string, node: string): void {
  const have = new Set(t.columnNames());
  const missing = [...new Set(cols)].filter((c) => !have.has(c));
  if (missing.length > 0) throw dataError(MSG.missingColumns(port, missing, t.columnNames()), { node });
}

/** Labels a row for messages: "(Shanghai, 2005)" when the id/time columns exist, else "row 6". */
export type RowLabel = (row: number) => string;

export function rowLabeler(t: ColumnTable, id?: string | null, time?: string | null): RowLabel {
  const names = new Set(t.columnNames());
  const ids = id && names.has(id) ? t.array(id) : null;
  const times = time && names.has(time) ? t.array(time) : null;
  return (row) => {
    const parts: string[] = [];
    if (ids) parts.push(String(ids[row]));
    if (times) parts.push(String(times[row]));
    return parts.length > 0 ? `(${parts.join(', ')})` : `row ${row + 1}`;
  };
}

/** "(A, 2005), (B, 2006) and 3 more" */
export function listCells(rows: readonly number[], label: RowLabel, max = MAX_LISTED): string {
  const shown = rows.slice(0, max).map(label).join(', ');
  return rows.length > max ? `${shown} and ${rows.length - max} more` : shown;
}

export const isMissing = (v: unknown): boolean =>
  v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));

/**
 * A numeric column as Float64Array: null, undefined, '' and NaN become NaN (arquero
 * treats null as 0 in arithmetic, NaN propagates). Text or other values are an error
 * naming the cells.
 */
export function numericColumn(t: ColumnTable, col: string, label: RowLabel, node: string): Float64Array {
  const src = t.array(col) as ArrayLike<unknown>;
  if (src instanceof Float64Array) return src;
  const out = new Float64Array(src.length);
  const bad: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (typeof v === 'number') out[i] = v;
    else if (typeof v === 'bigint') out[i] = Number(v);
    else if (isMissing(v)) out[i] = NaN;
    else {
      out[i] = NaN;
      bad.push(i);
    }
  }
  if (bad.length > 0) {
    const show = (r: number) => `${label(r)} = ${JSON.stringify(src[r])}`;
    throw dataError(MSG.nonNumeric(col, listCells(bad, show)), { node });
  }
  return out;
}

/** Several numeric columns at once. */
export function numericColumns(t: ColumnTable, cols: readonly string[], label: RowLabel, node: string): Float64Array[] {
  return cols.map((c) => numericColumn(t, c, label, node));
}

/** A time column of whole numbers (missing is an error). */
export function timeColumn(t: ColumnTable, col: string, label: RowLabel, node: string): Float64Array {
  const x = numericColumn(t, col, label, node);
  const bad: number[] = [];
  for (let i = 0; i < x.length; i++) if (!Number.isInteger(x[i])) bad.push(i);
  if (bad.length > 0) {
    const show = (r: number) => `${label(r)} = ${String(t.array(col)[r])}`;
    throw dataError(MSG.badTime(col, listCells(bad, show)), { node });
  }
  return x;
}

export interface PanelGroups {
  /** unit key (String of the id value) in order of first appearance */
  keys: string[];
  /** row indices of each unit, sorted by time */
  rows: number[][];
}

/** Groups rows by unit and sorts each unit's rows by time; duplicates (id, time) are an error. */
export function groupPanel(
  t: ColumnTable,
  id: string,
  times: Float64Array,
  label: RowLabel,
  node: string,
  timeName = 'time',
): PanelGroups {
  const ids = t.array(id) as ArrayLike<unknown>;
  const index = new Map<string, number>();
  const keys: string[] = [];
  const rows: number[][] = [];
  for (let i = 0; i < ids.length; i++) {
    const k = String(ids[i]);
    let g = index.get(k);
    if (g === undefined) {
      g = keys.length;
      index.set(k, g);
      keys.push(k);
      rows.push([]);
    }
    rows[g].push(i);
  }
  const dup: number[] = [];
  for (const r of rows) {
    r.sort((a, b) => times[a] - times[b]);
    for (let j = 1; j < r.length; j++) if (times[r[j]] === times[r[j - 1]]) dup.push(r[j]);
  }
  if (dup.length > 0) throw dataError(MSG.duplicate(listCells(dup, label), id, timeName), { node });
  return { keys, rows };
}

/** Gathers x at the given rows. */
export function gather(x: Float64Array, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = x[rows[j]];
  return out;
}

/** Scatters a unit's values back into a full-length column. */
export function scatter(target: Float64Array, rows: readonly number[], values: ArrayLike<number>): void {
  for (let j = 0; j < rows.length; j++) target[rows[j]] = values[j];
}

/** Rows where the value is finite and <= 0 (for logs) */
export function nonPositiveRows(x: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] <= 0) out.push(i);
  return out;
}

/** Zod-describable shared param fragments. */
export const ID_DEFAULT = 'city';
export const TIME_DEFAULT = 'year';

/**
 * Numeric columns that hold null/undefined become Float64Array with NaN: inside arquero
 * expressions null counts as 0 (`null * 2` is 0, `null < 5` is true), NaN propagates.
 */
export function nullsToNaN(t: ColumnTable): ColumnTable {
  const fixed: Record<string, Float64Array> = {};
  for (const name of t.columnNames()) {
    const a = t.array(name) as ArrayLike<unknown>;
    if (a instanceof Float64Array || ArrayBuffer.isView(a)) continue;
    let hasNull = false;
    let numeric = true;
    for (let i = 0; i < a.length && numeric; i++) {
      const v = a[i];
      if (v === null || v === undefined) hasNull = true;
      else if (typeof v !== 'number') numeric = false;
    }
    if (!hasNull || !numeric) continue;
    const f = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) f[i] = a[i] === null || a[i] === undefined ? NaN : (a[i] as number);
    fixed[name] = f;
  }
  return Object.keys(fixed).length > 0 ? t.assign(fixed) : t;
}

/** Column names an arquero expression reads: d.name and d['name']. */
export function referencedColumns(expr: string): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\bd\.([A-Za-z_$][\w$]*)|\bd\[\s*(['"])(.+?)\2\s*\]/g)) out.add(m[1] ?? m[3]);
  return [...out];
}

/** Rows where mask[i] is 1, as a materialised table (arquero expressions cannot capture the mask). */
export function keepRows(t: ColumnTable, mask: Uint8Array): ColumnTable {
  const flag = '__flow_keep__';
  return t
    .assign({ [flag]: Array.from(mask, (m) => m === 1) })
    .filter(`d => d['${flag}']`)
    .select(t.columnNames())
    .reify();
}

/** A column or the row sum of several (missing if any term is missing). */
export function sumColumns(t: ColumnTable, cols: string | readonly string[], label: RowLabel, node: string): Float64Array {
  const list = typeof cols === 'string' ? [cols] : cols;
  const parts = numericColumns(t, list, label, node);
  const out = new Float64Array(t.numRows());
  for (const x of parts) for (let i = 0; i < out.length; i++) out[i] += x[i];
  return out;
}

export const asList = (cols: string | readonly string[]): string[] => (typeof cols === 'string' ? [cols] : [...cols]);

/**
 * arquero reads constants as $ only when the expression declares it, "(d, $) => ...":
 * let users write "d => d.x * $.k" (or a bare "d.x * $.k") and add the parameter here.
 */
export function declareParams(expr: string): string {
  if (!/\$/.test(expr)) return expr;
  const arrow = /^\s*\(?\s*d\s*\)?\s*=>/;
  if (arrow.test(expr)) return expr.replace(arrow, '(d, $) =>');
  if (/=>/.test(expr)) return expr; // already declares its own parameters
  return `(d, $) => ${expr}`;
}
