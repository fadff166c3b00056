// The sar / sdm nodes' whole computation as a plain function (checked wrapper around
// the kernels in src/econ/spatial): checks columns, ids and balance, reorders the panel
// to W's unit order stacked by period, fits by concentrated ML, simulates effects.
//
// Model JSON (NODES.md): estimator 'sar' | 'sdm'; call = params; coefficients: beta rows,
// then theta rows named `W*x` (normal z tests); stats { nobs, n_units, n_periods, rho,
// rho_se, rho_z, rho_p, sigma2, sigma2_se, loglik, r2 (squared correlation of y with
// the reduced-form prediction (I - rho W)^-1 (X b + W X theta + FE)), r2_within
// (1 - e'e / y~'y~, Elhorst), fe, lee_yu, ... }; effects { direct | indirect | total:
// [{ term, estimate, std_error, statistic, p_value, conf_low, conf_high }] } (LeSage-Pace,
// exact point estimates, simulated standard errors); vcov { terms: [x, W*x, rho], matrix }.
import { z } from 'zod';
import { LIMITS, limitOf } from '../graph/limits.js';
import type { ColumnTable } from 'arquero';
import type { IdMatrix, ModelJson } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { requireColumns, rowLabeler, listCells, numericColumn, isMissing } from './columns.js';
import { prepareW, type WSetup } from '../econ/spatial/setup.js';
import { fitSpatialPanel, type SpatialMlFit } from '../econ/spatial/ml.js';
import { spatialEffects, type Effects } from '../econ/spatial/effects.js';
import { coefTable, num, toNested } from '../econ/inference.js';
import { columnList } from './column-list.js';
import { pTwoSidedNormal, qNormal } from '../econ/dist.js';
import type { DroppedUnit } from './clean-panel.js';
import { VCOV_TYPES } from '../econ/vcov-types.js';

const MAX_LISTED = 8;

export const spatialPanelParam = z.object({
  id: z.string().describe("unit identifier column (its values must be W's ids)"),
  time: z.string().describe('period column'),
}).strict();

export const effectsParam = z.object({
  draws: z.number().int().min(10).max(limitOf(LIMITS.draws)).meta({ limit: LIMITS.draws.name }).default(1000).describe('draws from the asymptotic distribution of (beta, theta, rho) for the effect standard errors'),
  seed: z.number().int().default(1),
}).strict();

const baseShape = {
  y: z.string().describe('dependent variable column'),
  x: columnList.describe('regressor columns (a nested list is flattened: ["lnINF", "$controls"])'),
  fe: z.enum(['individual', 'time', 'twoways']).default('twoways').describe('fixed effects: unit, period or both'),
  panel: spatialPanelParam,
  leeYu: z.boolean().default(false).describe('Lee-Yu (2010) bias correction (transformation approach): individual FE: sigma2 x T/(T-1); time effects: one unit and the unit eigenvalue of the row-standardised W dropped from the likelihood'),
  effects: effectsParam.default({ draws: 1000, seed: 1 }),
  information: z.enum(['expected', 'observed']).default('expected')
    .describe(Object.entries(VCOV_TYPES.ml.conventions).map(([k, v]) => `${k}: ${v}`).join('; ')),
};

export const sarParams = z.object(baseShape).strict();
export const sdmParams = z.object({
  ...baseShape,
  wx: z.array(z.string()).optional().describe('regressors also entered as W x (default: all of x)'),
}).strict();

export type SarParams = z.infer<typeof sarParams>;
export type SdmParams = z.infer<typeof sdmParams>;

