// The data an exported model used, as .csv (for R) and .dta (for Stata, through flow's
// own writer): the columns the model reads, under names Stata accepts, numbers at full
// precision (the shortest text that reads back as the same double). In the .dta, text
// columns that identify groups (fixed effects, clusters, the panel id) become integer
// codes with a value label, since reghdfe's absorb() and xsmle take numeric variables;
// for a spatial model the code is the unit's row in W.
import type { ColumnTable } from 'arquero';
import { denseData, type IdMatrix } from '../ports/index.js';
import { writeDta, stataNames, type DtaColumn } from '../io/dta/write.js';
import { ExportError } from './spec.js';

export interface ExportedData { columns: string[]; renamed: Record<string, string>; csv: string; dta: Uint8Array; nobs: number }

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function exportTable(t: ColumnTable, used: string[], groups: string[], wIds?: string[]): ExportedData {
  const have = t.columnNames();
  const missing = used.filter((c) => !have.includes(c));
  if (missing.length) throw new ExportError(`the input table has no column ${missing.join(', ')}: was the node's input changed since it ran?`);
  const safe = stataNames(used);
  const renamed = Object.fromEntries(used.flatMap((c, i) => (safe[i] !== c ? [[c, safe[i]]] : [])));
  const cols = used.map((c) => Array.from(t.array(c) as ArrayLike<unknown>));
  const n = t.numRows();
  const lines = [safe.map(csvCell).join(',')];
  for (let r = 0; r < n; r++) lines.push(cols.map((a) => csvCell(a[r])).join(','));
  const dtaCols: DtaColumn[] = used.map((c, j) => {
    const a = cols[j];
    const text = a.some((v) => typeof v === 'string');
    if (!text) return { name: safe[j], values: Float64Array.from(a, (v) => (typeof v === 'number' ? v : NaN)) };
    if (!groups.includes(c)) return { name: safe[j], values: a.map((v) => (v === null || v === undefined ? null : String(v))) };
    const levels = wIds ?? [...new Set(a.map(String))];
    const code = new Map(levels.map((l, i) => [l, i + 1]));
    const unknown = a.find((v) => !code.has(String(v)));
    if (unknown !== undefined) throw new ExportError(`column "${c}" holds "${String(unknown)}", which is not a unit of W`);
    return { name: safe[j], values: Float64Array.from(a, (v) => code.get(String(v))!), type: 'long', valueLabels: new Map(levels.map((l, i) => [i + 1, l])) };
  });
  return { columns: safe, renamed, csv: lines.join('\n') + '\n', dta: writeDta(dtaCols), nobs: n };
}

/** The largest W written as a full matrix (5,000 units: 200 MB of doubles, a 5,001-variable .dta). */
export const EXPORT_W_MAX_UNITS = 5000;

/** W as CSV (first column the unit ids, then one column per unit) and .dta (id, w1 ... wn). */
export function exportW(m: IdMatrix): { csv: string; dta: Uint8Array } {
  if (m.n > EXPORT_W_MAX_UNITS) {
    throw new ExportError(`W has ${m.n} units: export writes W as a full ${m.n} x ${m.n} matrix for R and Stata, at most ${EXPORT_W_MAX_UNITS} units. `
      + 'Export the matrix node\'s own output instead (its CSV is i,j,w triplets), or fit the model in flow.');
  }
  const data = denseData(m);
  const rows = [['id', ...m.ids].map(csvCell).join(',')];
  for (let i = 0; i < m.n; i++) rows.push([csvCell(m.ids[i]), ...Array.from(data.subarray(i * m.n, (i + 1) * m.n), String)].join(','));
  const cols: DtaColumn[] = [{ name: 'id', values: m.ids }];
  for (let j = 0; j < m.n; j++) cols.push({ name: `w${j + 1}`, values: Float64Array.from({ length: m.n }, (_, i) => data[i * m.n + j]) });
  return { csv: rows.join('\n') + '\n', dta: writeDta(cols) };
}
