// The part every spatial node shares: the params shape of `sdm` (y, x, fe, panel, leeYu,
// effects), the checks of W, and the panel stacked by period in W's unit order.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { matrixRows, type IdMatrix } from '../ports/index.js';
import { dataError, FlowError } from '../errors.js';
import { prepareW, type WSetup } from '../econ/spatial/setup.js';
import { requireColumns, rowLabeler, listCells, numericColumn, isMissing } from './columns.js';
import { columnList } from './column-list.js';
import { LIMITS, limitOf } from '../graph/limits.js';
import type { DroppedUnit } from './clean-panel.js';
import { num } from '../econ/inference.js';
import { pTwoSidedNormal } from '../econ/dist.js';

const MAX_LISTED = 8;

export const feParam = z.enum(['none', 'individual', 'time', 'twoways']).default('twoways')
  .describe('fixed effects: unit, period, both, or "none" (pooled, with a constant that is partialled out)');

export const spatialPanelParam = z.object({
  id: z.string().describe("unit identifier column (its values must be W's ids)"),
  time: z.string().describe('period column'),
}).strict();

export const effectsParam = z.object({
  draws: z.number().int().min(10).max(limitOf(LIMITS.draws)).meta({ limit: LIMITS.draws.name }).default(1000).describe('draws from the asymptotic distribution of (beta, theta, rho) for the effect standard errors'),
  seed: z.number().int().default(1),
}).strict();

export const baseShape = {
  y: z.string().describe('dependent variable column'),
  x: columnList.describe('regressor columns (a nested list is flattened: ["lnINF", "$controls"])'),
  fe: feParam,
  panel: spatialPanelParam,
  leeYu: z.boolean().default(false).describe('Lee-Yu (2010) bias correction (transformation approach): individual FE: sigma2 x T/(T-1); time effects: one unit and the unit eigenvalue of the row-standardised W dropped from the likelihood'),
  effects: effectsParam.default({ draws: 1000, seed: 1 }),
};

export interface SpatialPanelParams {
  y: string;
  x: string[];
  panel: { id: string; time: string };
}

const MSG = {
  wShape: (n: number, ids: number, rows: number) =>
    `the weights matrix is malformed: ${ids} ids, n = ${n}, ${rows} rows (need n x n). Build it with w-matrix or load-matrix.`,
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
  fewPeriods: (T: number) => `the panel has ${T} period(s): fixed-effects spatial panels need at least 2.`,
} as const;

const shortList = (xs: string[]) => ({ shown: xs.slice(0, MAX_LISTED), more: Math.max(0, xs.length - MAX_LISTED) });

/** Checks W itself: shape, finite, no zero rows. */
export function checkWeights(w: IdMatrix, node: string): void {
  const cells = w.sparse ? w.sparse.rowPtr.length - 1 : w.data ? Math.sqrt(w.data.length) : NaN;
  if (w.ids.length !== w.n || cells !== w.n) throw dataError(MSG.wShape(w.n, w.ids.length, cells), { node });
  const seen = new Set<string>();
  const dup = w.ids.filter((v) => seen.has(v) || !seen.add(v));
  if (dup.length) throw dataError(MSG.wDupIds([...new Set(dup)].slice(0, MAX_LISTED)), { node });
  const bad: string[] = [], zero: string[] = [];
  const rows = matrixRows(w);
  for (let i = 0; i < w.n; i++) {
    let s = 0, finite = true;
    for (let p = rows.rowPtr[i]; p < rows.rowPtr[i + 1]; p++) { const v = rows.val[p]; if (!Number.isFinite(v)) finite = false; s += Math.abs(v); }
    if (!finite) bad.push(w.ids[i]); else if (s === 0) zero.push(w.ids[i]);
  }
  if (bad.length) throw dataError(MSG.wBad(bad), { node });
  if (zero.length) throw dataError(MSG.wZero(zero), { node });
}

export interface StackedPanel {
  n: number;
  T: number;
  y: Float64Array;
  X: Float64Array[];
  /** the periods in order (numbers when the time column is numeric) */
  periods: unknown[];
  /** unit ids in stacking order */
  ids: string[];
}

/**
 * The panel's y and x stacked by period in W's unit order (row t n + i), after checking
 * columns, W, ids, balance and missing values (each error names cells and what to do).
 */
/** clean-panel reports of the panel's cleaning (a spatial node's optional input `cleaning`). */
export type CleaningReports = { node: string; report: unknown }[];

/** " Chizhou was removed by node panel (clean-panel): ..." for the absent units a cleaning report names. */
function removedBy(ids: string[], cleaning: CleaningReports = []): string {
  const out: string[] = [];
  for (const { node, report } of cleaning) {
    const units = (report as { dropped?: { units?: unknown } } | null)?.dropped?.units;
    if (!Array.isArray(units)) continue;
    for (const d of units as DroppedUnit[]) if (ids.includes(String(d?.id))) out.push(`${String(d.id)} was removed by node ${node} (clean-panel, step ${d.step ?? 'continuity'}): its longest run of consecutive complete years is ${d.longestRun}, fewer than continuity = ${d.continuity}`);
  }
  return out.length ? ` ${out.join('; ')}: lower "continuity", fill the unit's data, or build W without it.` : '';
}

