// The hot loop of the CSV reader: whole rows of plain numeric fields parsed straight into
// Float64Array columns (an integer mantissa <= 2^53 scaled by an exact power of ten is one
// correctly rounded IEEE operation, Clinger's fast path). The loop is generated for the
// file's layout (column count, which columns are text, the delimiter). For large files the
// columns are unrolled (up to UNROLL_MAX of them): each field's code knows its column,
// which takes 20-35% less CPU than a loop over the columns (the bench's 8-column, 688 MB
// file: 2.6-3.3 s against 4.2 s), but the longer function costs ~0.1 s more to compile
// and warm up on each thread, so smaller files keep the loop (68 MB: ~300 against ~400 ms
// in a fresh process). One template makes both shapes. The generated functions are self-contained, so the same
// source also runs on the kernel threads (csv-parallel.ts), as one kernel set per layout.
import type { KernelSet } from '../threads.js';

export const DONE = 0, TEXT = 1, RAGGED = 2, FULL = 3;
export interface ScanState { status: number; pos: number; row: number; col: number }

/**
 * Scan whole rows of plain numeric fields from buf[pos, n) into num (row `row` on, at most
 * `cap`). Stops (status TEXT) at the first field it does not handle itself (a text column,
 * a quoted or unusual number, NA), leaving `pos` at that field's start and `row`, `col` on
 * it; the caller parses the rest of that row and calls again. RAGGED: a row with fewer or
 * more fields (`col`: the count seen); FULL: no room for another row; DONE: the end.
 */
export type ScanRows = (buf: Uint8Array, pos: number, n: number, num: Float64Array[], row: number, cap: number) => ScanState;

/** What a layout's chunk task reads and writes: the file's bytes and the arena (shared), the chunks and their rooms. */
export interface ScanJob {
  buf: ArrayBufferLike; offset: number; length: number;
  arena: ArrayBufferLike; offsets: number[]; cap: number;
  /** chunk c: bytes starts[c] .. ends[c] (whole lines), rows from row0[c], room for room[c] */
  starts: number[]; ends: number[]; row0: number[]; room: number[];
  /** per chunk: scan status, rows */
  result: Int32Array;
}

export interface Scanner {
  scan: ScanRows;
  /** task c of the parallel scan: chunk c into its room (any thread) */
  chunk: (d: ScanJob, c: number) => void;
  /** both, for the kernel threads */
  kernels: KernelSet;
}

/** Files with more columns than this get the loop over columns (a function this long would not be optimised). */
export const UNROLL_MAX = 24;
/** Files smaller than this get the loop over columns (the unrolled code does not earn its warm-up back). */
export const UNROLL_MIN_BYTES = 128 << 20;
const scanners = new Map<string, Scanner>();

/** The scanner for a layout and a file size (generated once per layout and shape in this process). */
export function scannerFor(ncol: number, text: ArrayLike<number>, delim: number, bytes: number): Scanner {
  const flags = Array.from(text, (t) => (t ? 1 : 0));
  const unrolled = ncol <= UNROLL_MAX && bytes >= UNROLL_MIN_BYTES;
  const key = `${ncol}_${delim}_${flags.join('')}_${unrolled ? 'u' : 'l'}`;
  let s = scanners.get(key);
  if (!s) {
    const name = `scanRows_${key}`, chunkName = `scanChunk_${key}`;
    const source = scanSource(name, ncol, flags, delim, unrolled) + '\n' + chunkSource(chunkName, name);
    const fns = new Function(`${source}\nreturn [${name}, ${chunkName}];`)() as [ScanRows, Scanner['chunk']];
    const [scan, chunk] = fns;
    s = { scan, chunk, kernels: { id: `csv-${key}`, functions: { chunk, scan } } };
    scanners.set(key, s);
  }
  return s;
}

