// The two-thread scan of a large all-numeric CSV: a worker thread scans the second part
// of the buffer while this thread scans the first, both straight into the rooms of one
// ColumnArena on shared memory (the file must have been read into a SharedArrayBuffer:
// the engine's ctx.readFile, or readShared). The worker runs scanRows from its source
// text, so this works from .ts under tsx and vitest as well as from the esbuild bundle.
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { scanRows, estimateRows, DONE } from './csv-scan.js';
import type { ColumnArena, Parts } from './arrow-layout.js';

/** Below this the worker's start (~40 ms of thread and isolate start-up) is not worth it. */
export const PARALLEL_MIN_BYTES = 16 << 20;

/**
 * Whether to scan on two threads: `parallel` true/false, or 'auto': a file of at least
 * PARALLEL_MIN_BYTES on a machine with two cores or more. (No load test: with another
 * process busy, two threads still get more of the machine than one, and the waiting
 * thread sleeps in Atomics.wait; only the worker's start-up is at stake.)
 */
export function wantParallel(p: boolean | 'auto', bytes: number): boolean {
  if (p !== 'auto') return p;
  return bytes >= PARALLEL_MIN_BYTES && availableParallelism() >= 2;
}

/**
 * Scan buf[start, n) on two threads into an arena from `makeArena(cap)`. Returns the
 * arena, each column's parts ([first row, count]: this thread's rows, then the worker's)
 * and the row count; null (the caller parses serially, with full error reporting)
 * whenever anything is not plain: a text or quoted cell, a ragged row, a part that
 * outgrows its estimated room, a worker that cannot start or does not finish.
 */
export function parallelScan(buf: Uint8Array, start: number, n: number, delim: number, ncol: number, makeArena: (cap: number) => ColumnArena): { arena: ColumnArena; parts: Parts; rows: number } | null {
  if (!(buf.buffer instanceof SharedArrayBuffer) || typeof Atomics.wait !== 'function') return null;
  // this thread takes 55%: the worker starts ~40 ms later (thread start-up) and its copy of
  // scanRows starts cold (measured on 2 cores, 68 MB: ~10% less wall time than halves)
  let split = buf.indexOf(10, start + Math.floor((n - start) * 0.55));
  if (split < 0) return null;
  split++;
  const firstCap = estimateRows(buf, start, split); // the worker's rows go after these
  const cap = firstCap + estimateRows(buf, split, n);
  const arena = makeArena(cap);
  const cols = Array.from({ length: ncol }, (_, c) => arena.region(c));
  const flag = new Int32Array(new SharedArrayBuffer(16));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE(), {
      eval: true,
      workerData: { buf: buf.buffer, offset: buf.byteOffset, length: buf.length, start: split, n, delim, ncol, arena: arena.buffer, offsets: cols.map((c) => c.byteOffset), row0: firstCap, cap, flag: flag.buffer },
    });
  } catch {
    return null;
  }
  worker.unref();
  const mine = scanRows(buf, start, split, delim, ncol, new Uint8Array(ncol), cols, 0, firstCap);
  // wait for the worker (it scans less than this thread did; a minute is far beyond it)
  if (Atomics.wait(flag, 0, 0, 60_000) === 'timed-out') { void worker.terminate(); return null; }
  const wStatus = flag[1], wRow = flag[2];
  void worker.terminate();
  if (mine.status !== DONE || wStatus !== DONE) return null;
  const rowsTheirs = wRow - firstCap;
  return { arena, parts: [[0, mine.row], [firstCap, rowsTheirs]], rows: mine.row + rowsTheirs };
}

const WORKER_SOURCE = () => `
const { workerData: d } = require('node:worker_threads');
const flag = new Int32Array(d.flag);
let st = { status: -1, row: 0 };
try {
  const scanRows = ${scanRows.toString()};
  const cols = d.offsets.map((o) => new Float64Array(d.arena, o, d.cap));
  st = scanRows(new Uint8Array(d.buf, d.offset, d.length), d.start, d.n, d.delim, d.ncol, new Uint8Array(d.ncol), cols, d.row0, d.cap);
} finally {
  flag[1] = st.status; flag[2] = st.row;
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
`;