const MSG = {
  wShape: (n: number, ids: number, len: number) =>
    `the weights matrix is malformed: ${ids} ids, n = ${n}, ${len} cells (need n x n). Build it with w-matrix or load-matrix.`,
  wBad: (ids: string[]) => `W has non-finite weights in the row(s) of ${ids.join(', ')}: fix the matrix.`,
  wDupIds: (ids: string[]) => `W's ids repeat ${ids.join(', ')}: each unit needs one row and column.`,
  missingTime: (col: string, cells: string) => `column "${col}" has missing periods at ${cells}: drop or fix those rows.`,
  wZero: (ids: string[]) => `unit(s) ${ids.join(', ')} have no neighbours in W (zero row): the spatial lag is undefined there. Rebuild W (a larger cutoffKm, knn) or drop the unit(s).`,
  unknownIds: (col: string, ids: string[], more: number) =>
    `the panel's "${col}" has unit(s) that W does not know: ${ids.join(', ')}${more ? ` and ${more} more` : ''}. W's ids must be exactly the panel's units: rebuild W from the same units or filter the panel.`,
  missingIds: (col: string, ids: string[], more: number) =>
    `W has unit(s) absent from the panel's "${col}": ${ids.join(', ')}${more ? ` and ${more} more` : ''}. W's ids must be exactly the panel's units: build W from the panel's units only.`,
  duplicate: (cells: string, id: string, time: string) =>
    `rows are duplicated on (${id}, ${time}) at ${cells}: each unit may appear once per period.`,
  unbalanced: (cells: string, count: number) =>
    `the panel is unbalanced: ${count} unit-period(s) are missing: ${cells}. Spatial panel ML needs every unit in every period: fill them (clean-panel) or drop the periods/units (filter), and rebuild W for the kept units.`,
  missingValues: (col: string, cells: string) =>
    `column "${col}" has missing values at ${cells}: spatial lags need every unit-period; fill them (clean-panel) or drop the unit or period.`,
  unknownWx: (bad: string[], x: string[]) => `wx names ${bad.join(', ')}, which are not in x (${x.join(', ')}).`,
  fewPeriods: (T: number) => `the panel has ${T} period(s): fixed-effects spatial panels need at least 2.`,
} as const;

export interface SpatialFitOptions {
  nodeId?: string;
  /** clean-panel reports of the panel's cleaning (optional input `cleaning`): say which step removed a unit W has */
  cleaning?: { node: string; report: unknown }[];
  timings?: Record<string, number>;
}

// prepareW (eigenvalues, or an envelope-LU pattern) is the expensive part of a fit; W values
// are immutable once produced, so fits sharing one W share it.
const setupCache = new WeakMap<Float64Array, WSetup>();

function setupFor(w: IdMatrix): WSetup {
  let s = setupCache.get(w.data);
  if (!s) { s = prepareW(w.data, w.n); setupCache.set(w.data, s); }
  return s;
}

const shortList = (xs: string[]) => ({ shown: xs.slice(0, MAX_LISTED), more: Math.max(0, xs.length - MAX_LISTED) });

/** Checks W itself: shape, finite, no zero rows. */
export function checkWeights(w: IdMatrix, node: string): void {
  if (w.ids.length !== w.n || w.data.length !== w.n * w.n) throw dataError(MSG.wShape(w.n, w.ids.length, w.data.length), { node });
  const seen = new Set<string>();
  const dup = w.ids.filter((v) => seen.has(v) || !seen.add(v));
  if (dup.length) throw dataError(MSG.wDupIds([...new Set(dup)].slice(0, MAX_LISTED)), { node });
  const bad: string[] = [], zero: string[] = [];
  for (let i = 0; i < w.n; i++) {
    let s = 0, finite = true;
    for (let j = 0; j < w.n; j++) { const v = w.data[i * w.n + j]; if (!Number.isFinite(v)) finite = false; s += Math.abs(v); }
    if (!finite) bad.push(w.ids[i]); else if (s === 0) zero.push(w.ids[i]);
  }
  if (bad.length) throw dataError(MSG.wBad(bad), { node });
  if (zero.length) throw dataError(MSG.wZero(zero), { node });
}

/** " Chizhou was removed by node panel (clean-panel): ..." for the absent units a cleaning report names. */
function removedBy(ids: string[], cleaning: SpatialFitOptions['cleaning'] = []): string {
  const out: string[] = [];
  for (const { node, report } of cleaning) {
    const units = (report as { dropped?: { units?: unknown } } | null)?.dropped?.units;
    if (!Array.isArray(units)) continue;
    for (const d of units as DroppedUnit[]) if (ids.includes(String(d?.id))) out.push(`${String(d.id)} was removed by node ${node} (clean-panel, step ${d.step ?? 'continuity'}): its longest run of consecutive complete years is ${d.longestRun}, fewer than continuity = ${d.continuity}`);
  }
  return out.length ? ` ${out.join('; ')}: lower "continuity", fill the unit's data, or build W without it.` : '';
}

