// The parallel scan of a large all-numeric CSV: the buffer is cut into chunks of whole
// lines, each with its room of rows in one ColumnArena on shared memory, and the chunks are
// tasks for the kernel threads (src/threads.ts) and this one. The file must have been read
// into a SharedArrayBuffer (the engine's ctx.readFile, or readShared). Chunks, rather than
// one half per thread, so that a worker that starts late (thread start-up, cold code) does
// less instead of being waited for.
import { runTasks, maxThreads } from '../threads.js';
import { estimateRows, DONE, type ScanJob, type Scanner } from './csv-scan.js';
import type { ColumnArena, Parts } from './arrow-layout.js';

/** Below this a second thread's start is not worth it. */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** Chunks of about this size (at least), at most MAX_CHUNKS of them. */
const CHUNK_BYTES = 4 << 20, MAX_CHUNKS = 64;

/**
 * Whether to scan on several threads: `parallel` true/false, or 'auto': a file of at least
 * PARALLEL_MIN_BYTES on a machine with two cores or more. (No load test: with another
 * process busy, two threads still get more of the machine than one, and a waiting thread
 * sleeps in Atomics.wait.)
 */
export function wantParallel(p: boolean | 'auto', bytes: number): boolean {
  if (p !== 'auto') return p;
  return bytes >= PARALLEL_MIN_BYTES && maxThreads() >= 2;
}

/**
 * Scan buf[start, n) with `scanner` (an all-numeric layout) on every core into an arena from `makeArena(cap)`. Returns the arena,
 * the parts of each column (chunk by chunk: [first row of its room, rows]) and the row
 * count; null (the caller parses serially, with full error reporting) whenever anything is
 * not plain: a text or quoted cell, a ragged row, a chunk that outgrows its estimated room,
 * no worker. `hereToo` false leaves every chunk to the workers (a test of them).
 */
export function parallelScan(buf: Uint8Array, start: number, n: number, scanner: Scanner, ncol: number, makeArena: (cap: number) => ColumnArena, hereToo = true): { arena: ColumnArena; parts: Parts; rows: number } | null {
  if (!(buf.buffer instanceof SharedArrayBuffer)) return null;
  const size = Math.max(CHUNK_BYTES, Math.ceil((n - start) / MAX_CHUNKS));
  const starts: number[] = [], ends: number[] = [];
  for (let s = start; s < n;) {
    let e = s + size >= n ? n : buf.indexOf(10, s + size);
    e = e < 0 ? n : Math.min(n, e + 1);
    starts.push(s); ends.push(e);
    s = e;
  }
  const room = starts.map((s, c) => estimateRows(buf, s, ends[c]));
  const row0: number[] = [];
  let cap = 0;
  for (const r of room) { row0.push(cap); cap += r; }
  const arena = makeArena(cap);
  const job: ScanJob = {
    buf: buf.buffer, offset: buf.byteOffset, length: buf.length,
    arena: arena.buffer, offsets: Array.from({ length: ncol }, (_, c) => arena.offset(c)), cap,
    starts, ends, row0, room, result: new Int32Array(new SharedArrayBuffer(starts.length * 8)),
  };
  const who = runTasks(scanner.kernels, 'chunk', job, starts.length, maxThreads(), hereToo);
  if (!who || who.some((w) => w <= 0)) return null;
  const parts: Parts = [];
  let rows = 0;
  for (let c = 0; c < starts.length; c++) {
    if (job.result[2 * c] !== DONE) return null;
    parts.push([row0[c], job.result[2 * c + 1]]);
    rows += job.result[2 * c + 1];
  }
  return { arena, parts, rows };
}
