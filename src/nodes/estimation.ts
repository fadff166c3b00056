// Estimation helpers shared by the estimator nodes (fe, iv, mediation, subgroup; the
// spatial nodes take the regressor list schema): param schemas, the covariance request a
// node asks for, column extraction with errors that name the cells, the conversion of
// kernel errors into the engine's, and the FE model as a plain function (fitFeModel),
// which mediation and subgroup fit equation by equation.
//
// FE model JSON (broom convention, NODES.md):
//   estimator "fe"; call = params; coefficients [{term, estimate, std_error, statistic,
//   p_value, conf_low, conf_high}] for the slopes, then a `_cons` row: the constant as
//   Stata's xtreg, fe reports it (mean of y minus mean of X times beta, with its SE
//   from the regression of y~ + ybar on X~ + xbar and 1);
//   vcov { terms, matrix } over the same rows (incl. `_cons`), for Wald tests;
//   stats { nobs, r2_within, r2_within_adj (fixest war2), r2, r2_adj, f, f_df1, f_df2, f_p,
//   f_classical, f_classical_p, df_resid, sigma, vcov ("cluster(firm)"), vcov_type,
//   vcov_convention, vcov_factor, vcov_k, t_df, n_clusters, singletons_dropped, fe_dof, fe,
//   demean_iterations }; dropped [{term, reason}] when collinear: "drop"; wild_bootstrap
//   when asked. No NaN/Infinity anywhere: null, or { applicable: false, reason }.
import { z } from 'zod';
import { LIMITS, limitOf } from '../graph/limits.js';
import type { ColumnTable } from 'arquero';
import type { ModelJson } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { EconError } from '../econ/errors.js';
import { requireColumns, rowLabeler, listCells, numericColumn } from './columns.js';
import { encodeFactor, type Factor } from '../econ/fe.js';
import { fitFe, type FeResult } from '../econ/fe-ols.js';
import { coefTable, waldZero, toNested, num } from '../econ/inference.js';
import { pUpperF } from '../econ/dist.js';
import { VCOV_TYPES, type VcovRequest, type ClusterConvention, type HeteroConvention } from '../econ/vcov.js';
import { wildClusterBootstrap } from '../econ/wild-bootstrap.js';

/**
 * Run a kernel and convert its errors once: an EconError becomes the engine's FlowError
 * ('options' -> 'validate', 'data' -> 'data') naming the node, with the kernel's error as cause.
 */
export function fromKernel<T>(node: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof EconError) throw new FlowError(e.kind === 'options' ? 'validate' : 'data', e.message, { node }, e);
    throw e;
  }
}

export { columnList, optionalColumnList } from './column-list.js';
import { columnList } from './column-list.js';

const CLUSTER_CONVENTIONS = Object.keys(VCOV_TYPES.cluster.conventions) as [ClusterConvention, ...ClusterConvention[]];

export const panelParam = z.object({
  id: z.string().describe('unit identifier column'),
  time: z.string().describe('period column'),
});

export const vcovParam = z
  .union([
    z.enum(['iid', 'hc1', 'hc0', 'hc1-slopes']),
    z.object({
      cluster: z.union([z.string(), z.array(z.string()).min(1).max(2)]).describe('cluster column (two for two-way clustering)'),
      convention: z.enum(CLUSTER_CONVENTIONS).default('stata-xtreg')
        .describe(Object.entries(VCOV_TYPES.cluster.conventions).map(([k, v]) => `${k}: ${v}`).join('; ')),
    }).strict(),
  ])
  .describe('"iid" | "hc1" (HC0 x N/(N-K-dofFE), Stata areg/reghdfe, fixest hetero) | "hc0" | "hc1-slopes" (plm) | { cluster, convention }; default: cluster by panel id with the Stata xtreg factor');

export const wildBootstrapParam = z.object({
  term: z.string().describe('the coefficient to test (H0: = 0) and bound'),
  reps: z.number().int().min(99).max(limitOf(LIMITS.bootstrapReps)).meta({ limit: LIMITS.bootstrapReps.name }).default(9999),
  weights: z.enum(['rademacher', 'webb']).default('webb').describe('Webb six-point weights suit few clusters'),
  seed: z.number().int().default(1),
  level: z.number().gt(0).lt(1).default(0.95),
}).strict();

export const feParams = z.object({
  y: z.string().describe('dependent variable column'),
  x: columnList.describe('regressor columns (a nested list is flattened: ["lnINF", "$controls"])'),
  fe: z.array(z.string()).optional().describe('fixed-effect columns (any number); default: [panel.id, panel.time] when panel is given, else none'),
  panel: panelParam.optional(),
  vcov: vcovParam.optional(),
  dropSingletons: z.boolean().default(true).describe('iteratively drop observations alone in a fixed-effect group (reghdfe)'),
  collinear: z.enum(['error', 'drop']).default('error').describe('a regressor absorbed by the FE or collinear: error naming it, or drop it and list it'),
  level: z.number().gt(0).lt(1).default(0.95),
  tol: z.number().positive().max(1e-6).default(1e-13).describe('convergence tolerance (relative) of the iterative demeaning, when it is used'),
  wildBootstrap: wildBootstrapParam.optional(),
}).strict();