export function stackSpatialPanel(table: ColumnTable, w: IdMatrix | null, p: SpatialPanelParams, node: string, minPeriods = 2, cleaning?: CleaningReports): StackedPanel {
  // ids: the panel's units must be exactly W's, in W's order (without W: sorted)
  const { id, time } = p.panel;
  requireColumns(table, [p.y, ...p.x, id, time], 'data', node);
  if (w) checkWeights(w, node);
  const label = rowLabeler(table, id, time);
  const idCol = table.array(id) as ArrayLike<unknown>;
  const timeCol = table.array(time) as ArrayLike<unknown>;
  const rows = table.numRows();
  const ids = w ? w.ids : [...new Set(Array.from(idCol, (v) => String(v)))].sort();
  const unitOf = new Map(ids.map((u, i) => [u, i]));
  const seenUnit = new Uint8Array(ids.length);
  const unknown = new Set<string>();
  const unitIdx = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const u = unitOf.get(String(idCol[r]));
    if (u === undefined) { unknown.add(String(idCol[r])); continue; }
    unitIdx[r] = u;
    seenUnit[u] = 1;
  }
  if (unknown.size) { const l = shortList([...unknown]); throw dataError(MSG.unknownIds(id, l.shown, l.more), { node }); }
  const absent = ids.filter((_, i) => !seenUnit[i]);
  if (absent.length) { const l = shortList(absent); throw dataError(MSG.missingIds(id, l.shown, l.more) + removedBy(absent, cleaning), { node }); }

  // periods, sorted (numerically when they are numbers)
  const noTime: number[] = [];
  for (let r = 0; r < rows; r++) if (isMissing(timeCol[r])) noTime.push(r);
  if (noTime.length) throw dataError(MSG.missingTime(time, listCells(noTime, label)), { node });
  const timeKeys = [...new Set(Array.from(timeCol, (v) => v))];
  const numericTime = timeKeys.every((v) => typeof v === 'number');
  timeKeys.sort((a, b) => (numericTime ? (a as number) - (b as number) : String(a).localeCompare(String(b))));
  const timeOf = new Map(timeKeys.map((v, t) => [numericTime ? v : String(v), t]));
  const n = ids.length, T = timeKeys.length;
  if (T < minPeriods) throw dataError(MSG.fewPeriods(T), { node });
  const pos = new Int32Array(n * T).fill(-1);
  const dup: number[] = [];
  for (let r = 0; r < rows; r++) {
    const t = timeOf.get(numericTime ? timeCol[r] : String(timeCol[r]))!;
    const k = t * n + unitIdx[r];
    if (pos[k] >= 0) dup.push(r); else pos[k] = r;
  }
  if (dup.length) throw dataError(MSG.duplicate(listCells(dup, label), id, time), { node });
  const missing: string[] = [];
  for (let k = 0; k < n * T; k++) if (pos[k] < 0) missing.push(`(${ids[k % n]}, ${String(timeKeys[Math.floor(k / n)])})`);
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
  return { n, T, y, X, periods: timeKeys, ids };
}

// prepareW (eigenvalues, or an envelope-LU pattern) is the expensive part of a fit; W values
// are immutable once produced, so fits sharing one W share it.
// The stochastic parts of a sparse-scale set-up (Barry-Pace probes, Hutchinson traces) use
// the fixed seed 1, so a W always gives the same log-det and traces.
const setupCache = new WeakMap<object, WSetup>();

export function setupFor(w: IdMatrix): WSetup {
  const key = (w.sparse ?? w.data)!;
  let s = setupCache.get(key);
  if (!s) { s = prepareW(w.sparse ?? w.data!, w.n); setupCache.set(key, s); }
  return s;
}

/** Kernel errors are about the data (collinear regressors, a boundary estimate): name the node. */
export function asDataError<T>(node: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof FlowError) throw e;
    throw new FlowError('data', (e as Error).message, { node }, e);
  }
}

/** A spatial parameter's estimate, SE, z and normal p as model JSON stats (`lambda`, `lambda_se`, ...). */
export const spatialStat = (key: string, v: number, se: number) => ({
  [key]: num(v), [`${key}_se`]: num(se), [`${key}_z`]: num(v / se), [`${key}_p`]: num(pTwoSidedNormal(v / se)),
});

/** The K x K leading block of a P x P row-major matrix. */
export function block(V: Float64Array, P: number, idx: number[]): Float64Array {
  const k = idx.length;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) out[a * k + b] = V[idx[a] * P + idx[b]];
  return out;
}
