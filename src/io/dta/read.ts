// Reading Stata .dta files, formats 117, 118 and 119 (format.ts; StataCorp's `help dta`).
// Hand-written: no npm package reads these formats (the JavaScript Stata readers handle
// the pre-2013 binary formats or none), and the format is a documented sequence of tagged
// sections of fixed-width fields. Numbers come out as Float64Array with every missing
// code (., .a, ..., .z) as NaN; strings as text with "" as null; value labels as a table
// per label name. Any deviation from the layout is an error naming the byte offset.
import iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { LAYOUT, DTA_VERSIONS, TYPE, MAX_STRF, MAX_NONMISSING, type DtaLayout, type DtaVersion, type NumericType } from './format.js';

export class DtaError extends Error {}

export interface DtaVariable {
  name: string;
  /** 'str' (str#), 'strL' or a numeric type */
  type: NumericType | 'str' | 'strL';
  /** str#: the declared width */
  width?: number;
  format: string;
  /** name of the value label attached ('' for none) */
  valueLabel: string;
  label: string;
}

export interface DtaFile {
  version: DtaVersion;
  byteOrder: 'LSF' | 'MSF';
  label: string;
  timestamp: string;
  nObs: number;
  variables: DtaVariable[];
  /** one per variable, in order */
  columns: (Float64Array | (string | null)[])[];
  /** value label name -> (value -> text) */
  valueLabels: Map<string, Map<number, string>>;
}

export interface DtaReadOptions {
  /** how the strings of a format-117 file are decoded (118/119 are UTF-8): default UTF-8 if valid, else GB18030, else Latin-1 */
  encoding117?: 'utf-8' | 'gbk' | 'gb18030' | 'latin1';
}

const MSG = {
  negInf: (r: number, name: string) => `observation ${r + 1}, variable "${name}" holds -inf, which is not a finite number (nor a Stata missing value): fix the value, or replace it by . if it is missing`,
  notDta: (head: string) => `not a Stata .dta file (it starts with ${head}): check "path"`,
  oldFormat: (v: number) =>
    `a .dta file of format ${v} (Stata 12 or older); flow reads formats 117, 118 and 119: in Stata, "use" it and "save" it again (Stata 14+ writes 118), or in R: haven::write_dta(haven::read_dta(f), f2)`,
  unsupported: (v: string) =>
    `a .dta file of format ${v}; flow reads formats 117 (Stata 13), 118 (Stata 14-18) and 119: in Stata, "saveold <file>, version(14)" writes 118`,
  tag: (tag: string, at: number, got: string) => `expected "${tag}" at byte ${at} but found ${got}: the file is truncated or not a valid .dta file`,
  truncated: (at: number, n: number) => `the file ends at byte ${at}, inside a field of ${n} bytes: it is truncated`,
  byteOrder: (got: string) => `byte order "${got}" is neither LSF nor MSF: the file is not a valid .dta file`,
  type: (v: number, code: number) => `variable ${v} has type code ${code}, which no .dta format defines: the file is not a valid .dta file`,
  size: (need: number, have: number) => `the header declares ${need} bytes of data but the file has ${have} after the header: it is truncated`,
  strl: (vo: string, what: string) => `strL (v,o) = (${vo}) ${what}: the file is not a valid .dta file`,
} as const;