export type FeParams = z.infer<typeof feParams>;

export const MSG = {
  nanCells: (col: string, cells: string) =>
    `column "${col}" has missing values (NaN/empty) at ${cells}: drop those rows upstream (filter) or fill them (clean-panel)`,
  noPanelForCluster: 'vcov defaults to clustering by the panel id, but no "panel" is given: set panel { id, time } or give vcov explicitly',
} as const;

/** The covariance request a node's params ask for. */
export function resolveVcov(vcov: FeParams['vcov'], panel: FeParams['panel']): { req: VcovRequest; clusterCols: string[] } {
  if (vcov === undefined) {
    if (!panel) return { req: { type: 'hetero', convention: 'hc1' }, clusterCols: [] };
    return { req: { type: 'cluster', by: [panel.id], convention: 'stata-xtreg' }, clusterCols: [panel.id] };
  }
  if (vcov === 'iid') return { req: { type: 'iid' }, clusterCols: [] };
  if (typeof vcov === 'string') return { req: { type: 'hetero', convention: vcov as HeteroConvention }, clusterCols: [] };
  const by = Array.isArray(vcov.cluster) ? vcov.cluster : [vcov.cluster];
  return { req: { type: 'cluster', by, convention: vcov.convention ?? 'stata-xtreg' }, clusterCols: by };
}

export function resolveFe(fe: string[] | undefined, panel: FeParams['panel']): string[] {
  return fe ?? (panel ? [panel.id, panel.time] : []);
}

/**
 * A column's values without copying when the table is neither filtered nor ordered
 * (arquero's array() copies row by row into a plain Array: ~100 ms per 1M rows).
 */
export function columnValues(t: ColumnTable, name: string): ArrayLike<unknown> {
  const col = (t as unknown as { column(n: string): unknown }).column(name);
  if (!t.isFiltered() && !t.isOrdered() && (ArrayBuffer.isView(col) || Array.isArray(col))) {
    const a = col as ArrayLike<unknown>;
    if (a.length === t.numRows()) return a;
  }
  return t.array(name) as ArrayLike<unknown>;
}

/** Numeric columns with no missing cells (the error names the cells). */
export function completeNumeric(t: ColumnTable, cols: string[], node: string, panel?: FeParams['panel']): Float64Array[] {
  // the labeller copies the id/time columns: build it only when there is something to report
  const label = (r: number) => rowLabeler(t, panel?.id, panel?.time)(r);
  return cols.map((c) => {
    const raw = columnValues(t, c);
    const v = raw instanceof Float64Array ? raw : numericColumn(t, c, label, node);
    let nan = false;
    for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) { nan = true; break; }
    if (nan) {
      const bad: number[] = [];
      for (let i = 0; i < v.length; i++) if (Number.isNaN(v[i])) bad.push(i);
      const lab = rowLabeler(t, panel?.id, panel?.time);
      throw dataError(MSG.nanCells(c, listCells(bad, lab)), { node });
    }
    return v;
  });
}

/** Factor columns (numbers or strings) with no missing cells. */
export function factorColumns(t: ColumnTable, cols: string[], node: string, panel?: FeParams['panel']): Factor[] {
  return cols.map((c) => {
    const v = columnValues(t, c);
    const bad: number[] = [];
    if (v instanceof Float64Array) {
      for (let i = 0; i < v.length; i++) if (v[i] !== v[i]) bad.push(i);
    } else {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null || x === undefined || x === '' || (typeof x === 'number' && Number.isNaN(x))) bad.push(i);
      }
    }
    if (bad.length) throw dataError(MSG.nanCells(c, listCells(bad, rowLabeler(t, panel?.id, panel?.time))), { node });
    return encodeFactor(v);
  });
}

/** Cluster factors; a cluster column that is also a fixed effect reuses that factor (same column, same codes). */
export function clusterFactors(t: ColumnTable, cols: string[], fe: string[], factors: Factor[], node: string, panel?: FeParams['panel']): Factor[] {
  return cols.map((c) => (fe.includes(c) ? factors[fe.indexOf(c)] : factorColumns(t, [c], node, panel)[0]));
}

export interface FitOptions {
  nodeId?: string;
  timings?: Record<string, number>;
}