export function fitSpatialModel(
  table: ColumnTable, w: IdMatrix, params: SarParams | SdmParams, kind: 'sar' | 'sdm', opts: SpatialFitOptions = {},
): ModelJson {
  const node = opts.nodeId ?? kind;
  const p = kind === 'sdm' ? sdmParams.parse(params) : sarParams.parse(params);
  const t0 = performance.now();
  const { id, time } = p.panel;
  requireColumns(table, [p.y, ...p.x, id, time], 'data', node);
  checkWeights(w, node);
  const wxNames = kind === 'sdm' ? ((p as SdmParams).wx ?? p.x) : [];
  const badWx = wxNames.filter((v) => !p.x.includes(v));
  if (badWx.length) throw new FlowError('validate', MSG.unknownWx(badWx, p.x), { node });

  // ids: the panel's units must be exactly W's, in W's order
  const label = rowLabeler(table, id, time);
  const idCol = table.array(id) as ArrayLike<unknown>;
  const timeCol = table.array(time) as ArrayLike<unknown>;
  const rows = table.numRows();
  const unitOf = new Map(w.ids.map((u, i) => [u, i]));
  const seenUnit = new Uint8Array(w.n);
  const unknown = new Set<string>();
  const unitIdx = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const u = unitOf.get(String(idCol[r]));
    if (u === undefined) { unknown.add(String(idCol[r])); continue; }
    unitIdx[r] = u;
    seenUnit[u] = 1;
  }
  if (unknown.size) { const l = shortList([...unknown]); throw dataError(MSG.unknownIds(id, l.shown, l.more), { node }); }
  const absent = w.ids.filter((_, i) => !seenUnit[i]);
  if (absent.length) { const l = shortList(absent); throw dataError(MSG.missingIds(id, l.shown, l.more) + removedBy(absent, opts.cleaning), { node }); }

  // periods, sorted (numerically when they are numbers)
  const noTime: number[] = [];
  for (let r = 0; r < rows; r++) if (isMissing(timeCol[r])) noTime.push(r);
  if (noTime.length) throw dataError(MSG.missingTime(time, listCells(noTime, label)), { node });
  const timeKeys = [...new Set(Array.from(timeCol, (v) => v))];
  const numericTime = timeKeys.every((v) => typeof v === 'number');
  timeKeys.sort((a, b) => (numericTime ? (a as number) - (b as number) : String(a).localeCompare(String(b))));
  const timeOf = new Map(timeKeys.map((v, t) => [numericTime ? v : String(v), t]));
  const n = w.n, T = timeKeys.length;
  if (T < 2) throw dataError(MSG.fewPeriods(T), { node });
  const pos = new Int32Array(n * T).fill(-1);
  const dup: number[] = [];
  for (let r = 0; r < rows; r++) {
    const t = timeOf.get(numericTime ? timeCol[r] : String(timeCol[r]))!;
    const k = t * n + unitIdx[r];
    if (pos[k] >= 0) dup.push(r); else pos[k] = r;
  }
  if (dup.length) throw dataError(MSG.duplicate(listCells(dup, label), id, time), { node });
  const missing: string[] = [];
  for (let k = 0; k < n * T; k++) if (pos[k] < 0) missing.push(`(${w.ids[k % n]}, ${String(timeKeys[Math.floor(k / n)])})`);
  if (missing.length) {
    const cells = missing.slice(0, MAX_LISTED).join(', ') + (missing.length > MAX_LISTED ? ` and ${missing.length - MAX_LISTED} more` : '');
    throw dataError(MSG.unbalanced(cells, missing.length), { node });
  }

  // variables stacked by period in W's order
  const stack = (col: string) => {
    const v = numericColumn(table, col, label, node);
    const out = new Float64Array(n * T);
    const bad: number[] = [];
    for (let k = 0; k < n * T; k++) { const x = v[pos[k]]; if (Number.isNaN(x)) bad.push(pos[k]); out[k] = x; }
    if (bad.length) throw dataError(MSG.missingValues(col, listCells(bad, label)), { node });
    return out;
  };
  const y = stack(p.y);
  const X = p.x.map(stack);
  const t1 = performance.now();
  const setup = setupFor(w);
  const t2 = performance.now();

  let fit: SpatialMlFit;
  try {
    fit = fitSpatialPanel({ n, T, y, X, wx: wxNames.map((v) => p.x.indexOf(v)), fe: p.fe, leeYu: p.leeYu, setup, information: p.information });
  } catch (e) {
    if (e instanceof FlowError) throw e;
    throw new FlowError('data', (e as Error).message, { node }, e);
  }
  const t3 = performance.now();

  // effects: draws from (beta, theta, rho) without sigma2
  const K = X.length + wxNames.length;
  const P = K + 1, P2 = K + 2;
  const V = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) V[a * P + b] = fit.vcov[a * P2 + b];
  const kx = X.length;
  const beta = fit.coef.slice(0, kx);
  const theta = new Float64Array(kx);
  const thetaIndex = p.x.map((v) => { const j = wxNames.indexOf(v); return j < 0 ? null : kx + j; });
  thetaIndex.forEach((pos2, k) => { if (pos2 !== null) theta[k] = fit.coef[pos2]; });
  let eff: Effects;
  try {
    eff = spatialEffects({ setup, inverse: fit.inverse, rho: fit.rho, xNames: p.x, beta, theta, thetaIndex, vcov: V, draws: p.effects.draws, seed: p.effects.seed });
  } catch (e) {
    throw new FlowError('data', (e as Error).message, { node }, e);
  }
  const t4 = performance.now();
  if (opts.timings) {
    Object.assign(opts.timings, {
      extract: t1 - t0, wSetup: t2 - t1, demeanAndLags: fit.timings.setupMs, optimise: fit.timings.optimiseMs,
      variance: fit.timings.varianceMs, effects: t4 - t3,
    });
  }
  return spatialModelJson(fit, eff, p, kind, wxNames, setup);
}