/** A cursor over the file's bytes, honouring its byte order. */
class Cursor {
  pos = 0;
  private dv: DataView;
  le = true;
  constructor(readonly buf: Uint8Array) { this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength); }
  need(n: number) { if (this.pos + n > this.buf.length) throw new DtaError(MSG.truncated(this.pos, n)); }
  tag(t: string) {
    if (this.pos + t.length > this.buf.length) throw new DtaError(MSG.tag(t, this.pos, 'the end of the file'));
    const got = this.ascii(t.length);
    if (got !== t) throw new DtaError(MSG.tag(t, this.pos - t.length, JSON.stringify(got)));
  }
  peek(t: string) { return this.pos + t.length <= this.buf.length && latin1(this.buf.subarray(this.pos, this.pos + t.length)) === t; }
  ascii(n: number) { this.need(n); const s = latin1(this.buf.subarray(this.pos, this.pos + n)); this.pos += n; return s; }
  bytes(n: number) { this.need(n); const b = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return b; }
  u8() { this.need(1); return this.buf[this.pos++]; }
  u16() { this.need(2); const v = this.dv.getUint16(this.pos, this.le); this.pos += 2; return v; }
  u32() { this.need(4); const v = this.dv.getUint32(this.pos, this.le); this.pos += 4; return v; }
  i32() { this.need(4); const v = this.dv.getInt32(this.pos, this.le); this.pos += 4; return v; }
  u64() { this.need(8); const v = this.dv.getBigUint64(this.pos, this.le); this.pos += 8; return Number(v); }
  uint(n: number) { return n === 1 ? this.u8() : n === 2 ? this.u16() : n === 4 ? this.u32() : this.u64(); }
  /** an unsigned integer of n <= 6 bytes (the (v,o) parts of 5.11.1) */
  uintN(n: number) {
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v += this.buf[this.pos + (this.le ? i : n - 1 - i)] * 2 ** (8 * i);
    this.pos += n;
    return v;
  }
  view() { return this.dv; }
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** A \0-terminated string in a fixed field (or the whole field). */
function cstr(b: Uint8Array, decode: (b: Uint8Array) => string): string {
  const z = b.indexOf(0);
  return decode(z < 0 ? b : b.subarray(0, z));
}

function decoder(layout: DtaLayout, enc: DtaReadOptions['encoding117']): (b: Uint8Array) => string {
  const utf8 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  if (layout.utf8 || enc === 'utf-8') return utf8;
  if (enc === 'gbk' || enc === 'gb18030') return (b) => iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), enc);
  if (enc === 'latin1') return latin1;
  // 117 without a declared encoding: per string, UTF-8 when valid, else GB18030 when it decodes cleanly, else Latin-1
  return (b) => {
    if (isUtf8(b)) return utf8(b);
    const g = iconv.decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), 'gb18030');
    return g.includes('\ufffd') ? latin1(b) : g;
  };
}

function readRelease(c: Cursor): DtaVersion {
  if (!c.peek('<stata_dta>')) {
    const first = c.buf[0];
    if (c.buf.length > 0 && first >= 102 && first <= 116) throw new DtaError(MSG.oldFormat(first));
    throw new DtaError(MSG.notDta(JSON.stringify(latin1(c.buf.subarray(0, 12)))));
  }
  c.tag('<stata_dta>'); c.tag('<header>'); c.tag('<release>');
  const rel = c.ascii(3);
  c.tag('</release>');
  const v = Number(rel) as DtaVersion;
  if (!DTA_VERSIONS.includes(v)) throw new DtaError(MSG.unsupported(rel));
  return v;
}

