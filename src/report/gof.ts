// The statistics block under the coefficients, chosen per table (`gof`), labelled as
// fixest's etable does ("Observations", "R2", "Within R2", ...), with df and p for every
// test. A statistic a model says does not apply ({ applicable: false, reason }) is left
// blank and marked, its reason in the notes (as Stata leaves an F it cannot trust missing).
import type { ModelJson } from '../ports/index.js';
import type { GridRow, Marks } from './grid.js';
import type { Column } from './model-table.js';
import { fmtInt, fmtNum, fmtP, starsFor } from './format.js';
import { feColumns, labelOf, notApplicable, stat, statsOf, stockYogo10 } from './model-access.js';

export const GOF_KEYS = [
  'fe', 'se', 'nobs', 'r2', 'r2_adj', 'r2_within', 'r2_within_adj', 'f', 'f_classical', 'loglik',
  'first_stage', 'weak_iv', 'anderson_rubin', 'hansen_j',
] as const;
export type GofKey = (typeof GOF_KEYS)[number];

/** etable's default block, then what IV and spatial models add; a row no column fills is left out */
export const DEFAULT_GOF: GofKey[] = ['fe', 'se', 'nobs', 'r2', 'r2_within', 'f', 'loglik', 'first_stage', 'weak_iv', 'anderson_rubin', 'hansen_j'];

export interface GofContext {
  labels: Record<string, string>;
  digits: number;
  stars: number[];
  marks: Marks;
}

const capitalise = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);

