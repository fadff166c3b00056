// A fast CSV reader that parses bytes straight into typed columns: numbers into
// Float64Array, text into string arrays. One pass over the buffer (csv-scan.ts: the hot
// loop; csv-parallel.ts: two threads for large all-numeric files); anything the hot loop
// declines goes through the careful path here (Number(), RFC 4180 quoting; empty and
// NA-like cells are NaN, null in text columns). Numeric columns are written into one
// ColumnArena, so that an all-numeric file comes out as its Arrow IPC stream with the
// columns in place (arrow-layout.ts). Hand-written: arquero's fromCSV parses through
// strings (~10x slower on a 1M-row file) and neither it nor csv-parse fills typed arrays.
import { readWhole } from './read.js';
import { dataError } from '../errors.js';
import { INFINITE } from './infinite.js';
import { scannerFor, estimateRows, DONE, TEXT, RAGGED, FULL } from './csv-scan.js';
import { parallelScan, wantParallel } from './csv-parallel.js';
import { ColumnArena, inPlaceIpc, metadataReserve, type Parts } from './arrow-layout.js';

export type CsvType = 'number' | 'string';

export interface CsvOptions {
  /** file name for messages */
  file?: string;
  /** fixed types for some columns; the others are inferred (number unless a cell is not) */
  types?: Record<string, CsvType>;
  delimiter?: string;
  /**
   * scan a large all-numeric file on two threads (needs a buffer on a SharedArrayBuffer,
   * see readShared). 'auto' (default): files of 16 MB or more on two cores or more (see
   * wantParallel). Only speed depends on it: the values and the IPC bytes are the same.
   */
  parallel?: boolean | 'auto';
}

export interface CsvData {
  names: string[];
  columns: Record<string, Float64Array | (string | null)[]>;
  nRows: number;
  /** threads that scanned the data (2: the worker path of `parallel`) */
  threads: 1 | 2;
  /**
   * when every column is numeric: the table's Arrow IPC stream (the bytes arquero's
   * toArrowIPC() gives for these columns), which the columns are views of
   */
  ipc?: Uint8Array;
}

const NA = new Set(['', 'NA', 'NaN', 'nan', 'N/A', 'n/a', 'null', 'NULL', '.']);
const QUOTE = 34, CR = 13, LF = 10;

const MSG = {
  nonNumeric: (file: string, row: number, col: string, cell: string) =>
    `${file}: row ${row}, column "${col}" holds "${cell}", which is not a number: fix the cell, or declare the column as "string" in load-csv's columns`,
  unknownTyped: (file: string, cols: string[], have: string[]) =>
    `${file}: load-csv columns names ${cols.map((c) => `"${c}"`).join(', ')} not in the header; the file has: ${have.join(', ')}`,
  ragged: (file: string, row: number, got: number, want: number) =>
    `${file}: row ${row} has ${got} fields but the header has ${want}: check the delimiter and the quoting of that row`,
  notFinite: (file: string, row: number, col: string, cell: string) =>
    `${file}: row ${row}, column "${col}" holds "${cell}", which is not a finite number: a statistic of it would be meaningless (or silently 0); fix the cell, or leave it empty if the value is missing`,
  unterminated: (file: string, row: number) => `${file}: row ${row} opens a quoted field that is never closed`,
  empty: (file: string) => `${file}: the file is empty (no header row)`,
  duplicate: (file: string, name: string) => `${file}: the header names column "${name}" twice: rename one`,
} as const;

/** A cell that is not a number; `infinite`: it spells or overflows to an infinity (refused in any numeric column). */
class NotNumber { constructor(readonly text: string, readonly infinite = false) {} }