/** Parse a .dta file. Throws DtaError (the caller names the file). */
export function readDta(buf: Uint8Array, opts: DtaReadOptions = {}): DtaFile {
  const c = new Cursor(buf);
  const version = readRelease(c);
  const L = LAYOUT[version];
  const dec = decoder(L, opts.encoding117);
  c.tag('<byteorder>');
  const bo = c.ascii(3);
  if (bo !== 'LSF' && bo !== 'MSF') throw new DtaError(MSG.byteOrder(bo));
  c.le = bo === 'LSF';
  c.tag('</byteorder>');
  c.tag('<K>'); const K = c.uint(L.kBytes); c.tag('</K>');
  c.tag('<N>'); const N = c.uint(L.nBytes); c.tag('</N>');
  c.tag('<label>'); const label = dec(c.bytes(c.uint(L.labelLenBytes))); c.tag('</label>');
  c.tag('<timestamp>'); const timestamp = c.ascii(c.u8()); c.tag('</timestamp>');
  c.tag('</header>');
  // the map (5.2) is not needed to read the file sequentially; its 14 offsets are skipped
  c.tag('<map>'); c.bytes(14 * 8); c.tag('</map>');

  c.tag('<variable_types>');
  const codes = Array.from({ length: K }, () => c.u16());
  c.tag('</variable_types>');
  const types = codes.map((code, i): Pick<DtaVariable, 'type' | 'width'> => {
    if (code >= 1 && code <= MAX_STRF) return { type: 'str', width: code };
    switch (code) {
      case TYPE.strL: return { type: 'strL' };
      case TYPE.double: return { type: 'double' };
      case TYPE.float: return { type: 'float' };
      case TYPE.long: return { type: 'long' };
      case TYPE.int: return { type: 'int' };
      case TYPE.byte: return { type: 'byte' };
      default: throw new DtaError(MSG.type(i + 1, code));
    }
  });
  const fixed = (tag: string, width: number) => {
    c.tag(`<${tag}>`);
    const out = Array.from({ length: K }, () => cstr(c.bytes(width), dec));
    c.tag(`</${tag}>`);
    return out;
  };
  const names = fixed('varnames', L.nameBytes);
  c.tag('<sortlist>'); c.bytes((K + 1) * L.sortBytes); c.tag('</sortlist>');
  const formats = fixed('formats', L.formatBytes);
  const labelNames = fixed('value_label_names', L.nameBytes);
  const varLabels = fixed('variable_labels', L.varLabelBytes);
  c.tag('<characteristics>');
  while (c.peek('<ch>')) { c.tag('<ch>'); c.bytes(c.u32()); c.tag('</ch>'); } // skipped, as 5.9 advises
  c.tag('</characteristics>');
  const variables: DtaVariable[] = names.map((name, i) => ({ name, ...types[i], format: formats[i], valueLabel: labelNames[i], label: varLabels[i] }));

  const { columns, strl } = readData(c, variables, N, L, dec);
  readStrls(c, strl, columns, L, dec);
  const valueLabels = readValueLabels(c, L, dec);
  c.tag('</stata_dta>');
  return { version, byteOrder: bo, label, timestamp, nObs: N, variables, columns, valueLabels };
}

const width = (v: DtaVariable) => (v.type === 'str' ? v.width! : v.type === 'strL' ? 8 : v.type === 'double' ? 8 : v.type === 'byte' ? 1 : v.type === 'int' ? 2 : 4);

interface StrlRef { col: number; row: number; at: number }

function readData(c: Cursor, vars: DtaVariable[], N: number, L: DtaLayout, dec: (b: Uint8Array) => string) {
  c.tag('<data>');
  const rowBytes = vars.reduce((s, v) => s + width(v), 0);
  const have = c.buf.length - c.pos;
  if (rowBytes * N > have) throw new DtaError(MSG.size(rowBytes * N, have));
  const columns = vars.map((v) => (v.type === 'str' || v.type === 'strL' ? new Array<string | null>(N).fill(null) : new Float64Array(N)));
  const strl: StrlRef[] = [];
  const dv = c.view();
  const le = c.le;
  const offs: number[] = [];
  vars.reduce((o, v) => (offs.push(o), o + width(v)), 0);
  const start = c.pos;
  for (let j = 0; j < vars.length; j++) {
    const v = vars[j];
    const col = columns[j];
    for (let r = 0; r < N; r++) {
      const at = start + r * rowBytes + offs[j];
      switch (v.type) {
        // above the largest value (+inf included) is a missing code; -inf is no Stata value: refused
        case 'double': { const x = dv.getFloat64(at, le); if (x === -Infinity) throw new DtaError(MSG.negInf(r, v.name)); (col as Float64Array)[r] = x > MAX_NONMISSING.double || x !== x ? NaN : x; break; }
        case 'float': { const x = dv.getFloat32(at, le); if (x === -Infinity) throw new DtaError(MSG.negInf(r, v.name)); (col as Float64Array)[r] = x > MAX_NONMISSING.float || x !== x ? NaN : x; break; }
        case 'long': { const x = dv.getInt32(at, le); (col as Float64Array)[r] = x > MAX_NONMISSING.long ? NaN : x; break; }
        case 'int': { const x = dv.getInt16(at, le); (col as Float64Array)[r] = x > MAX_NONMISSING.int ? NaN : x; break; }
        case 'byte': { const x = dv.getInt8(at); (col as Float64Array)[r] = x > MAX_NONMISSING.byte ? NaN : x; break; }
        case 'str': { const s = cstr(c.buf.subarray(at, at + v.width!), dec); (col as (string | null)[])[r] = s === '' ? null : s; break; }
        case 'strL': {
          let zero = true;
          for (let b = 0; b < 8; b++) if (c.buf[at + b] !== 0) { zero = false; break; }
          if (!zero) strl.push({ col: j, row: r, at }); // (v,o) = (0,0) is ""
          break;
        }
      }
    }
  }
  c.pos = start + rowBytes * N;
  c.tag('</data>');
  return { columns, strl };
}

