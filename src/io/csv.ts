// A fast CSV reader that parses bytes straight into typed columns: numbers into
// Float64Array, text into string arrays. One pass over the buffer, numbers parsed
// inline (exact: an integer mantissa <= 2^53 scaled by an exact power of ten is one
// correctly rounded IEEE operation, Clinger's fast path; anything else goes through
// Number()). RFC 4180 quoting; empty and NA-like cells are NaN (null in text columns).
import { readFileSync, readdirSync } from 'node:fs';
import { readWhole } from './read.js';
import { Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import { dataError } from '../errors.js';

export type CsvType = 'number' | 'string';

export interface CsvOptions {
  /** file name for messages */
  file?: string;
  /** fixed types for some columns; the others are inferred (number unless a cell is not) */
  types?: Record<string, CsvType>;
  delimiter?: string;
  /**
   * scan a large all-numeric file on two threads (needs a buffer on a SharedArrayBuffer,
   * see readShared). 'auto' (default): only when a second core is idle (no other thread
   * runnable right now on Linux, else the 1-minute load average below cores - 1): on a
   * busy machine the worker only adds overhead. Only
   * speed depends on it: the parsed values are the same.
   */
  parallel?: boolean | 'auto';
}

export interface CsvData {
  names: string[];
  columns: Record<string, Float64Array | (string | null)[]>;
  nRows: number;
  /** threads that scanned the data (2: the worker path of `parallel`) */
  threads: 1 | 2;
}

const NA = new Set(['', 'NA', 'NaN', 'nan', 'N/A', 'n/a', 'null', 'NULL', '.']);
const QUOTE = 34, CR = 13, LF = 10;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const MSG = {
  nonNumeric: (file: string, row: number, col: string, cell: string) =>
    `${file}: row ${row}, column "${col}" holds "${cell}", which is not a number: fix the cell, or declare the column as "string" in load-csv's columns`,
  unknownTyped: (file: string, cols: string[], have: string[]) =>
    `${file}: load-csv columns names ${cols.map((c) => `"${c}"`).join(', ')} not in the header; the file has: ${have.join(', ')}`,
  ragged: (file: string, row: number, got: number, want: number) =>
    `${file}: row ${row} has ${got} fields but the header has ${want}: check the delimiter and the quoting of that row`,
  unterminated: (file: string, row: number) => `${file}: row ${row} opens a quoted field that is never closed`,
  empty: (file: string) => `${file}: the file is empty (no header row)`,
  duplicate: (file: string, name: string) => `${file}: the header names column "${name}" twice: rename one`,
} as const;

class NotNumber { constructor(readonly text: string) {} }

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
    let cap = rowCap;
    const num: Float64Array[] = isText.map((t) => (t ? EMPTY : new Float64Array(cap)));
    const txt: (string | null)[][] = isText.map(() => []);
    const textFlags = Uint8Array.from(isText.map((t) => (t ? 1 : 0)));
    let r = 0;
    pos = dataStart;
    if (!isText.some((t) => t) && wantParallel(opts.parallel ?? 'auto')) {
      const par = parallelScan(buf, dataStart, n, delim, ncol);
      if (par) {
        const columns: CsvData['columns'] = {};
        names.forEach((nm, c) => { columns[nm] = par.cols[c]; });
        return { names, columns, nRows: par.rows, threads: 2 };
      }
    }
    for (;;) {
      const st = scanRows(buf, pos, n, delim, ncol, textFlags, num, r, cap);
      pos = st.pos;
      r = st.row;
      if (st.status === DONE) break;
      const rowNo = r + 2; // 1-based line of the data row, after the header
      const c = st.col;
      if (st.status === FULL) { // more rows than estimated (shorter lines later, or lines ending in a lone CR)
        cap *= 2;
        for (let k = 0; k < ncol; k++) if (!isText[k]) { const g = new Float64Array(cap); g.set(num[k]); num[k] = g; }
        continue;
      }
      if (st.status === TEXT) { // a text cell, or a number the fast path declined: parse here and resume
        if (isText[c]) {
          const s = readText(rowNo);
          txt[c].push(NA.has(s) ? null : s);
        } else {
          const v = slowNumber();
          if (v instanceof NotNumber) {
            if (types[names[c]] === 'number') throw dataError(MSG.nonNumeric(file, rowNo, names[c], v.text));
            throw new InferAsText(c);
          }
          num[c][r] = v;
        }
        // continue the row after this field
        const after = finishRow(c, rowNo);
        if (after) r++;
        continue;
      }
      if (st.status === RAGGED) throw dataError(MSG.ragged(file, rowNo, st.col, ncol));
    }
    const columns: CsvData['columns'] = {};
    names.forEach((nm, c) => { columns[nm] = isText[c] ? txt[c] : num[c].subarray(0, r); });
    return { names, columns, nRows: r, threads: 1 };

    /** After field c of the current row was parsed by hand: parse the rest of the row; true when the row is complete. */
    function finishRow(c: number, rowNo: number): boolean {
      for (let k = c; k < ncol; k++) {
        if (k > c) {
          if (isText[k]) { const s = readText(rowNo); txt[k].push(NA.has(s) ? null : s); }
          else {
            const v = slowNumber();
            if (v instanceof NotNumber) {
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

const PARALLEL_MIN_BYTES = 16 << 20;

/**
 * Room for the rows of buf[from, to): the byte count over the mean line length of the
 * first 256 KB, plus a quarter and 1024. Only a bound for the allocation: pages never
 * written are never touched, and a file with shorter lines later grows the columns.
 * (Counting every line feed costs a pass over the whole file.)
 */
function estimateRows(buf: Uint8Array, from: number, to: number): number {
  const end = Math.min(to, from + (256 << 10));
  let lines = 0;
  for (let i = buf.indexOf(LF, from); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) lines++;
  if (end >= to) return lines + 1;
  const perLine = (end - from) / Math.max(lines, 1);
  return Math.ceil(((to - from) / perLine) * 1.25) + 1024;
}

function wantParallel(p: boolean | 'auto'): boolean {
  if (p !== 'auto') return p;
  const cores = availableParallelism();
  if (cores < 2) return false;
  const others = othersRunning();
  return others !== null ? others <= cores - 2 : loadavg()[0] < cores - 1;
}

/**
 * Threads of other processes runnable right now (Linux: /proc/loadavg, 4th field
 * "running/total", less this process's own runnable threads from /proc/self/task), or null
 * elsewhere. An instant count: the 1-minute load average still remembers a busy minute (a
 * benchmark's previous run) after the machine went idle. This process's own threads are
 * not counted: V8's helper threads (concurrent GC and compilation) are often runnable for
 * a moment just then (4 of them after the file was read), and would turn the parallel
 * parse off on an idle machine.
 */
function othersRunning(): number | null {
  let running: number;
  try {
    running = Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[3]?.split('/')[0]);
  } catch {
    return null;
  }
  if (!Number.isFinite(running)) return null;
  let own = 1; // this thread (it is running)
  try {
    own = 0;
    for (const t of readdirSync('/proc/self/task')) {
      try {
        const st = readFileSync(`/proc/self/task/${t}/stat`, 'latin1');
        if (st[st.lastIndexOf(')') + 2] === 'R') own++;
      } catch { /* the thread ended */ }
    }
    own = Math.max(own, 1);
  } catch { own = 1; }
  return Math.max(running - own, 0);
}

/**
 * Large all-numeric files on shared memory: a worker thread scans the second half
 * while this thread scans the first, both straight into shared Float64Arrays (the
 * file must have been read into a SharedArrayBuffer, see readShared). Returns null
 * (and the caller parses serially, with full error reporting) whenever anything is
 * not plain: a text or quoted cell, a ragged row, a worker that cannot start.
 */
function parallelScan(buf: Uint8Array, start: number, n: number, delim: number, ncol: number): { cols: Float64Array[]; rows: number } | null {
  if (n - start < PARALLEL_MIN_BYTES || !(buf.buffer instanceof SharedArrayBuffer) || typeof Atomics.wait !== 'function') return null;
  // this thread takes 55%: the worker starts ~40 ms later (thread start-up) and its copy of
  // scanRows starts cold (measured on 2 cores, 68 MB: ~10% less wall time than halves)
  let split = buf.indexOf(10, start + Math.floor((n - start) * 0.55));
  if (split < 0) return null;
  split++;
  const firstCap = estimateRows(buf, start, split); // the worker's rows go after these; a half that overflows its room falls back to the serial parse
  const cap = firstCap + estimateRows(buf, split, n);
  const shared = Array.from({ length: ncol }, () => new SharedArrayBuffer(cap * 8));
  const cols = shared.map((b) => new Float64Array(b));
  const flag = new Int32Array(new SharedArrayBuffer(16));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE(), {
      eval: true,
      workerData: { buf: buf.buffer, offset: buf.byteOffset, length: buf.length, start: split, n, delim, ncol, cols: shared, row0: firstCap, cap, flag: flag.buffer },
    });
  } catch {
    return null;
  }
  worker.unref();
  worker.on('error', () => { Atomics.store(flag, 1, -1); Atomics.store(flag, 0, 1); Atomics.notify(flag, 0); });
  const mine = scanRows(buf, start, split, delim, ncol, new Uint8Array(ncol), cols, 0, firstCap);
  // wait for the worker (at most a minute: it scans half of what this thread scanned)
  if (Atomics.wait(flag, 0, 0, 60_000) === 'timed-out') { void worker.terminate(); return null; }
  const wStatus = flag[1], wRow = flag[2];
  void worker.terminate();
  if (mine.status !== 0 || wStatus !== 0) return null;
  const rowsMine = mine.row, rowsTheirs = wRow - firstCap;
  if (rowsMine < firstCap) for (const c of cols) c.copyWithin(rowsMine, firstCap, wRow);
  const rows = rowsMine + rowsTheirs;
  return { cols: cols.map((c) => c.subarray(0, rows)), rows };
}

const WORKER_SOURCE = () => `
const { workerData: d } = require('node:worker_threads');
const flag = new Int32Array(d.flag);
let st = { status: -1, row: 0 };
try {
  const scanRows = ${scanRows.toString()};
  st = scanRows(new Uint8Array(d.buf, d.offset, d.length), d.start, d.n, d.delim, d.ncol, new Uint8Array(d.ncol), d.cols.map((b) => new Float64Array(b)), d.row0, d.cap);
} finally {
  flag[1] = st.status; flag[2] = st.row;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
`;

/** Read a file into a SharedArrayBuffer (so that parseCsv can use both cores). */
export const readShared: (path: string) => Uint8Array = readWhole;

const EMPTY = new Float64Array(0);
const DONE = 0, TEXT = 1, RAGGED = 2, FULL = 3;
interface ScanState { status: number; pos: number; row: number; col: number }

/**
 * The hot loop: whole rows of plain numeric fields, parsed inline. Stops (status TEXT)
 * at the first field it does not handle itself (a text column, a quoted or unusual
 * number, NA), leaving `pos` at that field's start and `row`, `col` on it; the caller
 * parses the rest of that row and calls again.
 */
function scanRows(buf: Uint8Array, pos: number, n: number, delim: number, ncol: number, text: Uint8Array, num: Float64Array[], row: number, cap: number): ScanState {
  // self-contained (no outer names): its source also runs in the parsing worker
  const LF = 10, CR = 13, DONE = 0, TEXT = 1, RAGGED = 2, FULL = 3;
  const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
  while (pos < n) {
    let c = buf[pos];
    if (c === LF || c === CR) { pos++; continue; } // line end or blank line
    if (row >= cap) return { status: FULL, pos, row, col: 0 };
    // (no closures in here: a captured pos/row would live on the heap)
    for (let col = 0; col < ncol; col++) {
      if (text[col] === 1) return { status: TEXT, pos, row, col };
      const fieldStart = pos;
      c = buf[pos];
      let neg = false;
      if (c === 45) { neg = true; c = buf[++pos]; } else if (c === 43) c = buf[++pos];
      let mant = 0, exp10 = 0, d = c - 48;
      const intStart = pos;
      while (d >= 0 && d <= 9) { mant = mant * 10 + d; d = buf[++pos] - 48; }
      let digits = pos - intStart;
      if (d === -2) { // '.'
        const fracStart = ++pos;
        d = buf[pos] - 48;
        while (d >= 0 && d <= 9) { mant = mant * 10 + d; d = buf[++pos] - 48; }
        exp10 = fracStart - pos;
        digits += pos - fracStart;
      }
      c = buf[pos];
      let any = digits > 0;
      if (any && (c === 101 || c === 69)) {
        c = buf[++pos];
        let eneg = false, e = 0, eany = false;
        if (c === 45) { eneg = true; c = buf[++pos]; } else if (c === 43) c = buf[++pos];
        while (c >= 48 && c <= 57) { e = e * 10 + (c - 48); eany = true; c = buf[++pos]; }
        if (!eany) any = false;
        exp10 += eneg ? -e : e;
      }
      const endOk = pos >= n || c === delim || c === LF || c === CR;
      if (!any || !endOk || mant >= 9007199254740992 || exp10 > 22 || exp10 < -22) {
        return { status: TEXT, pos: fieldStart, row, col };
      }
      const v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
      num[col][row] = neg ? -v : v;
      if (col < ncol - 1) {
        if (c !== delim) return { status: RAGGED, pos, row, col: col + 1 };
        pos++;
      } else if (!(pos >= n || c === LF || c === CR)) {
        return { status: RAGGED, pos, row, col: ncol + 1 };
      }
    }
    row++;
    // consume the line end
    if (buf[pos] === CR) pos++;
    if (buf[pos] === LF) pos++;
  }
  return { status: DONE, pos, row, col: 0 };
}

function textToNumber(s: string): number | NotNumber {
  if (NA.has(s)) return NaN;
  // Number() accepts forms a CSV number should not be ("0x1f", "Infinity" is fine to refuse too)
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    if (s === 'Inf' || s === 'inf' || s === '-Inf' || s === '-inf') return s.startsWith('-') ? -Infinity : Infinity;
    return new NotNumber(s);
  }
  return Number(s);
}
