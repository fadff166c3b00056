// Writing Stata .dta files (formats 117, 118, 119; format.ts): for `flow export` (the data
// a model used, beside its Stata do-file) and for test fixtures. Written LSF, sections in
// the documented order with the 14-offset map filled in. Numbers as double unless a
// column is given another numeric type; NaN as "."; text as str# (the longest value's
// byte length) or strL beyond 2045 bytes; value labels as <lbl> tables. The output is a
// pure function of the input (no timestamp unless one is given).
import { LAYOUT, TYPE, MAX_STRF, DOT, DEFAULT_FORMAT, RESERVED, MIN_NONMISSING, MAX_NONMISSING, type DtaVersion, type NumericType } from './format.js';
import { DtaError } from './read.js';

export interface DtaColumn {
  name: string;
  values: Float64Array | ArrayLike<number> | readonly (string | null)[];
  /** numeric storage type (default double); ignored for text */
  type?: NumericType;
  label?: string;
  /** value label: value -> text (written as a <lbl> named after the variable unless `valueLabelName`) */
  valueLabels?: ReadonlyMap<number, string> | Record<number, string>;
  valueLabelName?: string;
}

export interface DtaWriteOptions {
  version?: DtaVersion;
  label?: string;
  /** "dd Mon yyyy hh:mm" (17 characters), or none */
  timestamp?: string;
}

const MSG = {
  name: (n: string, why: string) => `column "${n}" cannot be a Stata variable name (${why}): rename it (the rename node, or stataName() when exporting)`,
  duplicate: (n: string) => `two columns are named "${n}" (Stata names are compared as written): rename one`,
  range: (n: string, type: string, row: number, v: number) => `column "${n}" row ${row + 1} holds ${v}, which a Stata ${type} cannot store: use a wider type (double)`,
  ascii117: (n: string) => `column "${n}" has text that is not ASCII: format 117 stores ASCII only; write format 118 (the default)`,
  labelLong: (what: string, max: number) => `${what} is longer than ${max} bytes: shorten it`,
  timestamp: (t: string) => `timestamp "${t}" must be 17 characters, "dd Mon yyyy hh:mm" (e.g. "10 Mar 2017 14:23")`,
  tooMany: (k: number, max: number, v: number) => `${k} variables: format ${v} holds at most ${max}; write format 119`,
  labelValue: (n: string, v: number) => `value label of "${n}": ${v} is not a whole number in the long range (Stata labels integers only)`,
} as const;

const NAME_RE = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const ASCII_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why a name is not a valid Stata variable name, or null. */
export function stataNameProblem(name: string, version: DtaVersion = 118): string | null {
  if (name.length === 0) return 'empty';
  if ([...name].length > 32) return 'more than 32 characters';
  if (!(version === 117 ? ASCII_NAME_RE : NAME_RE).test(name)) return `letters${version === 117 ? ' (ASCII)' : ''}, digits and _ only, not starting with a digit`;
  if (RESERVED.has(name) || /^str\d+$/.test(name)) return 'a word Stata reserves';
  return null;
}

/** A valid, unique Stata name for each column name (invalid characters become _, cut to 32, de-duplicated). */
export function stataNames(names: readonly string[]): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    let s = [...n.replace(/[^\p{L}\p{N}_]/gu, '_')].slice(0, 32).join('') || 'v';
    if (!/^[\p{L}_]/u.test(s)) s = `_${s}`.slice(0, 32);
    if (RESERVED.has(s) || /^str\d+$/.test(s)) s = `${s}_`.slice(0, 32);
    let out = s, k = 2;
    while (used.has(out)) out = `${[...s].slice(0, 32 - String(k).length - 1).join('')}_${k++}`;
    used.add(out);
    return out;
  });
}

