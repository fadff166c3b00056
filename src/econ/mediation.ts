// Mediation kernels: Sobel test, the paper's stepwise verdicts, and a cluster
// bootstrap of a x b with two-way (any-way) fixed effects. Pure: typed arrays in,
// plain data out.
import { demean, type Factor } from './fe.js';
import { cholesky, choleskySolve } from './linalg.js';
import { pTwoSidedNormal } from './dist.js';
import { makeRng } from './rng.js';

export interface Path { estimate: number; std_error: number; p_value: number }

/** First-order Sobel test of a x b: se = sqrt(b^2 sa^2 + a^2 sb^2), normal p. */
export function sobel(a: Path, b: Path) {
  const ab = a.estimate * b.estimate;
  const se = Math.sqrt(b.estimate ** 2 * a.std_error ** 2 + a.estimate ** 2 * b.std_error ** 2);
  const z = ab / se;
  return { estimate: ab, sobel_se: se, sobel_z: z, sobel_p: pTwoSidedNormal(z) };
}

export interface StepResult {
  equation: string;
  test: string;
  estimate: number;
  p_value: number;
  passed: boolean;
}

export interface Stepwise {
  label: string;
  alpha: number;
  steps: StepResult[];
  holds: boolean;
  verdict: 'full mediation' | 'partial mediation' | 'not supported';
  reason: string;
}

/**
 * The paper's stepwise procedure (Baron-Kenny as in Wen et al.): the total effect c,
 * then a and b significant at `alpha`; the path holds when they are and the treatment's
 * coefficient falls (|c'| < |c|) or loses significance. Full mediation when c' is
 * no longer significant. Reported for fidelity to the paper; the bootstrap CI of a x b
 * is the modern evidence.
 */
export function stepwiseVerdict(
  eqs: { total: string; a: string; b: string },
  names: { treatment: string; mediator: string; outcome: string },
  p: { c: Path; a: Path; b: Path; cPrime: Path },
  alpha: number,
): Stepwise {
  const sig = (x: Path) => x.p_value < alpha;
  const steps: StepResult[] = [
    { equation: eqs.total, test: `total effect c of ${names.treatment} on ${names.outcome} is significant`, estimate: p.c.estimate, p_value: p.c.p_value, passed: sig(p.c) },
    { equation: eqs.a, test: `a: ${names.treatment} -> ${names.mediator} is significant`, estimate: p.a.estimate, p_value: p.a.p_value, passed: sig(p.a) },
    { equation: eqs.b, test: `b: ${names.mediator} -> ${names.outcome} (given ${names.treatment}) is significant`, estimate: p.b.estimate, p_value: p.b.p_value, passed: sig(p.b) },
    {
      equation: eqs.b,
      test: `c': ${names.treatment}'s coefficient falls (|c'| < |c|) or loses significance`,
      estimate: p.cPrime.estimate,
      p_value: p.cPrime.p_value,
      passed: Math.abs(p.cPrime.estimate) < Math.abs(p.c.estimate) || !sig(p.cPrime),
    },
  ];
  const failed = steps.find((s) => !s.passed);
  const holds = !failed;
  const verdict = !holds ? 'not supported' : sig(p.cPrime) ? 'partial mediation' : 'full mediation';
  return {
    label: "the paper's stepwise procedure (METHOD.md 2.5, eqs. 5-10)",
    alpha,
    steps,
    holds,
    verdict,
    reason: failed ? `fails at ${failed.equation}: ${failed.test}` : `all steps pass; c' ${sig(p.cPrime) ? 'stays' : 'is not'} significant`,
  };
}

export interface BootData {
  treatment: Float64Array;
  /** one mediator per stage; outcome[s] the stage's outcome */
  stages: { mediator: Float64Array; outcome: Float64Array }[];
  controls: Float64Array[];
  factors: Factor[];
  /** true for FE dimensions nested in the cluster: each resampled copy gets its own levels */
  nestedInCluster: boolean[];
  cluster: Factor;
}

