// The within (fixed-effects) OLS estimator as a pure kernel: drop singletons, demean
// by alternating projections, rank-check, solve by Cholesky, then hand the pieces to
// the covariance registry. The result is plain data; SEs, t, p and intervals are
// functions of it (see inference.ts).
import { cholesky, choleskySolve, choleskyInverse, rankCheck, type Columns } from './linalg.js';
import { demean, absorbedDof, nonNestedDof, singletonMask, subsetFactor, encodeFactor, autoThreads, warmThreads, type Factor, type DemeanInfo } from './fe.js';
import { gramOnThreads, residualsOnThreads } from './fe/threads.js';
import { computeVcov, type VcovRequest, type VcovResult, type VcovProblem } from './vcov.js';
import { econData } from './errors.js';

export interface FeInput {
  y: Float64Array;
  yName: string;
  X: Columns;
  xNames: string[];
  /** raw FE factors (already encoded), one per dimension; [] for pooled OLS with a constant */
  factors: Factor[];
  feNames: string[];
  /** cluster factors, for the cluster covariance */
  clusters?: Factor[];
}

export interface FeOptions {
  vcov: VcovRequest;
  dropSingletons?: boolean;
  /** 'error' (default): a collinear or absorbed regressor is an error naming it; 'drop': drop and report */
  collinear?: 'error' | 'drop';
  tol?: number;
  /** filled with milliseconds per phase when given (kept out of the result: results are hashed) */
  timings?: Record<string, number>;
  /** threads for the demeaning, the Gram matrix and the residuals (default 'auto': every core for large problems); only speed depends on it */
  threads?: number | 'auto';
}

export interface DroppedTerm { term: string; reason: 'absorbed by the fixed effects' | 'collinear with other regressors' }

export interface FeResult {
  terms: string[];
  beta: Float64Array;
  /** V of [slopes..., _cons] (k+1 square) with the chosen convention */
  vcov: VcovResult;
  cons: number;
  dropped: DroppedTerm[];
  nobs: number;
  singletonsDropped: number;
  /** rows of the input used (after singleton removal) */
  rows: Int32Array;
  dofFE: number;
  dfResid: number;
  ssr: number;
  tssWithin: number;
  tssTotal: number;
  demean: DemeanInfo;
  /** demeaned y, X (kept columns) and residuals: for bootstraps and diagnostics */
  yd: Float64Array;
  Xd: Columns;
  resid: Float64Array;
  XtXinv: Float64Array;
  factors: Factor[];
  clusters: Factor[];
  nonNestedDof: number;
  xMeans: Float64Array;
  yMean: number;
}

const now = () => performance.now();

const NOT_CONVERGED = (sweeps: number) =>
  `the within transformation did not converge in ${sweeps} sweeps of alternating projections: the fixed effects are nearly collinear or the panel is poorly connected; check the fe columns`;

/** The within transformation of the columns, or a data error when it does not converge. */
export function demeanOrThrow(columns: Float64Array[], factors: Factor[], tol?: number, counts?: Float64Array[], threads: number | 'auto' = 'auto', moments = false): { out: Float64Array[]; info: DemeanInfo; moments?: Float64Array } {
  const r = demean(columns, factors, { tol, counts, threads, moments });
  if (!r.info.converged) throw econData(NOT_CONVERGED(r.info.iterations));
  return r;
}

/** Rows kept after singleton removal, and the factors re-coded on them. */
export function prepareSample(n: number, factors: Factor[], clusters: Factor[], dropSingletons: boolean) {
  const mask = dropSingletons ? singletonMask(factors, n) : null;
  const dropped = mask?.dropped ?? 0;
  if (!mask || dropped === 0) {
    const rows = new Int32Array(n);
    for (let i = 0; i < n; i++) rows[i] = i;
    // rows per level, when the mask counted them (saves the demeaning a pass per factor)
    const counts = mask ? mask.counts.map((c) => Float64Array.from(c)) : undefined;
    return { rows, factors, clusters, dropped: 0, subset: false, counts };
  }
  const keep = mask.keep;
  const rows = new Int32Array(n - dropped);
  let r = 0;
  for (let i = 0; i < n; i++) if (keep[i]) rows[r++] = i;
  return { rows, factors: factors.map((f) => subsetFactor(f, rows)), clusters: clusters.map((f) => subsetFactor(f, rows)), dropped, subset: true, counts: undefined };
}

export function take(x: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = x[rows[r]];
  return out;
}

/** A constant as a one-level factor: demeaning by it centres, and its dof is 1. */
export function constantFactor(n: number): Factor {
  return { codes: new Int32Array(n), nLevels: 1 };
}

