// The `matrix` port type: spatial weights over a list of unit ids, dense (n x n, row-major)
// or sparse (compressed rows: memory linear in the non-zeros, for county-scale kNN and
// cut-off W). Stored as a JSON header + raw little-endian numbers (no JSON of numbers):
//   dense  'FLOWMAT1' header { ids, n, meta } then n^2 float64 (unchanged since issue 4, so
//          keys and results of dense W stay what they were);
//   sparse 'FLOWSPM1' header { ids, n, nnz, meta } then rowPtr (n+1 int32), col (nnz int32),
//          padding to 8 bytes, val (nnz float64).
// Exported as CSV: dense as a full matrix with the ids as first row and column; sparse as
// `i,j,w` triplets of ids (what load-matrix reads back).
import { canonicalLenient } from '../graph/hash.js';
import { definePortType } from '../graph/ports.js';

/** Compressed sparse rows: row i holds col[rowPtr[i]..rowPtr[i+1]) (ascending) and val. */
export interface SparseRows {
  n: number;
  rowPtr: Int32Array;
  col: Int32Array;
  val: Float64Array;
}

/**
 * Spatial weights over a list of unit ids: exactly one of `data` (dense n x n, row-major)
 * and `sparse` (compressed rows) is set. Read it through matrixRows / denseData.
 */
export interface IdMatrix {
  ids: string[];
  n: number;
  data?: Float64Array;
  sparse?: SparseRows;
  /** how it was built, e.g. { method: 'knn', k: 5, standardize: 'row' } */
  meta: Record<string, unknown>;
}

/** The matrix as compressed rows (a dense one is compressed: O(n^2) once). */
export function matrixRows(m: IdMatrix): SparseRows {
  if (m.sparse) return m.sparse;
  return denseToRows(m.data!, m.n);
}

/** The matrix as a dense row-major array (a sparse one is expanded: n^2 doubles). */
export function denseData(m: IdMatrix): Float64Array {
  if (m.data) return m.data;
  const { n, rowPtr, col, val } = m.sparse!;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) out[i * n + col[p]] = val[p];
  return out;
}

/** Non-zeros of the matrix. */
export function matrixNnz(m: IdMatrix): number {
  if (m.sparse) return m.sparse.rowPtr[m.n];
  let c = 0;
  for (let i = 0; i < m.data!.length; i++) if (m.data![i] !== 0) c++;
  return c;
}

export function denseToRows(data: Float64Array, n: number): SparseRows {
  let nnz = 0;
  for (let i = 0; i < n * n; i++) if (data[i] !== 0) nnz++;
  const rowPtr = new Int32Array(n + 1);
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let p = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = p;
    for (let j = 0; j < n; j++) {
      const w = data[i * n + j];
      if (w !== 0) { col[p] = j; val[p] = w; p++; }
    }
  }
  rowPtr[n] = p;
  return { n, rowPtr, col, val };
}

const MATRIX_MAGIC = 'FLOWMAT1';
const SPARSE_MAGIC = 'FLOWSPM1';

function checkMatrix(v: unknown): string | undefined {
  const m = v as IdMatrix;
  if (!m || !Array.isArray(m.ids) || m.ids.length !== m.n) return 'expected { ids, n, data: Float64Array | sparse: { rowPtr, col, val }, meta } with one id per row';
  if (m.data instanceof Float64Array && !m.sparse) {
    return m.data.length === m.n * m.n ? undefined : `matrix data has ${m.data.length} cells and ${m.ids.length} ids for n = ${m.n}`;
  }
  const s = m.sparse;
  if (!s || m.data || !(s.rowPtr instanceof Int32Array) || !(s.col instanceof Int32Array) || !(s.val instanceof Float64Array)) {
    return 'expected exactly one of data (dense) and sparse (rowPtr, col, val)';
  }
  if (s.n !== m.n || s.rowPtr.length !== m.n + 1 || s.rowPtr[0] !== 0 || s.col.length !== s.rowPtr[m.n] || s.val.length !== s.col.length) {
    return `sparse matrix shape is inconsistent (n = ${m.n}, rowPtr ${s.rowPtr.length}, col ${s.col.length}, val ${s.val.length})`;
  }
  for (let i = 0; i < m.n; i++) {
    if (s.rowPtr[i + 1] < s.rowPtr[i]) return `sparse matrix row ${i} has a negative length`;
    for (let p = s.rowPtr[i]; p < s.rowPtr[i + 1]; p++) {
      if (!(s.col[p] >= 0 && s.col[p] < m.n) || (p > s.rowPtr[i] && s.col[p] <= s.col[p - 1])) return `sparse matrix row ${i} has columns out of range or not ascending`;
    }
  }
  return undefined;
}

