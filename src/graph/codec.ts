// Port values <-> bytes. Tables as Arrow IPC (arquero, loaded only when a table is
// encoded or decoded), matrices as a JSON header + raw little-endian float64s, the
// JSON-like types as canonical JSON (so equal values give byte-identical artifacts).
import type { PortType, IdMatrix } from './ports.js';
import { canonicalLenient } from './hash.js';
import { unreachable } from '../errors.js';

let aqPromise: Promise<typeof import('arquero')> | undefined;
const arquero = () => (aqPromise ??= import('arquero'));

const MATRIX_MAGIC = 'FLOWMAT1';

export async function encode(type: PortType, value: unknown): Promise<Uint8Array> {
  switch (type) {
    case 'table': {
      const t = value as { toArrowIPC?: (o?: unknown) => Uint8Array };
      if (!t || typeof t.toArrowIPC !== 'function') throw new TypeError('expected an arquero table (an object with toArrowIPC)');
      return t.toArrowIPC();
    }
    case 'matrix': return encodeMatrix(value as IdMatrix);
    case 'model': case 'models': case 'json': case 'report': {
      if (value === undefined) throw new TypeError('expected a JSON value, got undefined');
      return Buffer.from(canonicalLenient(value), 'utf8');
    }
    default: return unreachable(type);
  }
}

export async function decode(type: PortType, bytes: Uint8Array): Promise<unknown> {
  switch (type) {
    case 'table': return plainColumns(await arquero(), bytes);
    case 'matrix': return decodeMatrix(bytes);
    case 'model': case 'models': case 'json': case 'report':
      return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    default: return unreachable(type);
  }
}

const TYPED = [Float64Array, Float32Array, Int32Array, Int16Array, Int8Array, Uint32Array, Uint16Array, Uint8Array];

/**
 * A table from Arrow IPC whose numeric columns without nulls are plain typed arrays (views
 * of the bytes, no copy), as load-csv and the kernels make them. arquero's own Arrow-backed
 * columns answer `table.array()` / per-row reads by batch lookups: a node reading five
 * columns of a 1M-row table spent ~0.7 s there. Other columns (strings, dictionaries,
 * dates, columns with nulls) stay Arrow-backed. The values are the same either way.
 */
function plainColumns(aq: typeof import('arquero'), bytes: Uint8Array) {
  const t = aq.fromArrow(bytes);
  const names = t.columnNames();
  const cols: Record<string, unknown> = {};
  let typed = 0;
  for (const n of names) {
    const c = t.column(n) as unknown as { nullCount?: number; toArray?: () => unknown } | undefined;
    if (c && !ArrayBuffer.isView(c) && c.nullCount === 0 && typeof c.toArray === 'function') {
      const a = c.toArray();
      if (TYPED.some((T) => a instanceof T)) { cols[n] = a; typed++; continue; }
    }
    cols[n] = c;
  }
  return typed ? aq.table(cols as Record<string, ArrayLike<unknown>>, names) : t;
}

/** Checks the shape of a node's output before it is stored; returns a message or undefined. */
export function checkValue(type: PortType, v: any): string | undefined {
  switch (type) {
    case 'table': return v && typeof v.toArrowIPC === 'function' ? undefined : 'expected an arquero table';
    case 'matrix':
      if (!v || !(v.data instanceof Float64Array) || !Array.isArray(v.ids)) return 'expected { ids, n, data: Float64Array, meta }';
      return v.data.length === v.n * v.n && v.ids.length === v.n ? undefined : `matrix data has ${v.data.length} cells and ${v.ids.length} ids for n = ${v.n}`;
    case 'model': return v && typeof v === 'object' && !Array.isArray(v) ? undefined : 'expected a model object';
    case 'models': return Array.isArray(v) ? undefined : 'expected an array of models';
    case 'json': return v === undefined ? 'expected a JSON value, got undefined' : undefined;
    case 'report': return v && typeof v === 'object' && typeof v.files === 'object' ? undefined : 'expected { title, files, parts }';
    default: return unreachable(type);
  }
}

function encodeMatrix(m: IdMatrix): Uint8Array {
  const header = Buffer.from(canonicalLenient({ ids: m.ids, n: m.n, meta: m.meta ?? {} }), 'utf8');
  const pad = (8 - ((MATRIX_MAGIC.length + 4 + header.length) % 8)) % 8;
  const out = Buffer.alloc(MATRIX_MAGIC.length + 4 + header.length + pad + m.data.length * 8);
  out.write(MATRIX_MAGIC, 0, 'latin1');
  out.writeUInt32LE(header.length + pad, MATRIX_MAGIC.length);
  header.copy(out, MATRIX_MAGIC.length + 4);
  out.fill(0x20, MATRIX_MAGIC.length + 4 + header.length, MATRIX_MAGIC.length + 4 + header.length + pad);
  const off = MATRIX_MAGIC.length + 4 + header.length + pad;
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < m.data.length; i++) dv.setFloat64(off + i * 8, m.data[i], true);
  return out;
}

function decodeMatrix(bytes: Uint8Array): IdMatrix {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, MATRIX_MAGIC.length) !== MATRIX_MAGIC) throw new Error('not a flow matrix artifact');
  const hlen = buf.readUInt32LE(MATRIX_MAGIC.length);
  const off = MATRIX_MAGIC.length + 4;
  const header = JSON.parse(buf.toString('utf8', off, off + hlen));
  const n = header.n as number;
  const data = new Float64Array(n * n);
  const dv = new DataView(buf.buffer, buf.byteOffset + off + hlen, n * n * 8);
  for (let i = 0; i < data.length; i++) data[i] = dv.getFloat64(i * 8, true);
  return { ids: header.ids, n, data, meta: header.meta };
}

/** CSV/JSON text written by `flow run --out` for one output. */
export async function exportText(type: PortType, value: any): Promise<{ ext: string; text: string }> {
  switch (type) {
    case 'table': return { ext: 'csv', text: value.toCSV().replace(/\n?$/, '\n') };
    case 'matrix': {
      const m = value as IdMatrix;
      const rows = [['id', ...m.ids].map(csvCell).join(',')];
      for (let i = 0; i < m.n; i++) rows.push([csvCell(m.ids[i]), ...Array.from(m.data.subarray(i * m.n, (i + 1) * m.n), String)].join(','));
      return { ext: 'csv', text: rows.join('\n') + '\n' };
    }
    case 'model': case 'models': case 'json': case 'report':
      return { ext: 'json', text: JSON.stringify(value, null, 2) + '\n' };
    default: return unreachable(type);
  }
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
