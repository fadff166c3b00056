// One sheet of an Excel workbook (.xlsx, read with exceljs) as typed columns, the way a
// statistical yearbook table is laid out: a block of header rows (merged cells spanning
// the columns of a group, e.g. 地区生产总值 over 第一产业 / 第二产业 / 第三产业), an
// optional units row (亿元, 万人), then the data. A column's name joins its header cells
// from the top ("地区生产总值/第一产业"); a merged cell counts once. Numbers stored as text
// ("1,234.5") are numbers; "—", "-", "…", "" and the like are missing. Every problem names
// the sheet and the cell and says what to change.
import ExcelJS from 'exceljs';
import { INFINITE } from './infinite.js';

export class XlsxError extends Error {}

export interface SheetOptions {
  /** name, or 1-based position */
  sheet: string | number;
  /** "B3:H40", or "B3" (to the end of the used area); default: the used area */
  range?: string;
  headerRows: number;
  /** the row after the headers holds units: skipped, and checked against `expectUnits` */
  unitsRow: boolean;
  expectUnits?: Record<string, string>;
  separator: string;
  /** cells (after trimming) that mean missing */
  missing: readonly string[];
  types?: Record<string, 'number' | 'string'>;
}

export interface SheetData {
  sheet: string;
  names: string[];
  columns: Record<string, Float64Array | (string | null)[]>;
  nRows: number;
}

export const DEFAULT_MISSING = ['', '—', '——', '–', '-', '--', '…', '……', '...', 'NA', 'N/A', 'n/a', '#N/A', '/', '.'] as const;

const MSG = {
  noSheet: (name: string, have: string[], hint: string) => `no sheet "${name}"${hint}; the workbook has: ${have.map((s) => `"${s}"`).join(', ')}`,
  noPosition: (n: number, have: string[]) => `no sheet ${n}: the workbook has ${have.length} (${have.map((s) => `"${s}"`).join(', ')})`,
  badRange: (r: string) => `range "${r}" is not a cell range like "A3:F40" (or "A3" for everything from A3)`,
  empty: (where: string) => `${where} has no rows below the header: check "range" and "headerRows"`,
  crossing: (where: string, merge: string, last: number) =>
    `${where}: the merged cells ${merge} reach below the header (rows up to ${last}) into the data: unmerge them in the workbook, or set "headerRows" so the header ends below them`,
  noName: (where: string, cells: string) => `${where}: the column at ${cells} has data but no header text: type a name into the header, or narrow "range" to leave it out`,
  duplicate: (where: string, name: string, a: string, b: string) =>
    `${where}: columns ${a} and ${b} are both named "${name}": merge the group header over its columns (the names then become "<group>/${name}"), add the group's header row to "headerRows", or rename one in the workbook`,
  formula: (where: string, cell: string) => `${where}, cell ${cell}: a formula without a stored value: open and save the workbook in Excel or LibreOffice (that stores the values), or paste values`,
  cellError: (where: string, cell: string, err: string) => `${where}, cell ${cell} holds the error ${err}: fix the formula, or clear the cell if the value is missing`,
  notFinite: (where: string, cell: string, v: string) =>
    `${where}, cell ${cell} holds "${v}", which is not a finite number: fix the cell, or clear it if the value is missing`,
  nonNumeric: (where: string, cell: string, col: string, v: string) =>
    `${where}, cell ${cell} (column "${col}") holds "${v}", which is not a number: fix the cell, add "${v}" to "missing" if it means missing, or declare the column "string" in "columns"`,
  unknownTyped: (where: string, cols: string[], have: string[]) => `${where}: "columns" names ${cols.map((c) => `"${c}"`).join(', ')}, not in the header; the columns are: ${have.join(', ')}`,
  unitUnknown: (where: string, col: string, have: string[]) => `${where}: "expectUnits" names column "${col}", which is not in the header; the columns are: ${have.join(', ')}`,
  unit: (where: string, cell: string, col: string, got: string, want: string) =>
    `${where}, cell ${cell}: column "${col}" is in ${got === '' ? '(no unit)' : `"${got}"`}, expected "${want}": convert the column upstream (derive) or correct "expectUnits"`,
  unreadable: (why: string) => `not a readable .xlsx workbook (${why}): save it as "Excel Workbook (.xlsx)"; .xls and .csv are other formats`,
} as const;

/** 1 -> A, 27 -> AA */
export const colLetter = (c: number): string => { let s = ''; for (let n = c; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s; return s; };
const colNumber = (s: string) => [...s.toUpperCase()].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);
const addr = (r: number, c: number) => `${colLetter(c)}${r}`;