export interface BootOptions {
  reps: number;
  seed: number;
  level: number;
  tol?: number;
  /** always re-demean each draw (the closed form is checked against this in tests) */
  general?: boolean;
}

export interface BootStage {
  ci_low: number | null;
  ci_high: number | null;
  /** Monte Carlo standard error of each bound (see quantileMcSe) */
  ci_low_mc_se: number | null;
  ci_high_mc_se: number | null;
  /** bootstrap SD of a x b */
  se: number | null;
}

export interface BootResult {
  reps: number;
  failed: number;
  /** per stage: percentile CI of a x b, the MC error of its bounds and the bootstrap SD */
  stages: BootStage[];
}

/**
 * Monte Carlo standard error of the type-7 p-quantile of B sorted draws: the number of
 * draws below the true quantile is Binomial(B, p), so the quantile's rank has sd
 * sqrt(B p (1 - p)); its MC SE is half the distance between the quantiles at
 * p -+ sqrt(p (1 - p) / B) (distribution-free; Maritz-Jarrett in spirit).
 */
export function quantileMcSe(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length, d = Math.sqrt(p * (1 - p) / n);
  return (quantile7(sorted, Math.min(1, p + d)) - quantile7(sorted, Math.max(0, p - d))) / 2;
}

export interface CiVerdict {
  excludes_zero: boolean;
  /** false when the bound nearest zero is within 2 Monte Carlo SEs of it: another seed may flip the verdict */
  settled: boolean;
  text: string;
}

const sig2 = (x: number) => String(Number(x.toPrecision(2)));

/** What the percentile CI says about a x b = 0, and whether that survives its MC error. */
export function ciVerdict(b: BootStage, level: number, reps: number): CiVerdict | null {
  if (b.ci_low == null || b.ci_high == null) return null;
  const lvl = `${Math.round(level * 1000) / 10}%`;
  const excludes = b.ci_low > 0 || b.ci_high < 0;
  const nearLow = Math.abs(b.ci_low) <= Math.abs(b.ci_high);
  const bound = nearLow ? b.ci_low : b.ci_high, mc = (nearLow ? b.ci_low_mc_se : b.ci_high_mc_se) ?? 0;
  const settled = Math.abs(bound) > 2 * mc;
  const base = `the ${lvl} bootstrap CI ${excludes ? 'excludes' : 'includes'} zero`;
  const text = settled ? base
    : `${base}, but its ${nearLow ? 'lower' : 'upper'} bound ${sig2(bound)} is within 2 Monte Carlo SEs (${sig2(mc)}) of zero with ${reps} resamples: another seed may say otherwise; raise bootstrap.reps`;
  return { excludes_zero: excludes, settled, text };
}

/**
 * Cluster (pairs) bootstrap of a x b: draw G clusters with replacement, give each
 * drawn copy its own FE levels where the FE is nested in the cluster (a city drawn
 * twice is two cities), re-demean and re-fit a (M ~ T + C) and b (Y ~ T + M + C).
 * One cross-product matrix per draw serves every equation of every stage.
 */
