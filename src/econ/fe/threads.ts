// The FE fit on several threads: its column-wise steps are tasks for the kernel threads
// (src/threads.ts). The demeaning: the columns (y and each x) are independent problems,
// each demeaned by the same function (columns.ts: demeanTask) with the same convergence
// rule whichever thread runs it. The Gram matrix: one task per entry (and the factors'
// connected components beside). The residuals: row ranges. Every result is bit-identical
// to the single-threaded path (test/econ/fe-threads.test.ts). Everything is on shared
// memory: the inputs (load-csv's columns already are; others are copied, the demeaning's
// into their outputs, which are then demeaned in place), the factor codes, the exact plan
// and the outputs.
import { runTasks, maxThreads, warmThreads, HERE, WORKER } from '../../threads.js';
import { COLUMN_KERNELS, demeanTask, type DemeanInfo, type DemeanJob, type ExactPieces, type GramJob, type ResidJob } from './columns.js';
import { connectedComponents, type Factor } from './factors.js';
import { crossprodBlocked } from '../linalg.js';

export { warmThreads };

const KERNELS = { id: 'fe-columns', functions: { ...COLUMN_KERNELS, connectedComponents } };

/** Below this many cells (rows x columns) one thread is faster than handing out columns. */
export const THREADS_MIN_CELLS = 2_000_000;

/** Threads for 'auto': every core up to the number of columns, once the work is large enough. */
export function autoThreads(rows: number, columns: number): number {
  if (rows * columns < THREADS_MIN_CELLS) return 1;
  return Math.max(1, Math.min(maxThreads(), columns));
}

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
const sharedF64 = (n: number) => new Float64Array(new SharedArrayBuffer(n * 8));
function shared<T extends Int32Array | Float64Array>(a: T): T {
  if (isShared(a)) return a;
  const c = (a instanceof Int32Array ? new Int32Array(new SharedArrayBuffer(a.length * 4)) : sharedF64(a.length)) as T;
  c.set(a);
  return c;
}

/**
 * The columns demeaned on up to `threads` threads; null when no worker could be started
 * (the caller runs the serial path). `onWorkers`: columns the workers did. `hereToo`
 * false leaves every column to the workers (a test of the worker path).
 */
export function demeanThreaded(columns: Float64Array[], factors: Factor[], counts: Float64Array[], plan: ExactPieces | null, tol: number, maxIter: number, threads: number, moments = false, hereToo = true): { out: Float64Array[]; info: DemeanInfo; onWorkers: number; moments?: Float64Array } | null {
  const n = columns[0].length, m = columns.length;
  const out = columns.map(() => sharedF64(n));
  const job: DemeanJob = {
    src: columns.map((c, j) => (isShared(c) ? c : (out[j].set(c), out[j]))),
    out, tol, maxIter, moments,
    factors: factors.map((f) => ({ codes: shared(f.codes), nLevels: f.nLevels })),
    counts: counts.map(shared),
    plan: plan && { ...plan, order: plan.order && shared(plan.order), start: shared(plan.start), small: plan.small.map(shared) },
    results: new Float64Array(new SharedArrayBuffer(m * 4 * 8)),
  };
  const who = runTasks(KERNELS, 'demeanTask', job, m, threads, hereToo);
  if (!who) return null;
  let iterations = 0, converged = true, onWorkers = 0;
  for (let j = 0; j < m; j++) {
    if (who[j] === WORKER) onWorkers++;
    else if (who[j] !== HERE) { // failed or never finished on a worker: redo it here from the input, into a new array
      out[j] = sharedF64(n);
      demeanTask({ ...job, src: columns, out }, j);
    }
    iterations = Math.max(iterations, job.results[4 * j]);
    if (job.results[4 * j + 1] !== 1) converged = false;
  }
  const mo = moments ? new Float64Array(2 * m) : undefined;
  if (mo) for (let j = 0; j < m; j++) { mo[2 * j] = job.results[4 * j + 2]; mo[2 * j + 1] = job.results[4 * j + 3]; }
  return { out, info: { iterations, converged }, onWorkers, moments: mo };
}

/**
 * X'X of the demeaned columns (crossprodBlocked's numbers, bit for bit: each entry is one
 * task) and, with two factors, their connected components (for the absorbed dof), on up to
 * `threads` threads; components null when not computed here (one thread, or not asked).
 * `hereToo` false leaves every task to the workers (a test of them).
 */
export function gramOnThreads(cols: Float64Array[], factors: Factor[], threads: number, hereToo = true): { gram: Float64Array; components: number | null } {
  const K = cols.length;
  if (threads <= 1) return { gram: crossprodBlocked(cols), components: null };
  const pairs: number[] = [];
  for (let a = 0; a < K; a++) for (let b = a; b < K; b++) pairs.push(a, b);
  const two = factors.length >= 2;
  const job: GramJob = {
    cols: cols.map(shared), gram: new Float64Array(new SharedArrayBuffer(K * K * 8)), block: 2048,
    pairs: Int32Array.from(pairs), components: new Int32Array(new SharedArrayBuffer(4)).fill(-1),
    f0: two ? { codes: shared(factors[0].codes), nLevels: factors[0].nLevels } : null,
    f1: two ? { codes: shared(factors[1].codes), nLevels: factors[1].nLevels } : null,
  };
  const who = runTasks(KERNELS, 'gramTask', job, 1 + pairs.length / 2, threads, hereToo);
  if (!who || who.some((w) => w !== HERE && w !== WORKER)) return { gram: crossprodBlocked(cols), components: null };
  return { gram: Float64Array.from(job.gram), components: two ? job.components[0] : null };
}

/** Rows per residuals task. */
const RESID_ROWS = 1 << 18;

/**
 * Residuals y - X beta and their sum of squares on up to `threads` threads: the residuals
 * by row ranges, then the sum of squares here in row order, so both are bit for bit those
 * of fe-ols' residuals(); null on one thread or without workers (the caller runs that).
 * `hereToo` false leaves every task to the workers (a test of them).
 */
export function residualsOnThreads(y: Float64Array, X: Float64Array[], beta: Float64Array, threads: number, hereToo = true): { resid: Float64Array; ssr: number } | null {
  const n = y.length;
  if (threads <= 1 || n < 2 * RESID_ROWS) return null;
  const job: ResidJob = { y: shared(y), X: X.map(shared), beta: Float64Array.from(beta), resid: sharedF64(n), rows: RESID_ROWS };
  const who = runTasks(KERNELS, 'residTask', job, Math.ceil(n / RESID_ROWS), threads, hereToo);
  if (!who || who.some((w) => w !== HERE && w !== WORKER)) return null;
  const r = job.resid;
  let ssr = 0;
  for (let i = 0; i < n; i++) ssr += r[i] * r[i];
  return { resid: r, ssr };
}