/** A growing little-endian byte buffer. */
class Out {
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  len = 0;
  private grow(n: number) {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  ascii(s: string) { this.bytes(Buffer.from(s, 'latin1')); }
  bytes(b: Uint8Array) { this.grow(b.length); this.buf.set(b, this.len); this.len += b.length; }
  /** b in a field of `width` bytes, \0-padded */
  field(b: Uint8Array, width: number) { this.grow(width); this.buf.fill(0, this.len, this.len + width); this.buf.set(b.subarray(0, width), this.len); this.len += width; }
  u8(v: number) { this.grow(1); this.buf[this.len++] = v; }
  u16(v: number) { this.grow(2); this.dv.setUint16(this.len, v, true); this.len += 2; }
  u32(v: number) { this.grow(4); this.dv.setUint32(this.len, v, true); this.len += 4; }
  i32(v: number) { this.grow(4); this.dv.setInt32(this.len, v, true); this.len += 4; }
  u64(v: number) { this.grow(8); this.dv.setBigUint64(this.len, BigInt(v), true); this.len += 8; }
  uint(v: number, n: number) { if (n === 1) this.u8(v); else if (n === 2) this.u16(v); else if (n === 4) this.u32(v); else this.u64(v); }
  /** an unsigned integer in n <= 6 bytes, little-endian (the (v,o) parts) */
  uintN(v: number, n: number) { this.grow(n); for (let i = 0; i < n; i++) this.buf[this.len++] = Math.floor(v / 2 ** (8 * i)) & 0xff; }
  f64(v: number) { this.grow(8); this.dv.setFloat64(this.len, v, true); this.len += 8; }
  f32(v: number) { this.grow(4); this.dv.setFloat32(this.len, v, true); this.len += 4; }
  i16(v: number) { this.grow(2); this.dv.setInt16(this.len, v, true); this.len += 2; }
  i8(v: number) { this.grow(1); this.dv.setInt8(this.len, v); this.len += 1; }
  setU64(at: number, v: number) { this.dv.setBigUint64(at, BigInt(v), true); }
  result() { return this.buf.slice(0, this.len); }
}

const isText = (v: DtaColumn['values']): v is readonly (string | null)[] => !ArrayBuffer.isView(v) && Array.prototype.some.call(v, (x: unknown) => typeof x === 'string');
/** a numeric cell: null / undefined as NaN */
const numAt = (v: DtaColumn['values'], r: number): number => { const a = (v as ArrayLike<number | null>)[r]; return a === null || a === undefined ? NaN : a; };

interface Prepared { col: DtaColumn; kind: 'num' | 'str' | 'strL'; type: NumericType; width: number; text?: (Uint8Array | null)[] }

function prepare(cols: readonly DtaColumn[], version: DtaVersion): Prepared[] {
  const L = LAYOUT[version];
  const seen = new Set<string>();
  return cols.map((col) => {
    const why = stataNameProblem(col.name, version);
    if (why) throw new DtaError(MSG.name(col.name, why));
    if (seen.has(col.name)) throw new DtaError(MSG.duplicate(col.name));
    seen.add(col.name);
    const v = col.values;
    if (isText(v)) {
      const text = Array.from(v, (s) => (s === null || s === undefined || s === '' ? null : Buffer.from(String(s), 'utf8')));
      if (!L.utf8 && text.some((b) => b && b.some((x) => x > 127))) throw new DtaError(MSG.ascii117(col.name));
      const w = Math.max(1, ...text.map((b) => b?.length ?? 0));
      return w > MAX_STRF ? { col, kind: 'strL', type: 'double', width: 8, text } : { col, kind: 'str', type: 'double', width: w, text };
    }
    const type = col.type ?? 'double';
    for (let r = 0; r < v.length; r++) {
      const a = numAt(v, r);
      if (a !== a) continue;
      const bad = type === 'double' ? a > MAX_NONMISSING.double || a === -Infinity
        : type === 'float' ? Math.abs(a) > MAX_NONMISSING.float
          : !Number.isInteger(a) || a < MIN_NONMISSING[type] || a > MAX_NONMISSING[type];
      if (bad) throw new DtaError(MSG.range(col.name, type, r, a));
    }
    return { col, kind: 'num', type, width: type === 'double' ? 8 : type === 'byte' ? 1 : type === 'int' ? 2 : 4 };
  });
}

/** The bytes of a .dta file with these columns (all of the same length). */
export function writeDta(cols: readonly DtaColumn[], opts: DtaWriteOptions = {}): Uint8Array {
  const version = opts.version ?? 118;
  const L = LAYOUT[version];
  const K = cols.length;
  const maxK = L.kBytes === 2 ? 32767 : 120000;
  if (K > maxK) throw new DtaError(MSG.tooMany(K, maxK, version));
  const N = cols.length ? cols[0].values.length : 0;
  const P = prepare(cols, version);
  const str = (s: string) => Buffer.from(s, 'utf8');
  const label = str(opts.label ?? '');
  if (label.length > (L.utf8 ? 320 : 80)) throw new DtaError(MSG.labelLong('the dataset label', L.utf8 ? 320 : 80));
  const ts = opts.timestamp ?? '';
  if (ts !== '' && ts.length !== 17) throw new DtaError(MSG.timestamp(ts));

  const o = new Out();
  const map: number[] = [];
  o.ascii('<stata_dta>');
  map.push(0);
  o.ascii('<header>');
  o.ascii(`<release>${version}</release><byteorder>LSF</byteorder>`);
  o.ascii('<K>'); o.uint(K, L.kBytes); o.ascii('</K>');
  o.ascii('<N>'); o.uint(N, L.nBytes); o.ascii('</N>');
  o.ascii('<label>'); o.uint(label.length, L.labelLenBytes); o.bytes(label); o.ascii('</label>');
  o.ascii('<timestamp>'); o.u8(ts.length); o.ascii(ts); o.ascii('</timestamp>');
  o.ascii('</header>');
  map.push(o.len);
  o.ascii('<map>');
  const mapAt = o.len;
  for (let i = 0; i < 14; i++) o.u64(0);
  o.ascii('</map>');
  map.push(o.len);
  o.ascii('<variable_types>');
  for (const p of P) o.u16(p.kind === 'strL' ? TYPE.strL : p.kind === 'str' ? p.width : TYPE[p.type]);
  o.ascii('</variable_types>');
  map.push(o.len);
  o.ascii('<varnames>');
  for (const p of P) o.field(str(p.col.name), L.nameBytes);
  o.ascii('</varnames>');
  map.push(o.len);
  o.ascii('<sortlist>');
  for (let i = 0; i <= K; i++) o.uint(0, L.sortBytes);
  o.ascii('</sortlist>');
  map.push(o.len);
  o.ascii('<formats>');
  for (const p of P) o.field(str(p.kind === 'num' ? DEFAULT_FORMAT[p.type] : `%${p.kind === 'str' ? Math.max(9, p.width) : 9}s`), L.formatBytes);
  o.ascii('</formats>');
  map.push(o.len);
  o.ascii('<value_label_names>');
  const lblName = (p: Prepared) => (p.col.valueLabels ? p.col.valueLabelName ?? p.col.name : '');
  for (const p of P) o.field(str(lblName(p)), L.nameBytes);
  o.ascii('</value_label_names>');
  map.push(o.len);
  o.ascii('<variable_labels>');
  for (const p of P) {
    const b = str(p.col.label ?? '');
    if (b.length >= L.varLabelBytes) throw new DtaError(MSG.labelLong(`the label of "${p.col.name}"`, L.varLabelBytes - 1));
    o.field(b, L.varLabelBytes);
  }
  o.ascii('</variable_labels>');
  map.push(o.len);
  o.ascii('<characteristics></characteristics>');
  map.push(o.len);
  o.ascii('<data>');
  const vBytes = L.voVBytes, oBytes = 8 - L.voVBytes;
  for (let r = 0; r < N; r++) {
    for (let j = 0; j < K; j++) {
      const p = P[j];
      if (p.kind === 'num') {
        const a = numAt(p.col.values, r);
        const nan = a !== a;
        switch (p.type) {
          case 'double': if (nan) { o.u32(0); o.u32(DOT.doubleHi); } else o.f64(a); break;
          case 'float': if (nan) o.u32(DOT.floatBits); else o.f32(a); break;
          case 'long': o.i32(nan ? DOT.long : a); break;
          case 'int': o.i16(nan ? DOT.int : a); break;
          case 'byte': o.i8(nan ? DOT.byte : a); break;
        }
      } else if (p.kind === 'str') {
        o.field(p.text![r] ?? new Uint8Array(0), p.width);
      } else if (p.text![r]) { o.uintN(j + 1, vBytes); o.uintN(r + 1, oBytes); } else { o.uintN(0, 8); }
    }
  }
  o.ascii('</data>');
  map.push(o.len);
  o.ascii('<strls>');
  for (let r = 0; r < N; r++) for (let j = 0; j < K; j++) {
    const p = P[j];
    const b = p.kind === 'strL' ? p.text![r] : null;
    if (!b) continue;
    o.ascii('GSO'); o.u32(j + 1); o.uint(r + 1, L.gsoOBytes); o.u8(130); o.u32(b.length + 1); o.bytes(b); o.u8(0);
  }
  o.ascii('</strls>');
  map.push(o.len);
  o.ascii('<value_labels>');
  for (const p of P) if (p.col.valueLabels) writeLabel(o, lblName(p), p.col, L.nameBytes);
  o.ascii('</value_labels>');
  map.push(o.len);
  o.ascii('</stata_dta>');
  map.push(o.len);
  map.forEach((at, i) => o.setU64(mapAt + 8 * i, at));
  return o.result();
}

function writeLabel(o: Out, name: string, col: DtaColumn, nameBytes: number) {
  const src = col.valueLabels!;
  const entries = (src instanceof Map ? [...src.entries()] : Object.entries(src).map(([k, v]) => [Number(k), v] as [number, string]))
    .sort((a, b) => a[0] - b[0]);
  for (const [v] of entries) if (!Number.isInteger(v) || v < MIN_NONMISSING.long || v > MAX_NONMISSING.long) throw new DtaError(MSG.labelValue(col.name, v));
  const texts = entries.map(([, t]) => Buffer.from(t, 'utf8'));
  const txtlen = texts.reduce((s, b) => s + b.length + 1, 0);
  const n = entries.length;
  o.ascii('<lbl>');
  o.i32(8 + 8 * n + txtlen);
  o.field(Buffer.from(name, 'utf8'), nameBytes);
  o.bytes(new Uint8Array(3));
  o.i32(n); o.i32(txtlen);
  let off = 0;
  for (const b of texts) { o.i32(off); off += b.length + 1; }
  for (const [v] of entries) o.i32(v);
  for (const b of texts) { o.bytes(b); o.u8(0); }
  o.ascii('</lbl>');
}