/** Fit y on X with the given fixed effects. */
export function fitFe(input: FeInput, opts: FeOptions): FeResult {
  const t = opts.timings;
  let t0 = now();
  const n0 = input.y.length;
  const threads = opts.threads === 'auto' || opts.threads === undefined ? autoThreads(n0, input.X.length + 1) : opts.threads;
  if (threads > 1) warmThreads(threads); // the workers start while the sample is prepared
  const clusters0 = input.clusters ?? [];
  const sample = prepareSample(n0, input.factors, clusters0, opts.dropSingletons ?? true);
  const rows = sample.rows;
  const N = rows.length;
  const factors = sample.factors.length > 0 ? sample.factors : [constantFactor(N)];
  const y = sample.subset ? take(input.y, rows) : input.y;
  const X = sample.subset ? input.X.map((c) => take(c, rows)) : input.X;
  if (N === 0) throw econData('no observations left after removing singleton groups');
  if (t) { t.sample = (t.sample ?? 0) + now() - t0; t0 = now(); }

  const { out, info, moments } = demeanOrThrow([y, ...X], factors, opts.tol, sample.factors.length > 0 ? sample.counts : undefined, threads, true);
  const yd = out[0];
  let Xd = out.slice(1);
  if (t) t.demean = (t.demean ?? 0) + now() - t0;
  t0 = now();

  // The Gram matrix of [X~, y~] (X'X, X'y and y'y; one task per entry on the threads), and
  // meanwhile the factors' connected components for the absorbed dof
  const k0 = Xd.length;
  const { gram, components } = gramOnThreads([...Xd, yd], factors, threads);
  const g1 = k0 + 1;
  const XtX0 = new Float64Array(k0 * k0);
  for (let a = 0; a < k0; a++) for (let b = 0; b < k0; b++) XtX0[a * k0 + b] = gram[a * g1 + b];
  const tssWithin = gram[k0 * g1 + k0];
  // raw means and sums of squares (rawMoments, from the demeaning's pass over the columns):
  // the constant, and the scale that tells a column absorbed by the FE from a small one
  const mom = (j: number) => ({ mean: moments![2 * j], ss: moments![2 * j + 1] });
  const yMom = mom(0), xMom = X.map((_, j) => mom(j + 1));
  // rank check: absorbed (zero after demeaning) and collinear columns, by name
  const rc = rankCheck(XtX0, k0, 1e-9, Float64Array.from(xMom.map((m, j) => Math.max(m.ss, XtX0[j * k0 + j]))));
  const dropped: DroppedTerm[] = [
    ...rc.zero.map((j) => ({ term: input.xNames[j], reason: 'absorbed by the fixed effects' as const })),
    ...rc.collinear.map((j) => ({ term: input.xNames[j], reason: 'collinear with other regressors' as const })),
  ];
  if (dropped.length > 0 && (opts.collinear ?? 'error') === 'error') {
    const absorbed = dropped.filter((d) => d.reason === 'absorbed by the fixed effects').map((d) => d.term);
    const coll = dropped.filter((d) => d.reason !== 'absorbed by the fixed effects').map((d) => d.term);
    const parts: string[] = [];
    if (absorbed.length) parts.push(`${absorbed.join(', ')} ${absorbed.length > 1 ? 'do' : 'does'} not vary within the fixed effects (${input.feNames.join(' + ') || 'constant'}) and cannot be estimated`);
    if (coll.length) parts.push(`${coll.join(', ')} ${coll.length > 1 ? 'are' : 'is'} collinear with the other regressors (singular design)`);
    throw econData(`${parts.join('; ')}: remove ${dropped.length > 1 ? 'them' : 'it'} from x, or set collinear: "drop"`);
  }
  const kept = rc.kept;
  Xd = kept.map((j) => Xd[j]);
  const terms = kept.map((j) => input.xNames[j]);
  const k = kept.length;
  const XtX = new Float64Array(k * k);
  const Xty = new Float64Array(k);
  kept.forEach((ja, a) => { Xty[a] = gram[ja * g1 + k0]; kept.forEach((jb, b) => { XtX[a * k + b] = gram[ja * g1 + jb]; }); });
  const L = k > 0 ? cholesky(XtX, k) : new Float64Array(0);
  if (!L) throw econData(`the regressors ${terms.join(', ')} are collinear after removing the fixed effects (singular design)`);
  const beta = k > 0 ? choleskySolve(L, k, Xty) : new Float64Array(0);
  const XtXinv = k > 0 ? choleskyInverse(L, k) : new Float64Array(0);
  const { resid, ssr } = residualsOnThreads(yd, Xd, beta, threads) ?? residuals(yd, Xd, beta);
  const yMean = yMom.mean;
  const tssTotal = yMom.ss;
  const xMeans = Float64Array.from(kept.map((j) => xMom[j].mean));
  let cons = yMean;
  for (let a = 0; a < k; a++) cons -= xMeans[a] * beta[a];
  if (t) t.solve = (t.solve ?? 0) + now() - t0;
  t0 = now();

  const { vcov, dofFE, nonNestedDof: nnd, clusters } = varianceWithConstant(opts.vcov, {
    scores: Xd, xMeans, bread: XtXinv, resid, factors, clusters: sample.clusters, components,
    hat: { X: Xd, bread: XtXinv, projectFE: (v) => demean([v], factors, { tol: 1e-14 }).out[0] },
  });
  if (t) t.variance = (t.variance ?? 0) + now() - t0;

  return {
    terms, beta, vcov, cons, dropped, nobs: N, singletonsDropped: sample.dropped, rows, dofFE,
    dfResid: N - dofFE - k, ssr, tssWithin, tssTotal, demean: info, yd, Xd, resid, XtXinv,
    factors, clusters, nonNestedDof: nnd, xMeans, yMean,
  };
}