/** The code of one field: column `col` (a number when unrolled, else the loop variable), into `dst`. */
function fieldCode(col: string, dst: string, last: string, ncol: number, delim: number): string {
  return `
      fieldStart = pos;
      c = buf[pos];
      neg = false;
      if (c === 45) { neg = true; c = buf[++pos]; } else if (c === 43) c = buf[++pos];
      mant = 0; exp10 = 0; d = c - 48;
      intStart = pos;
      while (d >= 0 && d <= 9) { mant = mant * 10 + d; d = buf[++pos] - 48; }
      digits = pos - intStart;
      if (d === -2) { // '.'
        fracStart = ++pos;
        d = buf[pos] - 48;
        while (d >= 0 && d <= 9) { mant = mant * 10 + d; d = buf[++pos] - 48; }
        exp10 = fracStart - pos;
        digits += pos - fracStart;
      }
      c = buf[pos];
      any = digits > 0;
      if (any && (c === 101 || c === 69)) { // exponent
        c = buf[++pos];
        eneg = false; e = 0; eany = false;
        if (c === 45) { eneg = true; c = buf[++pos]; } else if (c === 43) c = buf[++pos];
        while (c >= 48 && c <= 57) { e = e * 10 + (c - 48); eany = true; c = buf[++pos]; }
        if (!eany) any = false;
        exp10 += eneg ? -e : e;
      }
      if (!any || !(pos >= n || c === ${delim} || c === 10 || c === 13) || mant >= 9007199254740992 || exp10 > 22 || exp10 < -22) {
        return { status: ${TEXT}, pos: fieldStart, row, col: ${col} };
      }
      v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
      ${dst}[row] = neg ? -v : v;
      if (${last}) {
        if (!(pos >= n || c === 10 || c === 13)) return { status: ${RAGGED}, pos, row, col: ${ncol + 1} };
      } else {
        if (c !== ${delim}) return { status: ${RAGGED}, pos, row, col: ${col} + 1 };
        pos++;
      }`;
}

function scanSource(name: string, ncol: number, flags: number[], delim: number, unrolled: boolean): string {
  let fields = '';
  if (unrolled) {
    for (let k = 0; k < ncol; k++) {
      fields += flags[k]
        ? `\n      return { status: ${TEXT}, pos, row, col: ${k} };`
        : fieldCode(String(k), `n${k}`, k === ncol - 1 ? 'true' : 'false', ncol, delim);
      if (flags[k]) break; // the rest of the row is the caller's
    }
  } else {
    fields = `
    for (let col = 0; col < ${ncol}; col++) {
      if (text[col] === 1) return { status: ${TEXT}, pos, row, col };
      const dst = num[col];${fieldCode('col', 'dst', `col === ${ncol - 1}`, ncol, delim)}
    }`;
  }
  return `function ${name}(buf, pos, n, num, row, cap) {
  const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
  ${unrolled ? flags.map((t, k) => (t ? '' : `const n${k} = num[${k}];`)).join(' ') : `const text = [${flags.join(',')}];`}
  let c, neg, mant, exp10, d, intStart, digits, fracStart, any, eneg, e, eany, v, fieldStart;
  while (pos < n) {
    c = buf[pos];
    if (c === 10 || c === 13) { pos++; continue; } // line end or blank line
    if (row >= cap) return { status: ${FULL}, pos, row, col: 0 };${fields}
    row++;
    if (buf[pos] === 13) pos++; // the line end
    if (buf[pos] === 10) pos++;
  }
  return { status: ${DONE}, pos, row, col: 0 };
}`;
}

function chunkSource(name: string, scan: string): string {
  return `function ${name}(d, c) {
  const cols = d.offsets.map((o) => new Float64Array(d.arena, o, d.cap));
  const st = ${scan}(new Uint8Array(d.buf, d.offset, d.length), d.starts[c], d.ends[c], cols, d.row0[c], d.row0[c] + d.room[c]);
  d.result[2 * c] = st.status;
  d.result[2 * c + 1] = st.row - d.row0[c];
}`;
}

/**
 * Room for the rows of buf[from, to): the byte count over the mean line length of the
 * first 256 KB, plus a quarter and 1024. Only a bound for the allocation: pages never
 * written are never touched, and a file with shorter lines later grows the columns.
 * (Counting every line feed costs a pass over the whole file.)
 */
export function estimateRows(buf: Uint8Array, from: number, to: number): number {
  const end = Math.min(to, from + (256 << 10));
  let lines = 0;
  for (let i = buf.indexOf(10, from); i >= 0 && i < end; i = buf.indexOf(10, i + 1)) lines++;
  if (end >= to) return lines + 1;
  const perLine = (end - from) / Math.max(lines, 1);
  return Math.ceil(((to - from) / perLine) * 1.25) + 1024;
}
