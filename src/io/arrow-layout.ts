// Numeric columns parsed straight into the bytes of their Arrow IPC stream, so that
// caching the table copies nothing. arquero's toArrowIPC() gathers the column buffers
// into one new Uint8Array; for a 10M-row, 8-column CSV that is 640 MB of fresh memory
// (on this VM a fresh page costs ~2.8 us to fault in: ~0.45 s) plus the copy. Here the
// parser writes each column into its room in one SharedArrayBuffer (ColumnArena); at the
// end the rows are moved down into the places the stream gives them (a memmove within
// the buffer) and flechette's own encoder writes the metadata around them, through a
// sink that records where each piece goes instead of copying the column data. The bytes
// are the same as `aq.table(columns).toArrowIPC()` (tested), so a cached table has the
// same hash whichever way it was made.
import { columnFromArray, tableFromColumns, tableToIPC } from '@uwdata/flechette';

/** Room for `ncol` Float64 columns of up to `cap` rows each, after `reserve` bytes for the stream's metadata. */
export class ColumnArena {
  readonly buffer: SharedArrayBuffer;
  constructor(readonly ncol: number, readonly cap: number, readonly reserve: number) {
    this.buffer = new SharedArrayBuffer(reserve + ncol * cap * 8);
  }

  /** Byte offset of column c's room. */
  offset(c: number): number { return this.reserve + c * this.cap * 8; }

  /** Column c's room (cap rows). */
  region(c: number): Float64Array { return new Float64Array(this.buffer, this.offset(c), this.cap); }

  /** A larger arena holding the first `rows` rows of every column. */
  grown(cap: number, rows: number): ColumnArena {
    const next = new ColumnArena(this.ncol, cap, this.reserve);
    for (let c = 0; c < this.ncol; c++) next.region(c).set(this.region(c).subarray(0, rows));
    return next;
  }
}

/** Metadata room for the schema and record batch messages of these column names. */
export function metadataReserve(names: string[]): number {
  const nameBytes = names.reduce((s, n) => s + Buffer.byteLength(n), 0);
  return (1024 + names.length * 256 + 2 * nameBytes + 7) & ~7;
}

/** Runs of rows that make up each column, in order: [first row in the room, count]. */
export type Parts = [number, number][];

/**
 * The Arrow IPC stream of the arena's columns (each the concatenation of its parts), with
 * the columns as views of it; null when the metadata would not fit in the reserve (the
 * caller then copies). The columns' rooms are overwritten: use only what this returns.
 */
export function inPlaceIpc(arena: ColumnArena, names: string[], parts: Parts): { bytes: Uint8Array; columns: Float64Array[] } | null {
  const rows = parts.reduce((s, [, k]) => s + k, 0);
  if (rows === 0 || names.length === 0) return null; // (flechette cannot encode a column with no batch)
  const { buffer } = arena;
  // 1. where flechette puts each piece: encode with a sink that only records
  const pieces: { at: number; column: number; bytes: Uint8Array | null }[] = [];
  let at = 0;
  const sink = {
    write(bytes: Uint8Array) {
      if (bytes.byteLength === 0) return;
      if (bytes.buffer === buffer) pieces.push({ at, column: (bytes.byteOffset - arena.reserve) / (arena.cap * 8), bytes: null });
      else pieces.push({ at, column: -1, bytes: bytes.slice() });
      at += bytes.byteLength;
    },
    pad(k: number) { this.write(new Uint8Array(k)); },
    finish() { return null; },
  };
  const stand = names.map((_, c) => new Float64Array(buffer, arena.offset(c), rows)); // right lengths; values not read
  tableToIPC(tableFromColumns(names.map((n, c) => [n, columnFromArray(stand[c])])), { format: 'stream', sink } as never);
  const total = at;
  const place = new Int32Array(names.length).fill(-1);
  for (const p of pieces) if (p.column >= 0) place[p.column] = p.at;
  // Moving the columns in order is safe when each lands at or below its room (and each
  // part at or below where it was): a destination then ends before the next room starts.
  if (total > buffer.byteLength || place.some((p, c) => p < 0 || p > arena.offset(c))) return null;
  for (let j = 0, before = 0; j < parts.length; before += parts[j][1], j++) if (parts[j][0] < before) return null;
  // 2. move each column's parts down into place (destinations never pass a source not yet moved)
  const u8 = new Uint8Array(buffer);
  const columns = names.map((_, c) => {
    let to = place[c];
    for (const [from, k] of parts) {
      const src = arena.offset(c) + from * 8;
      if (src !== to) u8.copyWithin(to, src, src + k * 8);
      to += k * 8;
    }
    return new Float64Array(buffer, place[c], rows);
  });
  // 3. the metadata (and padding, end-of-stream marker) around them
  for (const p of pieces) if (p.bytes) u8.set(p.bytes, p.at);
  return { bytes: new Uint8Array(buffer, 0, total), columns };
}
