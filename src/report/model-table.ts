// Models -> a Grid in the paper's layout. Every printed number is read from the
// model JSON and every star from its p-value, so the table cannot disagree with the
// model (paper-tables.md lists the paper's own slips this rules out).
import type { ModelJson } from '../ports/index.js';
import type { Grid, GridRow } from './grid.js';
import { fmtInt, fmtNum, fmtP, num, starsFor } from './format.js';
import { pTwoSidedNormal } from '../econ/dist.js';

export interface CoefRow {
  term: string;
  estimate: number | null;
  std_error?: number | null;
  statistic?: number | null;
  p_value?: number | null;
  conf_low?: number | null;
  conf_high?: number | null;
}

/** One printed column: a model and what to print above it and in its extra rows. */
export interface Column {
  header?: string;
  model: ModelJson;
  /** extra one-line rows only this column fills (mediation summary, equality test) */
  extra?: { label: string; text: string }[];
  /** a table note this column needs (printed once) */
  note?: string;
}

export interface ModelTableOptions {
  name: string;
  title?: string;
  notes?: string[];
  labels?: Record<string, string>;
  stars?: number[];
  digits?: number;
  keep?: string[];
  drop?: string[];
  order?: string[];
  columns?: string[];
  /** 1-based positions of the expanded columns, in print order (e.g. interleave two subgroup outputs) */
  columnOrder?: number[];
  numbered?: boolean;
  r2?: 'within' | 'overall';
}

const CONSTANT = new Set(['(Intercept)', '_cons', 'const', 'constant', 'Intercept']);
/** prefixes spatial models use for W x X terms */
const W_TERM = /^(?:W\*|W:|Wx:|W\.|W_x_|W_|W x |lag\.)(.+)$/;

export const coefsOf = (m: ModelJson): CoefRow[] => (Array.isArray(m.coefficients) ? (m.coefficients as CoefRow[]) : []);
const stat = (m: ModelJson, k: string): number | null => num((m.stats as Record<string, unknown> | undefined)?.[k]);
const call = (m: ModelJson): Record<string, any> => (m.call && typeof m.call === 'object' ? (m.call as Record<string, any>) : {});

export function labelOf(v: string, labels: Record<string, string> = {}): string {
  if (labels[v] !== undefined) return labels[v];
  if (CONSTANT.has(v)) return labels['_cons'] ?? labels['(Intercept)'] ?? 'constant';
  const w = W_TERM.exec(v);
  if (w) return `W x ${labelOf(w[1], labels)}`;
  return v;
}

/** the dependent variable a model explains */
export const depVar = (m: ModelJson): string | undefined => {
  const c = call(m);
  return typeof c.y === 'string' ? c.y : typeof c.outcome === 'string' ? c.outcome : undefined;
};

/** FE columns of a model's call: a list (fe, iv) or individual/time/twoways (sar/sdm). */
export function feColumns(m: ModelJson): string[] {
  // the estimator's resolved list first: a call may leave fe to its default
  const resolved = (m.stats as Record<string, unknown> | undefined)?.fe;
  if (Array.isArray(resolved)) return resolved.filter((x: unknown): x is string => typeof x === 'string');
  const c = call(m);
  if (Array.isArray(c.fe)) return c.fe.filter((x: unknown): x is string => typeof x === 'string');
  const id = c.panel?.id ?? 'id';
  const time = c.panel?.time ?? 'time';
  switch (c.fe) {
    case 'individual': return [id];
    case 'time': return [time];
    case 'twoways': return [id, time];
    default: return [];
  }
}

/** Stock-Yogo 10% maximal IV size critical value, from whichever shape the IV node used. */
export function stockYogo10(sy: unknown): number | null {
  if (typeof sy === 'number') return num(sy);
  if (!sy || typeof sy !== 'object') return null;
  const o = sy as Record<string, any>;
  for (const k of ['size_10', '10%', '0.10', '0.1', 'size10']) if (num(o[k]) != null) return o[k];
  if (o.size && typeof o.size === 'object') return stockYogo10(o.size);
  if (o.applicable === false) return null;
  return null;
}

