// Table notes generated from the models, never fixed text: standard errors (type,
// clusters per column, reference distribution), the stars legend, what the models hold
// but the table does not show, and what the IV and spatial columns are.
import type { ModelJson } from '../ports/index.js';
import type { Column } from './model-table.js';
import { seDescription } from './gof.js';
import { CONSTANT, W_TERM, callOf, coefsOf, labelOf, statsOf } from './model-access.js';

/** "(1)-(2)", "(1), (3) and (5)": column numbers, 1-based, as ranges */
export function columnList(idx: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < idx.length; i++) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    parts.push(j > i ? `(${idx[i] + 1})-(${idx[j] + 1})` : `(${idx[i] + 1})`);
    i = j;
  }
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0] ?? '';
}

/** Columns grouped by a description, in order of first appearance. */
function byDescription(cols: Column[], describe: (m: ModelJson) => string | null): [string, number[]][] {
  const groups = new Map<string, number[]>();
  cols.forEach((c, i) => { const d = describe(c.model); if (d) groups.set(d, [...(groups.get(d) ?? []), i]); });
  return [...groups];
}

function reference(m: ModelJson): string {
  const s = statsOf(m);
  if (typeof s.t_df === 'number') return `t(${s.t_df}) p-values`;
  return 'normal p-values';
}

/** "Standard errors in parentheses: clustered by city (26 clusters), t(25) p-values." */
export function seNote(cols: Column[], labels: Record<string, string>): string {
  const groups = byDescription(cols, (m) => {
    if (!coefsOf(m).length) return null;
    const d = seDescription(m, labels).replace(/\((\d+)\)$/, '($1 clusters)');
    return `${d}, ${reference(m)}`;
  });
  if (!groups.length) return 'Standard errors in parentheses.';
  if (groups.length === 1) return `Standard errors in parentheses: ${groups[0][0]}.`;
  return `Standard errors in parentheses: ${groups.map(([d, idx]) => `${columnList(idx)} ${d}`).join('; ')}.`;
}

export function starsNote(thr: number[]): string {
  const sorted = [...thr].sort((a, b) => a - b);
  return `${sorted.map((t, i) => `${'*'.repeat(sorted.length - i)} p<${t}`).join(', ')}.`;
}

/** The models' terms the table leaves out (keep / drop), so a reader knows they are there. */
export function notShownNote(cols: Column[], printed: Set<string>, labels: Record<string, string>): string | null {
  const hidden: string[] = [];
  let cons = false, wx = false;
  for (const c of cols) for (const r of coefsOf(c.model)) {
    if (printed.has(r.term) || r.term === 'rho') continue;
    if (CONSTANT.has(r.term)) { cons = true; continue; }
    if (W_TERM.test(r.term)) { wx = true; continue; }
    const l = labelOf(r.term, labels);
    if (!hidden.includes(l)) hidden.push(l);
  }
  if (!hidden.length && !cons && !wx) return null;
  const what = [hidden.length ? hidden.join(', ') : '', wx ? 'their W x terms (spatial models)' : '', cons ? 'a constant' : ''].filter(Boolean);
  return `Included but not shown: ${what.join('; ')}.`;
}

/** What the IV columns instrument with, and how the weak-identification statistics are defined. */
export function ivNote(cols: Column[], labels: Record<string, string>): string | null {
  const groups = byDescription(cols, (m) => {
    if (m.estimator !== 'iv') return null;
    const c = callOf(m);
    const endog = (c.endog ?? []).map((v: string) => labelOf(v, labels)).join(', ');
    const inst = (c.instruments ?? []).map((v: string) => labelOf(v, labels)).join(', ');
    return `${endog} instrumented by ${inst}`;
  });
  if (!groups.length) return null;
  const what = groups.length === 1 ? groups[0][0] : groups.map(([d, idx]) => `${columnList(idx)} ${d}`).join('; ');
  return `IV-2SLS: ${what}. KP = Kleibergen-Paap (2006) rk statistics (LM: under-identification; Wald F: weak identification, with the first-stage F's small-sample K); Stock-Yogo (2005) 10% maximal IV size critical value in braces; Anderson-Rubin test of the endogenous coefficient = 0 and its confidence set.`;
}

/** What the spatial columns are: the likelihood, the correction, the effects and their SEs. */
export function spatialNote(cols: Column[]): string | null {
  const groups = byDescription(cols, (m) => {
    if (m.estimator !== 'sdm' && m.estimator !== 'sar') return null;
    const s = statsOf(m);
    const feKind = s.fe ?? callOf(m).fe;
    const fe = feKind === 'twoways' ? 'two-way FE' : feKind === 'individual' ? 'unit FE' : feKind === 'time' ? 'time FE' : 'FE';
    const ly = s.lee_yu ? ' with the Lee-Yu (2010) correction' : '';
    const eff = typeof s.effects_draws === 'number' ? `; LeSage-Pace direct / indirect / total effects, SEs from ${s.effects_draws} draws of the estimates' asymptotic distribution (seed ${s.effects_seed})` : '';
    return `${m.estimator.toUpperCase()}: ML with ${fe}${ly}, asymptotic SEs from the ${s.information === 'observed' ? 'observed information (Hessian)' : 'information matrix'}${eff}`;
  });
  if (!groups.length) return null;
  const what = groups.length === 1 ? groups[0][0] : groups.map(([d, idx]) => `${columnList(idx)} ${d}`).join('; ');
  return `${what}. The W x terms are not the spillovers: read the effects.`;
}