export function clusterBootstrapAB(d: BootData, o: BootOptions): BootResult {
  const rng = makeRng(o.seed);
  const G = d.cluster.nLevels;
  // columns in a fixed order: T, C..., then per stage M, Y
  const cols = [d.treatment, ...d.controls, ...d.stages.flatMap((s) => [s.mediator, s.outcome])];
  const nc = cols.length, kc = d.controls.length;
  const crossOfDraw = (o.general ? null : fastCross(d, cols)) ?? slowCross(d, cols, o.tol);
  const draws = d.stages.map(() => new Float64Array(o.reps));
  const w = new Float64Array(G);
  let failed = 0, ok = 0;
  // a: M on [T, C]; b: Y on [T, M, C] (b is the M coefficient, index 1)
  const ctl = range(1, 1 + kc);
  const eqs = d.stages.map((_, s) => {
    const m = 1 + kc + 2 * s;
    return { a: { xs: [0, ...ctl], y: m }, b: { xs: [0, m, ...ctl], y: m + 1 } };
  });
  const pick = new Int32Array(G);
  const ab = new Float64Array(d.stages.length);
  for (let r = 0; r < o.reps; r++) {
    w.fill(0);
    for (let j = 0; j < G; j++) { pick[j] = rng.int(G); w[pick[j]]++; }
    const ZZ = crossOfDraw(pick, w);
    let good = true;
    for (let s = 0; s < eqs.length && good; s++) {
      const a = solve(ZZ, nc, eqs[s].a.xs, eqs[s].a.y)?.[0];
      const b = solve(ZZ, nc, eqs[s].b.xs, eqs[s].b.y)?.[1];
      if (a === undefined || b === undefined || !Number.isFinite(a * b)) good = false;
      else ab[s] = a * b;
    }
    if (!good) { failed++; continue; }
    for (let s = 0; s < ab.length; s++) draws[s][ok] = ab[s];
    ok++;
  }
  const alpha = 1 - o.level;
  return {
    reps: o.reps,
    failed,
    stages: draws.map((all): BootStage => {
      if (ok < 2) return { ci_low: null, ci_high: null, ci_low_mc_se: null, ci_high_mc_se: null, se: null };
      const v = all.slice(0, ok).sort();
      let mean = 0;
      for (const x of v) mean += x;
      mean /= ok;
      let ss = 0;
      for (const x of v) ss += (x - mean) ** 2;
      return {
        ci_low: quantile7(v, alpha / 2), ci_high: quantile7(v, 1 - alpha / 2),
        ci_low_mc_se: quantileMcSe(v, alpha / 2), ci_high_mc_se: quantileMcSe(v, 1 - alpha / 2),
        se: Math.sqrt(ss / (ok - 1)),
      };
    }),
  };
}

type CrossOfDraw = (pick: Int32Array, w: Float64Array) => Float64Array;

/**
 * Closed-form Z'Z of a draw, from per-cluster sums computed once. Applies when the FE
 * are at most one dimension U nested in the cluster (the city) and one dimension V
 * that is not (the year), with the U x V panel balanced, or either one alone. Then
 * demeaning by U is the same in every draw (a drawn copy keeps its own U levels), and
 * one sweep over V is exact: Z'Z = sum_c w_c P_c - sum_v N_v m_v m_v', with P_c the
 * cluster's cross-products of U-demeaned data and m_v the draw's V means. 999 draws
 * then cost milliseconds instead of re-demeaning 999 resampled panels.
 */
function fastCross(d: BootData, cols: Float64Array[]): CrossOfDraw | null {
  const nested = d.factors.filter((_, i) => d.nestedInCluster[i]);
  const other = d.factors.filter((_, i) => !d.nestedInCluster[i]);
  if (nested.length > 1 || other.length > 1) return null;
  const n = cols[0].length, k = cols.length, G = d.cluster.nLevels;
  const U = nested[0], V = other[0] ?? (U ? null : { codes: new Int32Array(n), nLevels: 1 });
  if (U && V) {
    // balanced: every U level meets every V level exactly once
    if (n !== U.nLevels * V.nLevels) return null;
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const cell = U.codes[i] * V.nLevels + V.codes[i];
      if (seen[cell]) return null;
      seen[cell] = 1;
    }
  }
  const X = U ? demean(cols, [U]).out : cols;
  const cl = d.cluster.codes;
  const P = new Float64Array(G * k * k);
  for (let i = 0; i < n; i++) {
    const off = cl[i] * k * k;
    for (let a = 0; a < k; a++) {
      const xa = X[a][i];
      for (let b = a; b < k; b++) P[off + a * k + b] += xa * X[b][i];
    }
  }
  const nV = V?.nLevels ?? 0;
  const S = new Float64Array(G * nV * k);
  const cnt = new Float64Array(G * nV);
  if (V) {
    for (let i = 0; i < n; i++) {
      const cell = cl[i] * nV + V.codes[i];
      cnt[cell]++;
      for (let a = 0; a < k; a++) S[cell * k + a] += X[a][i];
    }
  }
  // buffers reused across draws: the loop allocates nothing
  const A = new Float64Array(k * k);
  const m = new Float64Array(k);
  const active = new Int32Array(G);
  return (_pick, w) => {
    A.fill(0);
    let na = 0;
    for (let c = 0; c < G; c++) if (w[c] !== 0) active[na++] = c;
    for (let j = 0; j < na; j++) {
      const c = active[j], wc = w[c], off = c * k * k;
      for (let a = 0; a < k; a++) {
        const row = a * k;
        for (let b = a; b < k; b++) A[row + b] += wc * P[off + row + b];
      }
    }
    for (let v = 0; v < nV; v++) {
      let N = 0;
      m.fill(0);
      for (let j = 0; j < na; j++) {
        const c = active[j], wc = w[c], cell = c * nV + v, off = cell * k;
        N += wc * cnt[cell];
        for (let a = 0; a < k; a++) m[a] += wc * S[off + a];
      }
      if (N === 0) continue;
      // subtract N m m' with m the mean: (sum)(sum)'/N
      for (let a = 0; a < k; a++) {
        const ma = m[a] / N, row = a * k;
        for (let b = a; b < k; b++) A[row + b] -= ma * m[b];
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) A[a * k + b] = A[b * k + a];
    return A;
  };
}

