// A data table (e.g. the describe node's Table 1) -> Grid: one row per table row,
// numbers at the table's digits (integers such as N without decimals).
import type { ColumnTable } from 'arquero';
import type { Grid, GridRow } from './grid.js';
import { fmtNum } from './format.js';
import { labelOf } from './model-table.js';

export interface PlainTableOptions {
  name: string;
  title?: string;
  notes?: string[];
  labels?: Record<string, string>;
  digits?: number;
  columns?: string[];
}

export const isColumnTable = (x: unknown): x is ColumnTable =>
  !!x && typeof (x as ColumnTable).columnNames === 'function' && typeof (x as ColumnTable).numRows === 'function';

export function buildPlainGrid(t: ColumnTable, o: PlainTableOptions): Grid {
  const names = t.columnNames();
  const digits = o.digits ?? 3;
  const cell = (v: unknown, col: string): string => {
    if (v == null) return '';
    if (typeof v === 'number') return Number.isInteger(v) && /^(n|N|nobs|count|draws|df)$/.test(col) ? String(v) : fmtNum(v, digits);
    return labelOf(String(v), o.labels);
  };
  const rows: GridRow[] = (t.objects() as Record<string, unknown>[]).map((r) => ({
    kind: 'stat',
    label: cell(r[names[0]], names[0]),
    cells: names.slice(1).map((n) => cell(r[n], n)),
  }));
  // describe names its stub column `var`; the paper prints "variable"
  // `columns` names the value columns, as for model tables (the stub keeps its label)
  const heads = names.map((n, i) => (i > 0 ? o.columns?.[i - 1] : undefined) ?? (i === 0 && n === 'var' && !o.labels?.var ? 'variable' : labelOf(n, o.labels)));
  return { name: o.name, title: o.title, stub: heads[0], columns: heads.slice(1), rows, notes: o.notes ?? [], plain: true };
}