/**
 * The variance step of fe and iv: the absorbed dof (and the check that some are left),
 * those not nested in the clusters, and V over [slopes..., _cons] for the score design
 * with the constant put back, [scores + xMeans, 1] (Stata's xtreg, fe constant).
 */
export function varianceWithConstant(req: VcovRequest, p: {
  scores: Columns; xMeans: Float64Array; bread: Float64Array; resid: Float64Array;
  factors: Factor[]; clusters: Factor[]; hat?: VcovProblem['hat'];
  /** connected components of the first two factors, when already counted */
  components?: number | null;
}): { vcov: VcovResult; dofFE: number; nonNestedDof: number; clusters: Factor[] } {
  const N = p.resid.length, k = p.scores.length;
  const dofFE = absorbedDof(p.factors, p.components);
  if (N - dofFE - k <= 0) throw econData(`${N} observations cannot identify ${k} coefficient(s) beside ${dofFE} absorbed fixed-effect levels: no residual degrees of freedom`);
  const clusters = p.clusters;
  const nnd = clusters.length > 0 ? nonNestedDof(p.factors, clusters, dofFE) : dofFE - 1;
  const breadW = augmentedBread(p.xMeans, p.bread, N);
  const vcov = computeVcov(req, {
    X: p.scores, shift: p.xMeans, bread: breadW, resid: p.resid, nSlopes: k, dofFE, clusters, nonNestedDof: nnd, hat: p.hat,
  });
  return { vcov, dofFE, nonNestedDof: nnd, clusters };
}

/**
 * (W'W)^-1 for W = [X~ + xbar, 1] in closed form from A = (X~'X~)^-1 (X~ has mean zero):
 * [[A, -A xbar], [-xbar'A, 1/N + xbar'A xbar]]. W itself stays implicit (vcov `shift`).
 */
export function augmentedBread(xMeans: Float64Array, A: Float64Array, N: number): Float64Array {
  const k = xMeans.length, k1 = k + 1;
  const B = new Float64Array(k1 * k1);
  const Ax = new Float64Array(k);
  for (let a = 0; a < k; a++) { let s = 0; for (let b = 0; b < k; b++) s += A[a * k + b] * xMeans[b]; Ax[a] = s; }
  let xAx = 0;
  for (let a = 0; a < k; a++) xAx += xMeans[a] * Ax[a];
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) B[a * k1 + b] = A[a * k + b];
    B[a * k1 + k] = -Ax[a];
    B[k * k1 + a] = -Ax[a];
  }
  B[k * k1 + k] = 1 / N + xAx;
  return B;
}

/** Residuals y - X beta and their sum of squares, in one pass over row blocks. */
export function residuals(y: Float64Array, X: Columns, beta: ArrayLike<number>): { resid: Float64Array; ssr: number } {
  const N = y.length, k = X.length;
  const resid = new Float64Array(N);
  let ssr = 0;
  for (let s = 0; s < N; s += 4096) {
    const e = Math.min(N, s + 4096);
    for (let i = s; i < e; i++) resid[i] = y[i];
    for (let a = 0; a < k; a++) { const xa = X[a], b = beta[a]; for (let i = s; i < e; i++) resid[i] -= xa[i] * b; }
    for (let i = s; i < e; i++) ssr += resid[i] * resid[i];
  }
  return { resid, ssr };
}

/**
 * Per-column reference sums of squares for the rank check: the raw column's sum of
 * squares about its mean (a column whose demeaned version is ~0 relative to this was
 * absorbed by the fixed effects); at least the demeaned one.
 */
export function rawScale(raw: Columns, XtX: Float64Array): Float64Array {
  const k = raw.length;
  return Float64Array.from(raw.map((c, j) => {
    const n = c.length;
    let m = 0;
    for (let i = 0; i < n; i++) m += c[i];
    m /= n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (c[i] - m) * (c[i] - m);
    return Math.max(s, XtX[j * k + j]);
  }));
}

/** Encode a list of raw columns as factors. */
export function encodeAll(cols: ArrayLike<unknown>[]): Factor[] {
  return cols.map((c) => encodeFactor(c));
}