interface Effects { direct?: CoefRow[]; indirect?: CoefRow[]; total?: CoefRow[] }

export function buildModelGrid(all: Column[], o: ModelTableOptions): Grid {
  const cols = o.columnOrder ? o.columnOrder.map((i) => all[i - 1]).filter((c): c is Column => !!c) : all;
  const labels = o.labels ?? {};
  const thr = o.stars ?? [0.1, 0.05, 0.01];
  const digits = o.digits ?? 3;
  const k = cols.length;
  const f = (x: number | null | undefined) => fmtNum(x, digits);
  const lab = (v: string) => labelOf(v, labels);
  const baseOf = (t: string) => W_TERM.exec(t)?.[1] ?? t;
  const kept = (t: string) =>
    (!o.keep || o.keep.includes(baseOf(t)) || o.keep.includes(t)) && !(o.drop ?? []).includes(t) && !(o.drop ?? []).includes(baseOf(t));

  // term order: explicit `order` first, then first appearance; W terms after the
  // plain ones, the constant last (as Stata and the paper print it)
  const seen: string[] = [];
  for (const c of cols) for (const r of coefsOf(c.model)) if (!seen.includes(r.term) && r.term !== 'rho') seen.push(r.term);
  const rank = (t: string) => {
    const i = (o.order ?? []).indexOf(baseOf(t));
    const group = CONSTANT.has(t) ? 2 : W_TERM.test(t) ? 1 : 0;
    return [group, i < 0 ? Infinity : i, seen.indexOf(t)];
  };
  const terms = seen.filter(kept).sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });

  const coefRow = (label: string, get: (m: ModelJson) => CoefRow | undefined): GridRow => {
    const est: string[] = [], se: string[] = [];
    for (const c of cols) {
      const r = get(c.model);
      est.push(r && r.estimate != null ? f(r.estimate) + starsFor(r.p_value, thr) : '');
      se.push(r && r.std_error != null ? f(r.std_error) : '');
    }
    return { kind: 'coef', label, est, se };
  };
  const rows: GridRow[] = terms.map((t) => coefRow(lab(t), (m) => coefsOf(m).find((r) => r.term === t)));

  // rho: a coefficient row when the model lists it, else from stats (z test)
  const rhoOf = (m: ModelJson): CoefRow | undefined => {
    const r = coefsOf(m).find((x) => x.term === 'rho');
    if (r) return r;
    const rho = stat(m, 'rho');
    if (rho == null) return undefined;
    const se = stat(m, 'rho_se');
    const p = stat(m, 'rho_p') ?? (se ? pTwoSidedNormal(rho / se) : null);
    return { term: 'rho', estimate: rho, std_error: se, p_value: p };
  };
  if (cols.some((c) => rhoOf(c.model))) rows.push(coefRow(labels['rho'] ?? 'rho', rhoOf));

  // effects panel (SDM/SAR): LeSage-Pace direct / indirect / total
  const eff = (m: ModelJson) => (m.effects && typeof m.effects === 'object' ? (m.effects as Effects) : undefined);
  if (cols.some((c) => eff(c.model))) {
    for (const kind of ['direct', 'indirect', 'total'] as const) {
      const ts: string[] = [];
      for (const c of cols) for (const r of eff(c.model)?.[kind] ?? []) if (!ts.includes(r.term) && kept(r.term)) ts.push(r.term);
      if (!ts.length) continue;
      ts.sort((a, b) => rank(a)[1] - rank(b)[1] || 0);
      rows.push({ kind: 'rule' }, { kind: 'panel', label: `${kind[0].toUpperCase()}${kind.slice(1)} effects` });
      for (const t of ts) rows.push(coefRow(lab(t), (m) => eff(m)?.[kind]?.find((r) => r.term === t)));
    }
  }

  // column-specific extra rows (mediation summary, equality tests), in first-seen order
  const extraLabels: string[] = [];
  for (const c of cols) for (const e of c.extra ?? []) if (!extraLabels.includes(e.label)) extraLabels.push(e.label);
  if (extraLabels.length) {
    rows.push({ kind: 'rule' });
    for (const l of extraLabels) rows.push({ kind: 'stat', label: l, cells: cols.map((c) => c.extra?.find((e) => e.label === l)?.text ?? '') });
  }

  // statistics block
  rows.push({ kind: 'rule' });
  const statRow = (label: string, get: (m: ModelJson) => string) => {
    const cells = cols.map((c) => get(c.model));
    if (cells.some((x) => x !== '')) rows.push({ kind: 'stat', label, cells });
  };
  const feCols: string[] = [];
  for (const c of cols) for (const v of feColumns(c.model)) if (!feCols.includes(v)) feCols.push(v);
  for (const v of feCols) {
    const l = labels[`${v} FE`] ?? `${capitalise(lab(v))} FE`;
    rows.push({ kind: 'stat', label: l, cells: cols.map((c) => (feColumns(c.model).includes(v) ? 'Yes' : 'No')) });
  }
  // within R2 for every estimator that has one (FE, IV, and Elhorst's for SDM), so a
  // row compares like with like; `overall` prints stats.r2 (for SDM: corr^2 with FE)
  const r2 = (m: ModelJson) =>
    o.r2 === 'overall' ? stat(m, 'r2') ?? stat(m, 'r2_within') : stat(m, 'r2_within') ?? stat(m, 'r2');
  statRow('R2', (m) => f(r2(m)));
  statRow('F', (m) => (m.estimator === 'iv' ? '' : f(stat(m, 'f'))));
  statRow('KP rk Wald F {Stock-Yogo 10%}', (m) => {
    const kp = stat(m, 'kp_f');
    if (kp == null) return '';
    const sy = stockYogo10((m.stats as Record<string, unknown>).stock_yogo);
    return sy == null ? f(kp) : `${f(kp)} {${sy.toFixed(2)}}`;
  });
  statRow('KP rk LM [p]', (m) => {
    const lm = stat(m, 'kp_lm');
    if (lm == null) return '';
    const p = stat(m, 'kp_lm_p');
    return p == null ? f(lm) : `${f(lm)} [${fmtP(p, digits)}]`;
  });
  statRow('Log-lik', (m) => f(stat(m, 'loglik')));
  statRow('N', (m) => fmtInt(stat(m, 'nobs')));

  const headers = cols.map((c, i) => {
    const base = o.columns?.[i] ?? c.header ?? lab(depVar(c.model) ?? c.model.estimator);
    // mediation columns already carry the paper's equation number
    return o.numbered === false || o.columns?.[i] || /\(\d+\)$/.test(base) ? base : `${base} (${i + 1})`;
  });

  return {
    name: o.name,
    title: o.title,
    stub: '',
    columns: headers,
    rows,
    notes: [...defaultNotes(cols, thr), ...new Set(cols.map((c) => c.note).filter((n): n is string => !!n)), ...(o.notes ?? [])],
  };
}

function capitalise(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/** "Standard errors (cluster(city)) in parentheses. *** p<0.01, ** p<0.05, * p<0.1." */
function defaultNotes(cols: Column[], thr: number[]): string[] {
  const vcovs = [...new Set(cols.map((c) => (c.model.stats as any)?.vcov).filter((v) => typeof v === 'string'))];
  const se = vcovs.length === 1 ? `Standard errors (${vcovs[0]}) in parentheses.` : 'Standard errors in parentheses.';
  const sorted = [...thr].sort((a, b) => a - b);
  const legend = sorted.map((t, i) => `${'*'.repeat(sorted.length - i)} p<${t}`).join(', ');
  return [`${se} ${legend}.`];
}
