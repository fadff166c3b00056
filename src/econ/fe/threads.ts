// Demeaning on several threads: the columns (y and each x) are independent problems, so
// worker threads take columns from a shared counter while this thread does the same.
// Everything is on shared memory (the inputs, the factor codes, the exact plan and the
// outputs: SharedArrayBuffer views, no copies), and each column is demeaned by the same
// function (columns.ts) with the same convergence rule whichever thread runs it, so the
// results are bit-identical to the single-threaded path (test/econ/fe-threads.test.ts).
// Workers run the kernels from their source text (worker threads cannot load .ts files
// under tsx or vitest, and the esbuild bundle has no file per module), are started once
// per process and kept (unref'd) for later calls: a multiverse fits many models.
// Synchronous on purpose: demean() is a plain function. This thread waits in
// Atomics.wait only for columns a worker has taken and not finished.
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { COLUMN_KERNELS, sweepColumn, exactColumn, exactScratch, type DemeanInfo, type ExactPieces } from './columns.js';
import type { Factor } from './factors.js';

/** Below this many cells (rows x columns) one thread is faster than handing out columns. */
export const THREADS_MIN_CELLS = 2_000_000;
const MAX_THREADS = 8;
/** A worker that took a column and has not finished it after this long is given up on (the column is redone here). */
const WAIT_MS = 10 * 60_000;

/** Threads for 'auto': every core up to the number of columns (at most 8), once the work is large enough. */
export function autoThreads(rows: number, columns: number): number {
  if (rows * columns < THREADS_MIN_CELLS) return 1;
  return Math.max(1, Math.min(availableParallelism(), columns, MAX_THREADS));
}

interface PoolWorker { worker: Worker; port: MessagePort; bell: Int32Array }
const pool: PoolWorker[] = [];

/** Start (or keep) `threads - 1` workers now, so that their start-up overlaps other work. */
export function warmThreads(threads: number): void {
  while (pool.length < threads - 1) {
    const { port1, port2 } = new MessageChannel();
    const bell = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE(), { eval: true, workerData: { port: port2, bell: bell.buffer }, transferList: [port2] });
    } catch {
      return; // no threads here: demean stays on this one
    }
    worker.unref();
    port1.unref();
    const w = { worker, port: port1, bell };
    worker.on('error', () => drop(w));
    worker.on('exit', () => drop(w));
    pool.push(w);
  }
}

function drop(w: PoolWorker): void {
  const i = pool.indexOf(w);
  if (i >= 0) pool.splice(i, 1);
}

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(n * 8));
function shared<T extends Int32Array | Float64Array>(a: T): T {
  if (isShared(a)) return a;
  const c = (a instanceof Int32Array ? new Int32Array(new SharedArrayBuffer(a.length * 4)) : sharedF64(a.length)) as T;
  c.set(a);
  return c;
}

/** Per column in `results`: iterations, converged (0/1), who (1: this thread, 2: a worker, -1: failed on a worker). */
const R = 3;

/**
 * The columns demeaned on up to `threads` threads; null when no worker could be started
 * (the caller runs the serial path). `onWorkers`: columns the workers did. `hereToo`
 * false leaves every column to the workers (a test of the worker path).
 */
export function demeanThreaded(columns: Float64Array[], factors: Factor[], counts: Float64Array[], plan: ExactPieces | null, tol: number, maxIter: number, threads: number, hereToo = true): { out: Float64Array[]; info: DemeanInfo; onWorkers: number } | null {
  warmThreads(threads);
  const workers = pool.slice(0, threads - 1);
  if (!workers.length) return null;
  const n = columns[0].length, m = columns.length;
  const out = columns.map(() => sharedF64(n));
  // inputs not on shared memory are copied into their outputs, which are then demeaned in place
  const src = columns.map((c, j) => (isShared(c) ? c : (out[j].set(c), out[j])));
  const sf = factors.map((f) => ({ codes: shared(f.codes), nLevels: f.nLevels }));
  const sc = counts.map(shared);
  const sp = plan && { ...plan, order: plan.order && shared(plan.order), start: shared(plan.start), small: plan.small.map(shared) };
  const ctrl = new Int32Array(new SharedArrayBuffer(8)); // [next column, columns done]
  const results = new Int32Array(new SharedArrayBuffer(m * R * 4));
  const job = { ctrl: ctrl.buffer, results: results.buffer, n, m, tol, maxIter, factors: sf, counts: sc, plan: sp, src, out };
  for (const w of workers) {
    w.port.postMessage(job);
    Atomics.add(w.bell, 0, 1);
    Atomics.notify(w.bell, 0);
  }
  // this thread takes columns too, with the kernels' own code
  const sums = sf.map((f) => new Float64Array(f.nLevels));
  const scratch = sp ? exactScratch(sp, n) : new Float64Array(0);
  const runColumn = (j: number, from: Float64Array) => (sp ? exactColumn(from, out[j], sp, sf, sc, sums, scratch, tol, maxIter) : sweepColumn(from, out[j], sf, sc, sums, tol, maxIter));
  for (let j; hereToo && (j = Atomics.add(ctrl, 0, 1)) < m;) {
    const r = runColumn(j, src[j]);
    results.set([r.iterations, r.converged ? 1 : 0, 1], j * R);
    Atomics.add(ctrl, 1, 1);
  }
  for (let done; (done = Atomics.load(ctrl, 1)) < m;) {
    if (Atomics.wait(ctrl, 1, done, WAIT_MS) === 'timed-out' && Atomics.load(ctrl, 1) === done) break;
  }
  let iterations = 0, converged = true, onWorkers = 0;
  for (let j = 0; j < m; j++) {
    if (results[j * R + 2] === 2) onWorkers++;
    else if (results[j * R + 2] !== 1) { // failed or never finished on a worker: redo it here from the input, into a new array
      out[j] = sharedF64(n);
      const r = runColumn(j, columns[j]);
      results.set([r.iterations, r.converged ? 1 : 0, 1], j * R);
    }
    iterations = Math.max(iterations, results[j * R]);
    if (results[j * R + 1] !== 1) converged = false;
  }
  return { out, info: { iterations, converged }, onWorkers };
}

const WORKER_SOURCE = () => `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
${COLUMN_KERNELS.map((f) => f.toString()).join('\n')}
const sweepColumn_ = ${sweepColumn.name}, exactColumn_ = ${exactColumn.name};
const bell = new Int32Array(workerData.bell);
let seen = 0;
for (;;) {
  Atomics.wait(bell, 0, seen);
  seen = Atomics.load(bell, 0);
  for (let m; (m = receiveMessageOnPort(workerData.port)); ) run(m.message);
}
function run(job) {
  const ctrl = new Int32Array(job.ctrl), results = new Int32Array(job.results);
  const sums = job.factors.map((f) => new Float64Array(f.nLevels));
  const scratch = job.plan ? new Float64Array(job.plan.order ? job.n : job.plan.start.length - 1) : null;
  for (let j; (j = Atomics.add(ctrl, 0, 1)) < job.m; ) {
    try {
      const r = job.plan
        ? exactColumn_(job.src[j], job.out[j], job.plan, job.factors, job.counts, sums, scratch, job.tol, job.maxIter)
        : sweepColumn_(job.src[j], job.out[j], job.factors, job.counts, sums, job.tol, job.maxIter);
      results[j * ${R}] = r.iterations; results[j * ${R} + 1] = r.converged ? 1 : 0; results[j * ${R} + 2] = 2;
    } catch (e) {
      results[j * ${R} + 2] = -1;
    }
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}
`;
