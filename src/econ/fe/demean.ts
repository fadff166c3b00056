// The within transformation of columns against fixed-effect factors: exact in two passes
// when all but the largest factor have few levels (exact.ts), else by alternating
// projections (projections.ts).
import { levelCounts, type Factor } from './factors.js';
import { exactPlan, exactDemean } from './exact.js';
import { alternate, groupSums } from './projections.js';

export interface DemeanOptions {
  /** rows per level of each factor, when the caller has them */
  counts?: Float64Array[];
  /** stop when the largest change of a sweep is below tol x the column's scale */
  tol?: number;
  maxIter?: number;
  /** false: always alternating projections (the reference the exact path is tested against) */
  exact?: boolean;
}

export interface DemeanInfo {
  /** sweeps used by the slowest column */
  iterations: number;
  converged: boolean;
}

/**
 * Within transformation of each column against all factors (in place on copies).
 * Two ways, same answer (the least-squares residual on all the dummies):
 * - exact (exactDemean): when the factors other than the largest have few levels in
 *   all (a unit x year panel), a direct solve; `iterations` is then 1.
 * - alternating projections (Gauss-Seidel over dimensions): subtract group means of
 *   one dimension after the other until a sweep changes nothing, then conjugate
 *   gradients for slow panels. One factor is exact in one sweep.
 */
export function demean(columns: Float64Array[], factors: Factor[], opts: DemeanOptions = {}): { out: Float64Array[]; info: DemeanInfo } {
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 10_000;
  if (factors.length === 0) return { out: columns.map((c) => c.slice()), info: { iterations: 0, converged: true } };
  const counts = opts.counts ?? factors.map((f) => levelCounts(f));
  const plan = factors.length >= 2 && columns.length > 0 && opts.exact !== false ? exactPlan(factors, counts) : null;
  if (plan) return exactDemean(columns, factors, counts, plan, tol, maxIter);
  const n = columns[0]?.length ?? 0;
  const sums = factors.map((f) => new Float64Array(f.nLevels));
  let maxIterUsed = 0, allConverged = true;
  const out: Float64Array[] = [];
  for (const src of columns) {
    // First projection fused with the copy and the scale: x = src - mean_0(src).
    const codes0 = factors[0].codes, s0 = sums[0], c0 = counts[0];
    const scale = groupSums(src, codes0, s0, true);
    for (let g = 0; g < s0.length; g++) s0[g] /= c0[g];
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = src[i] - s0[codes0[i]];
    out.push(x);
    if (scale === 0 || factors.length === 1) { if (1 > maxIterUsed) maxIterUsed = 1; continue; }
    const r = alternate(x, factors, counts, sums, tol * scale, maxIter, 1);
    if (r.iterations > maxIterUsed) maxIterUsed = r.iterations;
    if (!r.converged) allConverged = false;
  }
  return { out, info: { iterations: maxIterUsed, converged: allConverged } };
}