function spatialModelJson(fit: SpatialMlFit, eff: Effects, p: SarParams | SdmParams, kind: 'sar' | 'sdm', wxNames: string[], setup: WSetup): ModelJson {
  const K = fit.coef.length, P2 = K + 2;
  const terms = [...p.x, ...wxNames.map((v) => `W*${v}`)];
  const coefficients = coefTable(terms, fit.coef, fit.vcov, P2, Infinity);
  const rhoSe = Math.sqrt(fit.vcov[K * P2 + K]);
  const q = qNormal(0.975);
  const effRows = (rows: Effects['direct']) => rows.map((r) => ({
    term: r.term, estimate: num(r.estimate), std_error: num(r.std_error), statistic: num(r.statistic), p_value: num(r.p_value),
    conf_low: num(r.estimate - q * r.std_error), conf_high: num(r.estimate + q * r.std_error),
  }));
  const P = K + 1;
  const V = new Float64Array(P * P);
  for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) V[a * P + b] = fit.vcov[a * P2 + b];
  return {
    estimator: kind,
    call: p as unknown as Record<string, unknown>,
    coefficients,
    stats: {
      nobs: fit.n * fit.T,
      n_units: fit.n,
      n_periods: fit.T,
      rho: num(fit.rho),
      rho_se: num(rhoSe),
      rho_z: num(fit.rho / rhoSe),
      rho_p: num(pTwoSidedNormal(fit.rho / rhoSe)),
      sigma2: num(fit.sigma2),
      sigma2_se: num(Math.sqrt(fit.vcov[(K + 1) * P2 + K + 1])),
      loglik: num(fit.loglik),
      r2: num(fit.r2),
      r2_within: num(fit.r2Within),
      fe: p.fe,
      lee_yu: p.leeYu,
      likelihood_n: fit.nEff * fit.tEff,
      rho_interval: [num(fit.interval[0]), num(fit.interval[1])],
      logdet_method: setup.route === 'symmetric-eigen'
        ? 'eigenvalues of the symmetric matrix similar to W'
        : `envelope LU of I - rho W at each rho (reverse Cuthill-McKee order, bandwidth ${setup.bandwidth})`,
      vcov: p.information === 'observed' ? 'ML, analytical observed information (Hessian)' : 'ML, analytical information matrix',
      information: p.information,
      effects_draws: eff.draws,
      effects_seed: eff.seed,
      effects_redrawn: eff.redrawn,
      effects_method: `point estimates exact; standard errors from ${eff.draws} draws; ${eff.method}`,
      optimizer_evaluations: fit.evaluations,
    },
    effects: { direct: effRows(eff.direct), indirect: effRows(eff.indirect), total: effRows(eff.total) },
    vcov: { terms: [...terms, 'rho'], matrix: toNested(V, P) },
  };
}
