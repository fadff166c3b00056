// The within transformation of columns against fixed-effect factors: exact in two passes
// when all but the largest factor have few levels (exact.ts plans it), else by
// alternating projections; column by column (columns.ts), on one thread or several
// (threads.ts), with the same bits either way.
import { float64s, levelCounts, type Factor } from './factors.js';
import { exactPlan } from './exact.js';
import { sweepColumn, exactColumn, exactScratch, rawMoments, type DemeanInfo } from './columns.js';
import { autoThreads, demeanThreaded } from './threads.js';

export type { DemeanInfo } from './columns.js';

const EMPTY = new Float64Array(0);

export interface DemeanOptions {
  /** rows per level of each factor, when the caller has them */
  counts?: Float64Array[];
  /** stop when the largest change of a sweep is below tol x the column's scale */
  tol?: number;
  maxIter?: number;
  /** false: always alternating projections (the reference the exact path is tested against) */
  exact?: boolean;
  /** threads to demean on (default 1); 'auto': autoThreads (every core, for large problems). Only speed depends on it. */
  threads?: number | 'auto';
  /** also return rawMoments (mean, ss) of each input column, computed on the way when the exact pass allows */
  moments?: boolean;
}

/**
 * Within transformation of each column against all factors (new arrays; the inputs are
 * not modified). Two ways, same answer (the least-squares residual on all the dummies):
 * - exact (exactColumn): when the factors other than the largest have few levels in
 *   all (a unit x year panel), a direct solve; `iterations` is then 1.
 * - alternating projections (sweepColumn, Gauss-Seidel over dimensions): subtract group
 *   means of one dimension after the other until a sweep changes nothing, then conjugate
 *   gradients for slow panels. One factor is exact in one sweep.
 * `onWorkers` (in the result): how many columns worker threads demeaned; `moments` (with
 * the option): rawMoments of input column j at 2j (mean) and 2j + 1 (ss).
 */
export function demean(columns: Float64Array[], factors: Factor[], opts: DemeanOptions = {}): DemeanResult {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 10_000;
  const m = columns.length;
  if (factors.length === 0) {
    const moments = opts.moments ? momentsOf(columns) : undefined;
    return { out: columns.map((c) => c.slice()), info: { iterations: 0, converged: true }, onWorkers: 0, moments };
  }
  const n = columns[0]?.length ?? 0;
  const counts = opts.counts ?? factors.map((f) => levelCounts(f));
  const plan = factors.length >= 2 && columns.length > 0 && opts.exact !== false ? exactPlan(factors, counts) : null;
  const threads = opts.threads === 'auto' ? autoThreads(n, columns.length) : Math.max(1, Math.min(opts.threads ?? 1, columns.length));
  if (threads > 1) {
    const r = demeanThreaded(columns, factors, counts, plan, tol, maxIter, threads, opts.moments ?? false);
    if (r) return r;
  }
  const sums = factors.map((f) => new Float64Array(f.nLevels)); // scratch, reused column after column
  const scratch = plan ? exactScratch(plan, n) : EMPTY;
  const moments = opts.moments ? new Float64Array(2 * m) : undefined;
  const inPass = plan !== null && plan.order === null; // exactColumn computes them on the way
  let iterations = 0, converged = true;
  const out = columns.map((src, j) => {
    const x = float64s(n);
    const mo = moments ? moments.subarray(2 * j, 2 * j + 2) : null;
    if (mo && !inPass) rawMoments(src, mo);
    const r = plan ? exactColumn(src, x, plan, factors, counts, sums, scratch, tol, maxIter, mo) : sweepColumn(src, x, factors, counts, sums, tol, maxIter);
    if (r.iterations > iterations) iterations = r.iterations;
    if (!r.converged) converged = false;
    return x;
  });
  return { out, info: { iterations, converged }, onWorkers: 0, moments };
}

export interface DemeanResult { out: Float64Array[]; info: DemeanInfo; onWorkers: number; moments?: Float64Array }

function momentsOf(columns: Float64Array[]): Float64Array {
  const mo = new Float64Array(2 * columns.length);
  columns.forEach((c, j) => rawMoments(c, mo.subarray(2 * j, 2 * j + 2)));
  return mo;
}
