// The `matrix` port type: a dense n x n matrix over a list of unit ids (spatial weights),
// stored as a JSON header + raw little-endian float64s (8 bytes a cell, no JSON of numbers),
// exported as CSV with the ids as first row and column.
import { canonicalLenient } from '../graph/hash.js';
import { definePortType } from '../graph/ports.js';

/** A dense n x n matrix over a list of unit ids (spatial weights). Row-major. */
export interface IdMatrix {
  ids: string[];
  n: number;
  data: Float64Array;
  /** how it was built, e.g. { method: 'knn', k: 5, standardize: 'row' } */
  meta: Record<string, unknown>;
}

const MATRIX_MAGIC = 'FLOWMAT1';

export const matrixPort = definePortType<IdMatrix>({
  name: 'matrix',
  module: import.meta.url,
  check: (v) => {
    const m = v as IdMatrix;
    if (!m || !(m.data instanceof Float64Array) || !Array.isArray(m.ids)) return 'expected { ids, n, data: Float64Array, meta }';
    return m.data.length === m.n * m.n && m.ids.length === m.n ? undefined : `matrix data has ${m.data.length} cells and ${m.ids.length} ids for n = ${m.n}`;
  },
  encode: encodeMatrix,
  decode: decodeMatrix,
  exportText: (m) => {
    const rows = [['id', ...m.ids].map(csvCell).join(',')];
    for (let i = 0; i < m.n; i++) rows.push([csvCell(m.ids[i]), ...Array.from(m.data.subarray(i * m.n, (i + 1) * m.n), String)].join(','));
    return { ext: 'csv', text: rows.join('\n') + '\n' };
  },
});

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

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