interface Rect { top: number; left: number; bottom: number; right: number }
function parseRef(ref: string): { r: number; c: number } | null {
  const m = /^\$?([A-Za-z]{1,3})\$?(\d{1,7})$/.exec(ref.trim());
  return m ? { c: colNumber(m[1]), r: Number(m[2]) } : null;
}
function parseRange(s: string): Rect | null {
  const [a, b] = s.split(':');
  const p = parseRef(a), q = b === undefined ? null : parseRef(b);
  if (!p || (b !== undefined && !q)) return null;
  return q ? { top: Math.min(p.r, q.r), left: Math.min(p.c, q.c), bottom: Math.max(p.r, q.r), right: Math.max(p.c, q.c) } : { top: p.r, left: p.c, bottom: Infinity, right: Infinity };
}

/** Suggestion for a misspelt sheet name: a name containing it, or contained in it, or one edit away. */
function closestSheet(name: string, have: string[]): string[] {
  const n = name.trim();
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  // the edit distance only for names of a sensible length (a pasted 1 MB name would cost a table of its size)
  return have.filter((h) => h.trim() === n || h.includes(n) || n.includes(h) || (n.length <= 100 && h.length <= 100 && dist(h, n) <= Math.max(1, Math.floor(n.length / 4))));
}

type Cell = { kind: 'number'; v: number } | { kind: 'text'; v: string } | { kind: 'empty' };

/** The value of a cell as a yearbook means it. */
function cellValue(cell: ExcelJS.Cell, where: string): Cell {
  let v = cell.value as unknown;
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    if ('formula' in o || 'sharedFormula' in o) {
      if (o.result === undefined || o.result === null) throw new XlsxError(MSG.formula(where, cell.address));
      v = o.result;
      if (typeof v === 'object' && v !== null && 'error' in (v as object)) v = { error: (v as { error: string }).error };
    }
    if (v !== null && typeof v === 'object' && 'richText' in (v as object)) v = ((v as { richText: { text: string }[] }).richText).map((t) => t.text).join('');
    else if (v !== null && typeof v === 'object' && 'text' in (v as object)) v = (v as { text: unknown }).text; // hyperlink
    if (v !== null && typeof v === 'object' && 'error' in (v as object)) {
      const err = String((v as { error: string }).error);
      if (err === '#N/A') return { kind: 'empty' };
      throw new XlsxError(MSG.cellError(where, cell.address, err));
    }
  }
  if (v === null || v === undefined) return { kind: 'empty' };
  if (typeof v === 'number') { if (!Number.isFinite(v)) throw new XlsxError(MSG.notFinite(where, cell.address, String(v))); return { kind: 'number', v }; }
  if (v instanceof Date) return { kind: 'text', v: v.toISOString().slice(0, 10) };
  if (typeof v === 'boolean') return { kind: 'text', v: v ? 'TRUE' : 'FALSE' };
  return { kind: 'text', v: String(v) };
}

const NUMERIC_TEXT = /^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$/;
/** "1,234.5", " 12 ", "１２３" (full-width) as a number; null when the text is not one. */
export function numberFromText(s: string): number | null {
  const t = s.trim().replace(/[０-９．，－＋]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0)).replace(/\s+/g, '');
  if (t === '' || !/\d/.test(t) || !NUMERIC_TEXT.test(t)) return null;
  return Number(t.replace(/,/g, ''));
}

const headerText = (c: Cell) => (c.kind === 'empty' ? '' : String(c.v).replace(/\s+/g, ' ').trim());

export async function loadWorkbook(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (e) {
    throw new XlsxError(MSG.unreadable((e as Error).message));
  }
  return wb;
}

export function pickSheet(wb: ExcelJS.Workbook, sheet: string | number): ExcelJS.Worksheet {
  const names = wb.worksheets.map((w) => w.name);
  if (typeof sheet === 'number') {
    const ws = wb.worksheets[sheet - 1];
    if (!ws) throw new XlsxError(MSG.noPosition(sheet, names));
    return ws;
  }
  const ws = wb.worksheets.find((w) => w.name === sheet);
  if (ws) return ws;
  const near = closestSheet(sheet, names);
  throw new XlsxError(MSG.noSheet(sheet, names, near.length ? ` (did you mean ${near.map((s) => `"${s}"`).join(' or ')}?)` : ''));
}

