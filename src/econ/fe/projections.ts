// Alternating projections (Gauss-Seidel over the dimensions: subtract group means of one
// dimension after the other until a sweep changes nothing), with a conjugate-gradient
// fallback for slowly converging panels: the method of reghdfe and fixest.
import type { Factor } from './factors.js';
import type { DemeanInfo } from './demean.js';

const PLAIN_SWEEPS = 8;

/**
 * Alternating projections on x from dimension `first` on (x already projected on the
 * one before), then CG if they stall. A dimension whose group means are all below
 * the threshold is left alone and counted "clean"; once the D - 1 dimensions after
 * the last real projection are clean, x is orthogonal to all of them (a balanced
 * two-way panel: project A, project B, check A: five passes).
 */
export function alternate(x: Float64Array, factors: Factor[], counts: Float64Array[], sums: Float64Array[], thresh: number, maxIter: number, first: number): DemeanInfo {
  const D = factors.length;
  let clean = 0, steps = 1, converged = false;
  const plainSteps = Math.min(maxIter, PLAIN_SWEEPS) * D;
  for (let d = first % D; steps < plainSteps; d = (d + 1) % D) {
    steps++;
    const change = groupMeans(x, factors[d], counts[d], sums[d]);
    if (change <= thresh) {
      if (++clean >= D - 1) { converged = true; break; }
      continue;
    }
    subtractMeans(x, factors[d], sums[d]);
    clean = 0;
  }
  let sweeps = Math.ceil(steps / D);
  if (!converged) {
    // slow (poorly connected) panels: conjugate gradients from here
    const r = cgDemean(x, factors, counts, thresh, maxIter - sweeps);
    sweeps += r.iterations;
    converged = r.converged;
  }
  return { iterations: sweeps, converged };
}

/**
 * s[g] = sum of x over rows with code g. Runs of equal codes (a panel sorted by unit)
 * are summed in a register: adding into s[codes[i]] row after row would chain each
 * add to the previous store of the same slot.
 */
export function groupSums(x: Float64Array, codes: Int32Array, s: Float64Array, withMax = false): number {
  s.fill(0);
  const n = x.length;
  if (n === 0) return 0;
  let g = codes[0], acc = 0, max = 0;
  if (withMax) {
    for (let i = 0; i < n; i++) {
      const c = codes[i], v = x[i];
      if (c !== g) { s[g] += acc; acc = 0; g = c; }
      acc += v;
      const a = v < 0 ? -v : v;
      if (a > max) max = a;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const c = codes[i];
      if (c !== g) { s[g] += acc; acc = 0; g = c; }
      acc += x[i];
    }
  }
  s[g] += acc;
  return max;
}

/** Group means of x by f into s; returns the largest absolute mean. */
function groupMeans(x: Float64Array, f: Factor, count: Float64Array, s: Float64Array): number {
  groupSums(x, f.codes, s);
  let change = 0;
  for (let g = 0; g < s.length; g++) {
    s[g] /= count[g];
    const a = Math.abs(s[g]);
    if (a > change) change = a;
  }
  return change;
}

function subtractMeans(x: Float64Array, f: Factor, s: Float64Array): void {
  const codes = f.codes, n = x.length;
  for (let i = 0; i < n; i++) x[i] -= s[codes[i]];
}

/**
 * Remove the remaining FE component of x by conjugate gradients on the normal equations
 * D'D a = D'x (D the dummy matrix, never formed: D p is a gather, D'v a scatter),
 * preconditioned by the group counts; reghdfe's approach for slow panels, where plain
 * alternating projections need thousands of sweeps (CG needs ~ sqrt of that). The
 * group means of x - D a are D'(x - D a) / counts = the CG residual / counts, which is
 * the convergence test; it is re-checked on the final x.
 */
function cgDemean(x: Float64Array, factors: Factor[], counts: Float64Array[], thresh: number, budget: number) {
  const n = x.length, D = factors.length;
  const size = factors.map((f) => f.nLevels);
  const mk = () => size.map((m) => new Float64Array(m));
  const scatter = (v: Float64Array, out: Float64Array[]) => {
    for (let d = 0; d < D; d++) { const o = out[d], codes = factors[d].codes; o.fill(0); for (let i = 0; i < n; i++) o[codes[i]] += v[i]; }
  };
  const gather = (p: Float64Array[], v: Float64Array) => {
    v.fill(0);
    for (let d = 0; d < D; d++) { const pd = p[d], codes = factors[d].codes; for (let i = 0; i < n; i++) v[i] += pd[codes[i]]; }
  };
  const dot = (a: Float64Array[], b: Float64Array[]) => { let s = 0; for (let d = 0; d < D; d++) { const ad = a[d], bd = b[d]; for (let g = 0; g < ad.length; g++) s += ad[g] * bd[g]; } return s; };
  const maxMean = (r: Float64Array[]) => { let m = 0; for (let d = 0; d < D; d++) { const rd = r[d], c = counts[d]; for (let g = 0; g < rd.length; g++) { const a = Math.abs(rd[g] / c[g]); if (a > m) m = a; } } return m; };
  const v = new Float64Array(n);
  let iters = 0;
  while (iters < budget) {
    const alpha = mk(), r = mk(), z = mk(), p = mk(), q = mk();
    scatter(x, r); // r = D'x - D'D 0
    if (maxMean(r) <= thresh) return { iterations: iters, converged: true };
    for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) { z[d][g] = r[d][g] / counts[d][g]; p[d][g] = z[d][g]; }
    let rz = dot(r, z);
    while (iters < budget) {
      iters++;
      gather(p, v);
      scatter(v, q);
      const pq = dot(p, q);
      if (!(pq > 0)) break;
      const step = rz / pq;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) { alpha[d][g] += step * p[d][g]; r[d][g] -= step * q[d][g]; }
      if (maxMean(r) <= thresh * 0.1) break;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) z[d][g] = r[d][g] / counts[d][g];
      const rzNew = dot(r, z);
      const beta = rzNew / rz;
      rz = rzNew;
      for (let d = 0; d < D; d++) for (let g = 0; g < size[d]; g++) p[d][g] = z[d][g] + beta * p[d][g];
    }
    gather(alpha, v);
    for (let i = 0; i < n; i++) x[i] -= v[i];
    // loop: the true group means of the new x decide (CG's recursive residual can drift)
  }
  const r = mk();
  scatter(x, r);
  return { iterations: iters, converged: maxMean(r) <= thresh };
}