/** "clustered by city (26)", "robust (HC1)", "IID", or the model's own description (ML). */
export function seDescription(m: ModelJson, labels: Record<string, string> = {}, short = false): string {
  const s = statsOf(m);
  const label = typeof s.vcov === 'string' ? s.vcov : '';
  // models written by hand or by other tools may carry only the label ("cluster(city)", "hc1", "iid")
  const type = s.vcov_type ?? (/^cluster\(/.test(label) ? 'cluster' : /^hc\d/.test(label) ? 'hetero' : label === 'iid' ? 'iid' : undefined);
  switch (type) {
    case 'cluster': {
      const by = /^cluster\((.*)\)$/.exec(label)?.[1] ?? 'cluster';
      const G = typeof s.n_clusters === 'number' ? ` (${s.n_clusters})` : '';
      return `clustered by ${by.split(/,\s*/).map((b) => labelOf(b, labels)).join(' and ')}${G}`;
    }
    case 'hetero': return `robust (${String(s.vcov_convention ?? label).toUpperCase()})`;
    case 'iid': return 'IID';
    default: return label.startsWith('ML') ? (short ? 'ML' : 'ML (information matrix)') : label;
  }
}

/** "3.447 (6, 25) [0.013]": an F statistic with its df and p-value */
const testCell = (F: number | null, df1: unknown, df2: unknown, p: number | null, digits: number) =>
  F == null ? '' : `${fmtNum(F, digits)} (${df1}, ${df2}) [${fmtP(p, digits)}]`;
/** "14.011 (1) [0.000]": a chi2 statistic with its df and p-value */
const chi2Cell = (x: number | null, df: unknown, p: number | null, digits: number) =>
  x == null ? '' : `${fmtNum(x, digits)}${df == null ? '' : ` (${df})`} [${fmtP(p, digits)}]`;

export function gofRows(cols: Column[], keys: readonly GofKey[], cx: GofContext): GridRow[] {
  const f = (x: number | null | undefined) => fmtNum(x, cx.digits);
  const rows: GridRow[] = [];
  const push = (label: string, cell: (m: ModelJson) => string) => {
    const cells = cols.map((c) => cell(c.model));
    if (cells.some((x) => x !== '')) rows.push({ kind: 'stat', ...commonDf(label, cells) });
  };
  /** blank and marked where the model says the statistic does not apply */
  const orMark = (m: ModelJson, k: string, cell: () => string) => {
    const na = notApplicable(m, k);
    return na ? cx.marks.mark(`${k === 'f' ? 'Wald F' : k} not reported: ${na}.`) : cell();
  };
  for (const key of keys) {
    switch (key) {
      case 'fe': {
        const feCols: string[] = [];
        for (const c of cols) for (const v of feColumns(c.model)) if (!feCols.includes(v)) feCols.push(v);
        for (const v of feCols) {
          const l = cx.labels[`${v} FE`] ?? `${capitalise(labelOf(v, cx.labels))} FE`;
          rows.push({ kind: 'stat', label: l, cells: cols.map((c) => (feColumns(c.model).includes(v) ? 'Yes' : 'No')) });
        }
        break;
      }
      case 'se': {
        // "S.E. clustered by | city (26)" when every column clusters, else the type per column
        const all = cols.every((c) => seDescription(c.model).startsWith('clustered by'));
        push(all ? 'S.E. clustered by' : 'S.E.', (m) => (all ? seDescription(m, cx.labels).replace(/^clustered by /, '') : seDescription(m, cx.labels, true)));
        break;
      }
      case 'nobs': push('Observations', (m) => fmtInt(stat(m, 'nobs'))); break;
      case 'r2': push('R2', (m) => f(stat(m, 'r2'))); break;
      case 'r2_adj': push('Adj. R2', (m) => f(stat(m, 'r2_adj'))); break;
      case 'r2_within': push('Within R2', (m) => f(stat(m, 'r2_within'))); break;
      case 'r2_within_adj': push('Within Adj. R2', (m) => f(stat(m, 'r2_within_adj'))); break;
      case 'f':
        push('Wald F (df) [p]', (m) => orMark(m, 'f', () => testCell(stat(m, 'f'), statsOf(m).f_df1, statsOf(m).f_df2, stat(m, 'f_p'), cx.digits)));
        break;
      case 'f_classical':
        push('F, classical (df) [p]', (m) => testCell(stat(m, 'f_classical'), statsOf(m).f_df1, statsOf(m).df_resid, stat(m, 'f_classical_p'), cx.digits));
        break;
      case 'loglik':
        push('Log-likelihood', (m) => {
          const ll = stat(m, 'loglik');
          if (ll == null) return '';
          const nL = stat(m, 'likelihood_n'), N = stat(m, 'nobs');
          if (nL == null || nL === N) return f(ll);
          return f(ll) + cx.marks.mark(`Lee-Yu (2010) transformed log-likelihood of the two-way FE model, on N' = (n - 1)(T - 1) = ${nL} observations (not N = ${N}): comparable only with models fitted the same way.`);
        });
        break;
      case 'first_stage': rows.push(...firstStageRows(cols, cx)); break;
      case 'weak_iv':
        push('KP rk LM (df) [p]', (m) => chi2Cell(stat(m, 'kp_lm'), statsOf(m).kp_lm_df, stat(m, 'kp_lm_p'), cx.digits));
        push('KP rk Wald F {Stock-Yogo 10%}', (m) => {
          const kp = stat(m, 'kp_f');
          if (kp == null) return '';
          const sy = stockYogo10(statsOf(m).stock_yogo);
          return sy == null ? f(kp) : `${f(kp)} {${sy.toFixed(2)}}`;
        });
        push('Cragg-Donald F', (m) => f(stat(m, 'cd_f')));
        break;
      case 'anderson_rubin':
        push('Anderson-Rubin F (df) [p]', (m) => {
          const ar = statsOf(m).anderson_rubin as Record<string, unknown> | undefined;
          return ar && typeof ar.F === 'number' ? testCell(ar.F, ar.df1, ar.df2, ar.p as number, cx.digits) : '';
        });
        push('Anderson-Rubin 95% set', (m) => arSet(m, cx.digits));
        break;
      case 'hansen_j':
        push('Hansen J (df) [p]', (m) => {
          const j = statsOf(m).hansen_j as Record<string, unknown> | undefined;
          return j && typeof j.stat === 'number' ? chi2Cell(j.stat, j.df, j.p as number, cx.digits) : '';
        });
        break;
      default: key satisfies never;
    }
  }
  return rows;
}

/** When every filled cell has the same "(df)", print it once in the label: "Wald F (6, 25) [p]" | "3.447 [0.013]". */
function commonDf(label: string, cells: string[]): { label: string; cells: string[] } {
  if (!label.includes('(df)')) return { label, cells };
  const DF = / (\([\d, ]+\)) \[/;
  const dfs = new Set(cells.filter((c) => c !== '').map((c) => DF.exec(c)?.[1] ?? ''));
  if (dfs.size !== 1 || dfs.has('')) return { label, cells };
  const [df] = dfs;
  return { label: label.replace('(df)', df), cells: cells.map((c) => c.replace(DF, ' [')) };
}

function arSet(m: ModelJson, digits: number): string {
  const ar = statsOf(m).anderson_rubin as { level?: number; conf_set?: { type: string; intervals: (number | null)[][] } } | undefined;
  const cs = ar?.conf_set;
  if (!cs) return '';
  const b = (x: number | null, inf: string) => (x == null ? inf : fmtNum(x, digits));
  switch (cs.type) {
    case 'real-line': return '(-inf, inf)';
    case 'empty': return 'empty';
    default: return cs.intervals.map(([lo, hi]) => `[${b(lo, '-inf')}, ${b(hi, 'inf')}]`).join(' U ');
  }
}

interface FirstStage {
  endog: string;
  coefficients: { term: string; estimate: number; std_error: number; p_value: number }[];
  partial_r2: number | null;
  f: { F: number | null; df1: number; df2: number; p: number | null };
}

/** IV first stages: the excluded instruments' coefficients (SE), partial R2 and the robust F, per endogenous regressor. */
function firstStageRows(cols: Column[], cx: GofContext): GridRow[] {
  const fsOf = (m: ModelJson) => (Array.isArray(m.first_stage) ? (m.first_stage as FirstStage[]) : []);
  const endogs: string[] = [];
  for (const c of cols) for (const s of fsOf(c.model)) if (!endogs.includes(s.endog)) endogs.push(s.endog);
  const rows: GridRow[] = [];
  for (const e of endogs) {
    const stageOf = (m: ModelJson) => fsOf(m).find((s) => s.endog === e);
    const instruments: string[] = [];
    for (const c of cols) {
      const inst = (c.model.call as { instruments?: string[] } | undefined)?.instruments ?? [];
      for (const t of inst) if (!instruments.includes(t)) instruments.push(t);
    }
    rows.push({ kind: 'rule' }, { kind: 'panel', label: `First stage (dependent variable: ${labelOf(e, cx.labels)})` });
    for (const t of instruments) {
      const get = (m: ModelJson) => stageOf(m)?.coefficients.find((r) => r.term === t);
      rows.push({
        kind: 'coef', label: labelOf(t, cx.labels),
        est: cols.map((c) => { const r = get(c.model); return r ? fmtNum(r.estimate, cx.digits) + starsFor(r.p_value, cx.stars) : ''; }),
        se: cols.map((c) => { const r = get(c.model); return r ? fmtNum(r.std_error, cx.digits) : ''; }),
      });
    }
    const cells = (g: (s: FirstStage) => string) => cols.map((c) => { const s = stageOf(c.model); return s ? g(s) : ''; });
    rows.push({ kind: 'stat', label: 'Partial R2', cells: cells((s) => fmtNum(s.partial_r2, cx.digits)) });
    rows.push({ kind: 'stat', ...commonDf('First-stage F (df) [p]', cells((s) => testCell(s.f.F, s.f.df1, s.f.df2, s.f.p, cx.digits))) });
  }
  if (rows.length) rows.push({ kind: 'rule' });
  return rows;
}