/** Read one sheet of a loaded workbook. */
export function readSheet(wb: ExcelJS.Workbook, o: SheetOptions): SheetData {
  const ws = pickSheet(wb, o.sheet);
  const where = `sheet "${ws.name}"`;
  let rect: Rect = { top: 1, left: 1, bottom: ws.rowCount, right: ws.columnCount };
  if (o.range) {
    const r = parseRange(o.range);
    if (!r) throw new XlsxError(MSG.badRange(o.range));
    rect = { top: r.top, left: r.left, bottom: Math.min(r.bottom, ws.rowCount), right: Math.min(r.right, ws.columnCount) };
  }
  const headEnd = rect.top + o.headerRows - 1; // last header row
  const dataTop = headEnd + 1 + (o.unitsRow ? 1 : 0);
  if (dataTop > rect.bottom) throw new XlsxError(MSG.empty(where));

  // a merged block that starts in the header and reaches into the data cannot be a header
  for (const m of (ws.model as { merges?: string[] }).merges ?? []) {
    const r = parseRange(m);
    if (!r || r.right < rect.left || r.left > rect.right) continue;
    if (r.top >= rect.top && r.top <= headEnd && r.bottom > headEnd) throw new XlsxError(MSG.crossing(where, m, headEnd));
  }

  const at = (r: number, c: number) => cellValue(ws.getCell(r, c), where);
  const nCols = rect.right - rect.left + 1;
  // data rows: empty rows (all cells empty) are dropped
  const rows: number[] = [];
  for (let r = dataTop; r <= rect.bottom; r++) {
    for (let c = rect.left; c <= rect.right; c++) if (at(r, c).kind !== 'empty') { rows.push(r); break; }
  }
  if (!rows.length) throw new XlsxError(MSG.empty(where));

  const names: string[] = [];
  const colIndex: number[] = [];
  const firstCell = new Map<string, string>();
  for (let j = 0; j < nCols; j++) {
    const c = rect.left + j;
    const parts: string[] = [];
    for (let r = rect.top; r <= headEnd; r++) {
      const t = headerText(at(r, c));
      if (t !== '' && parts[parts.length - 1] !== t) parts.push(t); // a vertically merged cell counts once
    }
    const hasData = rows.some((r) => at(r, c).kind !== 'empty');
    const name = o.headerRows === 0 ? colLetter(c) : parts.join(o.separator);
    if (name === '') {
      if (!hasData) continue; // a spacer column
      throw new XlsxError(MSG.noName(where, o.headerRows > 1 ? `${addr(rect.top, c)}:${addr(headEnd, c)}` : addr(rect.top, c)));
    }
    const prev = firstCell.get(name);
    if (prev) throw new XlsxError(MSG.duplicate(where, name, prev, colLetter(c)));
    firstCell.set(name, colLetter(c));
    names.push(name);
    colIndex.push(c);
  }
  const unknown = Object.keys(o.types ?? {}).filter((n) => !firstCell.has(n));
  if (unknown.length) throw new XlsxError(MSG.unknownTyped(where, unknown, names));

  if (o.expectUnits) {
    for (const [col, want] of Object.entries(o.expectUnits)) {
      const c = colIndex[names.indexOf(col)];
      if (c === undefined) throw new XlsxError(MSG.unitUnknown(where, col, names));
      const got = o.unitsRow ? headerText(at(headEnd + 1, c)) : '';
      if (got !== want) throw new XlsxError(MSG.unit(where, addr(headEnd + 1, c), col, got, want));
    }
  }

  const missing = new Set(o.missing);
  const columns: SheetData['columns'] = {};
  names.forEach((name, j) => {
    const c = colIndex[j];
    const cells = rows.map((r) => at(r, c));
    const declared = o.types?.[name];
    const num = new Float64Array(rows.length);
    let numeric = declared !== 'string';
    for (let i = 0; i < cells.length && numeric; i++) {
      const x = cells[i];
      if (x.kind === 'number') num[i] = x.v;
      else if (x.kind === 'empty' || missing.has(x.v.trim())) num[i] = NaN;
      else {
        const n = numberFromText(x.v);
        if (n !== null && !Number.isFinite(n)) throw new XlsxError(MSG.notFinite(where, addr(rows[i], c), x.v));
        if (n === null && INFINITE.test(x.v.trim())) throw new XlsxError(MSG.notFinite(where, addr(rows[i], c), x.v));
        if (n !== null) num[i] = n;
        else if (declared === 'number') throw new XlsxError(MSG.nonNumeric(where, addr(rows[i], c), name, x.v));
        else numeric = false;
      }
    }
    columns[name] = numeric ? num : cells.map((x) => (x.kind === 'empty' || (x.kind === 'text' && missing.has(x.v.trim())) ? null : x.kind === 'number' ? String(x.v) : x.v.trim()));
  });
  return { sheet: ws.name, names, columns, nRows: rows.length };
}