export const matrixPort = definePortType<IdMatrix>({
  name: 'matrix',
  module: import.meta.url,
  check: checkMatrix,
  encode: (m) => (m.sparse ? encodeSparse(m) : encodeMatrix(m)),
  decode: (bytes) => {
    const magic = Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1');
    return magic === SPARSE_MAGIC ? decodeSparse(bytes) : decodeMatrix(bytes);
  },
  exportText: (m) => {
    if (m.sparse) {
      const { rowPtr, col, val } = m.sparse;
      const rows = ['i,j,w'];
      for (let i = 0; i < m.n; i++) for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) rows.push(`${csvCell(m.ids[i])},${csvCell(m.ids[col[p]])},${val[p]}`);
      return { ext: 'csv', text: rows.join('\n') + '\n' };
    }
    const rows = [['id', ...m.ids].map(csvCell).join(',')];
    for (let i = 0; i < m.n; i++) rows.push([csvCell(m.ids[i]), ...Array.from(m.data!.subarray(i * m.n, (i + 1) * m.n), String)].join(','));
    return { ext: 'csv', text: rows.join('\n') + '\n' };
  },
});

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** magic, header length, header padded with spaces to a multiple of 8 bytes */
function headerBytes(magic: string, header: Record<string, unknown>, body: number): { out: Buffer; off: number } {
  const h = Buffer.from(canonicalLenient(header), 'utf8');
  const pad = (8 - ((magic.length + 4 + h.length) % 8)) % 8;
  const out = Buffer.alloc(magic.length + 4 + h.length + pad + body);
  out.write(magic, 0, 'latin1');
  out.writeUInt32LE(h.length + pad, magic.length);
  h.copy(out, magic.length + 4);
  out.fill(0x20, magic.length + 4 + h.length, magic.length + 4 + h.length + pad);
  return { out, off: magic.length + 4 + h.length + pad };
}

function readHeader(bytes: Uint8Array, magic: string) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, magic.length) !== magic) throw new Error('not a flow matrix artifact');
  const hlen = buf.readUInt32LE(magic.length);
  const off = magic.length + 4;
  return { buf, header: JSON.parse(buf.toString('utf8', off, off + hlen)), off: off + hlen };
}

function encodeMatrix(m: IdMatrix): Uint8Array {
  const data = m.data!;
  const { out, off } = headerBytes(MATRIX_MAGIC, { ids: m.ids, n: m.n, meta: m.meta ?? {} }, data.length * 8);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < data.length; i++) dv.setFloat64(off + i * 8, data[i], true);
  return out;
}

function decodeMatrix(bytes: Uint8Array): IdMatrix {
  const { buf, header, off } = readHeader(bytes, MATRIX_MAGIC);
  const n = header.n as number;
  const data = new Float64Array(n * n);
  const dv = new DataView(buf.buffer, buf.byteOffset + off, n * n * 8);
  for (let i = 0; i < data.length; i++) data[i] = dv.getFloat64(i * 8, true);
  return { ids: header.ids, n, data, meta: header.meta };
}

function encodeSparse(m: IdMatrix): Uint8Array {
  const { rowPtr, col, val } = m.sparse!;
  const nnz = val.length;
  const ints = (m.n + 1 + nnz) * 4;
  const intPad = (8 - (ints % 8)) % 8;
  const { out, off } = headerBytes(SPARSE_MAGIC, { ids: m.ids, n: m.n, nnz, meta: m.meta ?? {} }, ints + intPad + nnz * 8);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let o = off;
  for (let i = 0; i <= m.n; i++, o += 4) dv.setInt32(o, rowPtr[i], true);
  for (let p = 0; p < nnz; p++, o += 4) dv.setInt32(o, col[p], true);
  o += intPad;
  for (let p = 0; p < nnz; p++, o += 8) dv.setFloat64(o, val[p], true);
  return out;
}

function decodeSparse(bytes: Uint8Array): IdMatrix {
  const { buf, header, off } = readHeader(bytes, SPARSE_MAGIC);
  const n = header.n as number, nnz = header.nnz as number;
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const rowPtr = new Int32Array(n + 1), col = new Int32Array(nnz), val = new Float64Array(nnz);
  let o = off;
  for (let i = 0; i <= n; i++, o += 4) rowPtr[i] = dv.getInt32(o, true);
  for (let p = 0; p < nnz; p++, o += 4) col[p] = dv.getInt32(o, true);
  o += (8 - (((n + 1 + nnz) * 4) % 8)) % 8;
  for (let p = 0; p < nnz; p++, o += 8) val[p] = dv.getFloat64(o, true);
  return { ids: header.ids, n, sparse: { n, rowPtr, col, val }, meta: header.meta };
}