/** Fit the `fe` node on a table: the node's whole computation as a plain function. */
export function fitFeModel(table: ColumnTable, params: FeParams, opts: FitOptions = {}): ModelJson {
  const p = feParams.parse(params);
  const node = opts.nodeId ?? 'fe';
  const fe = resolveFe(p.fe, p.panel);
  const { req, clusterCols } = resolveVcov(p.vcov, p.panel);
  requireColumns(table, [p.y, ...p.x, ...fe, ...clusterCols], 'data', node);
  const t0 = performance.now();
  const [y, ...X] = completeNumeric(table, [p.y, ...p.x], node, p.panel);
  const factors = factorColumns(table, fe, node, p.panel);
  const clusters = clusterFactors(table, clusterCols, fe, factors, node, p.panel);
  if (opts.timings) opts.timings.extract = performance.now() - t0;
  const res = fromKernel(node, () => fitFe(
    { y, yName: p.y, X, xNames: p.x, factors, feNames: fe, clusters },
    { vcov: req, dropSingletons: p.dropSingletons, collinear: p.collinear, tol: p.tol, timings: opts.timings },
  ));
  const model = feModelJson(res, p, fe);
  if (p.wildBootstrap) {
    if (clusters.length !== 1) throw new FlowError('validate', 'wildBootstrap needs one-way cluster covariance: set vcov { cluster: "<column>" }', { node });
    const j = res.terms.indexOf(p.wildBootstrap.term);
    if (j < 0) throw new FlowError('validate', `wildBootstrap.term "${p.wildBootstrap.term}" is not a regressor; use one of ${res.terms.join(', ')}`, { node });
    const { reps, weights, seed, level } = p.wildBootstrap;
    const wb = fromKernel(node, () => wildClusterBootstrap({ y: res.yd, X: res.Xd, cluster: res.clusters[0], term: j, vcovFactor: res.vcov.factor, reps, weights, seed, level }));
    model.wild_bootstrap = { term: p.wildBootstrap.term, ...wb };
  }
  return model;
}

/** The stats fe and iv share, in this order: residual dof and scale, the covariance convention, the sample and the FE. */
export function residualStats(res: Pick<FeResult, 'dfResid' | 'ssr' | 'vcov' | 'singletonsDropped' | 'dofFE'>, fe: string[]) {
  return {
    df_resid: res.dfResid,
    sigma: num(Math.sqrt(res.ssr / res.dfResid)),
    ssr: num(res.ssr),
    vcov: res.vcov.label,
    vcov_type: res.vcov.type,
    vcov_convention: res.vcov.convention,
    vcov_factor: num(res.vcov.factor),
    vcov_k: res.vcov.kUsed,
    t_df: res.vcov.dfT,
    n_clusters: res.vcov.nClusters ?? { applicable: false, reason: 'not a cluster covariance' },
    singletons_dropped: res.singletonsDropped,
    fe,
    fe_dof: res.dofFE,
  };
}

/** Model JSON of a fitted FE result. */
export function feModelJson(res: FeResult, p: FeParams, fe: string[]): ModelJson {
  const k = res.terms.length, k1 = k + 1;
  const V = res.vcov.V;
  const est = [...res.beta, res.cons];
  const terms = [...res.terms, '_cons'];
  const coefficients = coefTable(terms, est, V, k1, res.vcov.dfT, p.level);
  const idx = Array.from({ length: k }, (_, i) => i);
  // A cluster-robust covariance has rank at most G - 1 (the G cluster scores sum to zero):
  // with more slopes than that the joint Wald F is not defined (Stata prints it as missing);
  // with exactly G - 1 it is defined but has no degrees of freedom left (a Hotelling T2 on
  // G - 1 = k score vectors: F(k, 1)-like tails, values in the hundreds under H0). Neither is reported.
  const G = res.vcov.nClusters;
  const fUndefined = G != null && k >= G - 1
    ? { applicable: false, reason: k > G - 1
      ? `${k} slopes but the cluster-robust covariance has rank at most G - 1 = ${G - 1}`
      : `${k} slopes from ${G} clusters: the cluster-robust covariance (rank at most G - 1 = ${G - 1}) leaves no degrees of freedom for a joint test; it needs more than k + 1 clusters` }
    : null;
  const wald = k > 0 && !fUndefined ? waldZero(est, V, k1, idx, res.vcov.dfT) : null;
  const fClassical = ((res.tssWithin - res.ssr) / k) / (res.ssr / res.dfResid);
  const N = res.nobs;
  const r2w = 1 - res.ssr / res.tssWithin;
  const r2 = 1 - res.ssr / res.tssTotal;
  return {
    estimator: 'fe',
    call: p as unknown as Record<string, unknown>,
    coefficients,
    stats: {
      nobs: N,
      r2_within: num(r2w),
      // fixest's war2 / reghdfe's r2_a_within: the within model has N - dofFE observations' worth of dof
      r2_within_adj: num(1 - (1 - r2w) * (N - res.dofFE) / res.dfResid),
      r2: num(r2),
      r2_adj: num(1 - (1 - r2) * (N - 1) / res.dfResid),
      f: fUndefined ?? (wald ? num(wald.F) : null),
      f_df1: k,
      f_df2: res.vcov.dfT,
      f_p: fUndefined ?? (wald ? num(wald.p) : null),
      f_classical: num(fClassical),
      f_classical_p: num(pUpperF(fClassical, k, res.dfResid)),
      ...residualStats(res, fe),
      demean_iterations: res.demean.iterations,
    },
    vcov: { terms, matrix: toNested(V, k1) },
    dropped: res.dropped,
  };
}