/** Parse a CSV buffer into columns. */
export function parseCsv(buf: Uint8Array, opts: CsvOptions = {}): CsvData {
  const file = opts.file ?? 'csv';
  const delim = (opts.delimiter ?? ',').charCodeAt(0);
  const n = buf.length;
  let pos = 0;
  if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3; // UTF-8 BOM
  const dec = new TextDecoder();

  /** Read one field as text starting at pos; leaves pos on the delimiter / line end. */
  const readText = (row: number): string => {
    if (buf[pos] === QUOTE) {
      pos++;
      let out = '';
      let start = pos;
      for (;;) {
        if (pos >= n) throw dataError(MSG.unterminated(file, row));
        if (buf[pos] === QUOTE) {
          if (buf[pos + 1] === QUOTE) { out += dec.decode(buf.subarray(start, pos + 1)); pos += 2; start = pos; continue; }
          out += dec.decode(buf.subarray(start, pos));
          pos++;
          return out;
        }
        pos++;
      }
    }
    const start = pos;
    while (pos < n) { const c = buf[pos]; if (c === delim || c === LF || c === CR) break; pos++; }
    return dec.decode(buf.subarray(start, pos));
  };
  const atLineEnd = () => pos >= n || buf[pos] === LF || buf[pos] === CR;
  const skipLineEnd = () => { if (buf[pos] === CR) pos++; if (buf[pos] === LF) pos++; };

  if (pos >= n) throw dataError(MSG.empty(file));
  const names: string[] = [];
  for (;;) {
    names.push(readText(1).trim());
    if (atLineEnd()) { skipLineEnd(); break; }
    pos++; // delimiter
  }
  const seen = new Set<string>();
  for (const nm of names) { if (seen.has(nm)) throw dataError(MSG.duplicate(file, nm)); seen.add(nm); }
  const types = opts.types ?? {};
  const unknown = Object.keys(types).filter((c) => !seen.has(c));
  if (unknown.length) throw dataError(MSG.unknownTyped(file, unknown, names));
  const dataStart = pos;

  const rowCap = estimateRows(buf, dataStart, n);

  const parseWith = (isText: boolean[]): CsvData => {
    const ncol = names.length;
    const allNumeric = !isText.some((t) => t);
    const reserve = metadataReserve(names);
    let arena: ColumnArena | undefined;
    let parts: Parts | undefined;
    let r = 0, threads: 1 | 2 = 1;
    if (allNumeric && wantParallel(opts.parallel ?? 'auto', n - dataStart)) {
      const par = parallelScan(buf, dataStart, n, scannerFor(ncol, isText.map(Number), delim, n), ncol, (cap) => new ColumnArena(ncol, cap, reserve));
      if (par) { arena = par.arena; parts = par.parts; r = par.rows; threads = 2; }
    }
    const txt: (string | null)[][] = isText.map(() => []);
    if (!arena) {
      arena = new ColumnArena(ncol, rowCap, reserve);
      let num = isText.map((t, k) => (t ? EMPTY : arena!.region(k)));
      const { scan } = scannerFor(ncol, isText.map(Number), delim, n);
      pos = dataStart;
      for (;;) {
        const st = scan(buf, pos, n, num, r, arena.cap);
        pos = st.pos;
        r = st.row;
        if (st.status === DONE) break;
        const rowNo = r + 2; // 1-based line of the data row, after the header
        const c = st.col;
        if (st.status === FULL) { // more rows than estimated (shorter lines later, or lines ending in a lone CR)
          arena = arena.grown(arena.cap * 2, r);
          num = isText.map((t, k) => (t ? EMPTY : arena!.region(k)));
          continue;
        }
        if (st.status === TEXT) { // a text cell, or a number the fast path declined: parse here and resume
          if (isText[c]) {
            const s = readText(rowNo);
            txt[c].push(NA.has(s) ? null : s);
          } else {
            const v = slowNumber();
            if (v instanceof NotNumber) {
              if (v.infinite) throw dataError(MSG.notFinite(file, rowNo, names[c], v.text));
              if (types[names[c]] === 'number') throw dataError(MSG.nonNumeric(file, rowNo, names[c], v.text));
              throw new InferAsText(c);
            }
            num[c][r] = v;
          }
          // continue the row after this field
          if (finishRow(c, rowNo, num)) r++;
          continue;
        }
        if (st.status === RAGGED) throw dataError(MSG.ragged(file, rowNo, st.col, ncol));
      }
      parts = [[0, r]];
    }
    const columns: CsvData['columns'] = {};
    const placed = allNumeric ? inPlaceIpc(arena, names, parts!) : null;
    if (placed) {
      names.forEach((nm, c) => { columns[nm] = placed.columns[c]; });
      return { names, columns, nRows: r, threads, ipc: placed.bytes };
    }
    names.forEach((nm, c) => { columns[nm] = isText[c] ? txt[c] : joinParts(arena!.region(c), parts!); });
    return { names, columns, nRows: r, threads };

    /** After field c of the current row was parsed by hand: parse the rest of the row; true when the row is complete. */
    function finishRow(c: number, rowNo: number, num: Float64Array[]): boolean {
      for (let k = c; k < ncol; k++) {
        if (k > c) {
          if (isText[k]) { const s = readText(rowNo); txt[k].push(NA.has(s) ? null : s); }
          else {
            const v = slowNumber();
            if (v instanceof NotNumber) {
              if (v.infinite) throw dataError(MSG.notFinite(file, rowNo, names[k], v.text));
              if (types[names[k]] === 'number') throw dataError(MSG.nonNumeric(file, rowNo, names[k], v.text));
              throw new InferAsText(k);
            }
            num[k][r] = v;
          }
        }
        if (k < ncol - 1) {
          if (buf[pos] !== delim) throw dataError(MSG.ragged(file, rowNo, k + 1, ncol));
          pos++;
        }
      }
      if (!atLineEnd()) {
        let extra = ncol;
        while (!atLineEnd()) { if (buf[pos] === delim) extra++; pos++; }
        throw dataError(MSG.ragged(file, rowNo, extra, ncol));
      }
      skipLineEnd();
      return true;
    }
  };

  function slowNumber(): number | NotNumber {
    if (buf[pos] === QUOTE) return textToNumber(readText(0).trim());
    const start = pos;
    while (pos < n) { const c = buf[pos]; if (c === delim || c === LF || c === CR) break; pos++; }
    return textToNumber(dec.decode(buf.subarray(start, pos)).trim());
  }

  const isText = names.map((nm) => types[nm] === 'string');
  for (;;) {
    try {
      return parseWith(isText);
    } catch (e) {
      if (e instanceof InferAsText) { isText[e.col] = true; continue; } // re-parse with that column as text
      throw e;
    }
  }
}

class InferAsText { constructor(readonly col: number) {} }

const EMPTY = new Float64Array(0);

/** A column's parts (runs of rows in its room) as one array: in place when there is one part. */
function joinParts(room: Float64Array, parts: Parts): Float64Array {
  let to = 0;
  for (const [from, k] of parts) { if (from !== to) room.copyWithin(to, from, from + k); to += k; }
  return room.subarray(0, to);
}

/** Read a file into a SharedArrayBuffer (so that parseCsv can use both cores). */
export const readShared: (path: string) => Uint8Array = readWhole;

function textToNumber(s: string): number | NotNumber {
  if (NA.has(s)) return NaN;
  // Number() accepts forms a CSV number should not be ("0x1f"); infinities, spelled out or
  // overflowing ("1e999"), are refused with their cell rather than read as numbers
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return new NotNumber(s, INFINITE.test(s));
  const v = Number(s);
  return Number.isFinite(v) ? v : new NotNumber(s, true);
}
