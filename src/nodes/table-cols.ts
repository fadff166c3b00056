// Column helpers shared by the shaping nodes (rename, reshape, join, aggregate, append):
// read a column without copying, tell numeric from text, gather rows, build key strings
// for grouping and matching, and make a table that keeps the given column order.
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { isMissing } from './columns.js';

export type Column = Float64Array | (string | null)[] | ArrayLike<unknown>;

/** A column's values; no copy when the table is neither filtered nor ordered. */
export function colValues(t: ColumnTable, name: string): ArrayLike<unknown> {
  const col = (t as unknown as { column(n: string): unknown }).column(name);
  if (!t.isFiltered() && !t.isOrdered() && (ArrayBuffer.isView(col) || Array.isArray(col)) && (col as ArrayLike<unknown>).length === t.numRows()) return col as ArrayLike<unknown>;
  return t.array(name) as ArrayLike<unknown>;
}

/** 'number' when every non-missing value is a number (or the column is a typed array), 'text' when any is a string, 'empty' when all are missing. */
export function columnKind(a: ArrayLike<unknown>): 'number' | 'text' | 'empty' {
  if (ArrayBuffer.isView(a)) return 'number';
  let seen = false;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (isMissing(v)) continue;
    if (typeof v === 'string') return 'text';
    seen = true;
  }
  return seen ? 'number' : 'empty';
}

/** Values of `a` at rows `idx` (-1: missing): Float64Array (NaN) for numbers, else an array (null). */
export function gather(a: ArrayLike<unknown>, idx: ArrayLike<number>, kind = columnKind(a)): Float64Array | unknown[] {
  if (kind !== 'text') {
    const out = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const v = idx[i] < 0 ? NaN : a[idx[i]];
      out[i] = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
    }
    return out;
  }
  return Array.from(idx, (j) => (j < 0 || isMissing(a[j]) ? null : a[j]));
}

/** The text of a key cell (numbers as JavaScript prints them); null when missing. */
export const keyText = (v: unknown): string | null => (isMissing(v) ? null : typeof v === 'number' ? String(v) : String(v));

/** A row's composite key over several columns ("\u0000"-joined), or null when a part is missing. */
export function rowKeys(cols: ArrayLike<unknown>[], n: number): (string | null)[] {
  const out = new Array<string | null>(n);
  for (let r = 0; r < n; r++) {
    let k = '';
    for (let j = 0; j < cols.length; j++) {
      const t = keyText(cols[j][r]);
      if (t === null) { k = null as unknown as string; break; }
      k += (j ? '\u0000' : '') + t;
    }
    out[r] = k;
  }
  return out;
}

/** "(泰州, 2003)" for messages */
export const showKey = (k: string) => (k.includes('\u0000') ? `(${k.split('\u0000').join(', ')})` : k);

/** "a, b, c and 5 more" */
export const listSome = (xs: readonly string[], max = 8) => (xs.length > max ? `${xs.slice(0, max).join(', ')} and ${xs.length - max} more` : xs.join(', '));

/** A table with the columns in the order given (object key order would put "2006" before "city"). */
export function makeTable(cols: Record<string, Column>, names: string[] = Object.keys(cols)): ColumnTable {
  return aq.table(cols as Record<string, ArrayLike<unknown>>, names);
}