function readStrls(c: Cursor, refs: StrlRef[], columns: (Float64Array | (string | null)[])[], L: DtaLayout, dec: (b: Uint8Array) => string) {
  c.tag('<strls>');
  const gso = new Map<string, string>();
  while (c.peek('GSO')) {
    c.tag('GSO');
    const v = c.u32(), o = c.uint(L.gsoOBytes), t = c.u8(), len = c.u32();
    const body = c.bytes(len);
    // t = 130: text with a trailing \0 (counted in len); t = 129: the bytes as they are
    gso.set(`${v},${o}`, dec(t === 130 && body[len - 1] === 0 ? body.subarray(0, len - 1) : body));
  }
  c.tag('</strls>');
  const vo = (r: StrlRef, vBytes: number) => { c.pos = r.at; const v = c.uintN(vBytes); return `${v},${c.uintN(8 - vBytes)}`; };
  const end = c.pos;
  let vBytes: number = L.voVBytes;
  // 119 splits (v,o) 3 + 5 bytes (help dta_119, 5.11.1); ReadStat (haven, pandas' readers of
  // its files) writes 119 with the 118 split 2 + 6. Read such a file too when that resolves.
  if (vBytes === 3 && refs.some((r) => !gso.has(vo(r, 3))) && refs.every((r) => gso.has(vo(r, 2)))) vBytes = 2;
  for (const r of refs) {
    const key = vo(r, vBytes);
    const s = gso.get(key);
    if (s === undefined) throw new DtaError(MSG.strl(key, `in variable ${r.col + 1}, observation ${r.row + 1} has no GSO`));
    (columns[r.col] as (string | null)[])[r.row] = s === '' ? null : s;
  }
  c.pos = end;
}

function readValueLabels(c: Cursor, L: DtaLayout, dec: (b: Uint8Array) => string): Map<string, Map<number, string>> {
  c.tag('<value_labels>');
  const out = new Map<string, Map<number, string>>();
  while (c.peek('<lbl>')) {
    c.tag('<lbl>');
    const len = c.i32();
    const name = cstr(c.bytes(L.nameBytes), dec);
    c.bytes(3); // padding
    const end = c.pos + len;
    const n = c.i32(), txtlen = c.i32();
    const off = Array.from({ length: n }, () => c.i32());
    const val = Array.from({ length: n }, () => c.i32());
    const txt = c.bytes(txtlen);
    const map = new Map<number, string>();
    for (let i = 0; i < n; i++) map.set(val[i], cstr(txt.subarray(off[i]), dec));
    out.set(name, map);
    c.pos = end;
    c.tag('</lbl>');
  }
  c.tag('</value_labels>');
  return out;
}