/** General case (unbalanced panels, several FE): materialise the draw and re-demean. */
function slowCross(d: BootData, cols: Float64Array[], tol = 1e-10): CrossOfDraw {
  const G = d.cluster.nLevels;
  const members: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < d.cluster.codes.length; i++) members[d.cluster.codes[i]].push(i);
  return (pick) => {
    let n = 0;
    for (const g of pick) n += members[g].length;
    const rows = new Int32Array(n);
    const copy = new Int32Array(n);
    let p = 0;
    pick.forEach((g, j) => { for (const i of members[g]) { rows[p] = i; copy[p] = j; p++; } });
    const factors = d.factors.map((f, dim) => recode(f, rows, d.nestedInCluster[dim] ? copy : null));
    const sample = cols.map((c) => { const o2 = new Float64Array(n); for (let i = 0; i < n; i++) o2[i] = c[rows[i]]; return o2; });
    // no FE: fitFe centres (a one-level factor), so do the same here
    const fs = factors.length ? factors : [{ codes: new Int32Array(n), nLevels: 1 }];
    return cross(demean(sample, fs, { tol }).out);
  };
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

/** Factor on the drawn rows; `copy` (the draw slot) splits levels nested in the cluster. */
function recode(f: Factor, rows: Int32Array, copy: Int32Array | null): Factor {
  const map = new Map<number, number>();
  const codes = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const key = copy ? copy[i] * f.nLevels + f.codes[rows[i]] : f.codes[rows[i]];
    let c = map.get(key);
    if (c === undefined) { c = map.size; map.set(key, c); }
    codes[i] = c;
  }
  return { codes, nLevels: map.size };
}

function cross(Z: Float64Array[]): Float64Array {
  const k = Z.length, n = Z[0]?.length ?? 0;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    const za = Z[a];
    for (let b = a; b < k; b++) {
      const zb = Z[b];
      let s = 0;
      for (let i = 0; i < n; i++) s += za[i] * zb[i];
      out[a * k + b] = out[b * k + a] = s;
    }
  }
  return out;
}

/** OLS coefficients of column y on columns xs, from the full cross-product matrix. */
function solve(ZZ: Float64Array, k: number, xs: number[], y: number): Float64Array | null {
  const q = xs.length;
  const A = new Float64Array(q * q);
  const b = new Float64Array(q);
  for (let i = 0; i < q; i++) {
    b[i] = ZZ[xs[i] * k + y];
    for (let j = 0; j < q; j++) A[i * q + j] = ZZ[xs[i] * k + xs[j]];
  }
  const L = cholesky(A, q);
  return L ? choleskySolve(L, q, b) : null;
}

/** R's default (type 7) quantile of a sorted sample. */
export function quantile7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const h = (n - 1) * p;
  const lo = Math.floor(h), hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}
