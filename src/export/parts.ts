// What every exported do-file and R script shares: the header (node, data, flow's
// estimates to compare with), the renaming of columns for Stata, and the mapping of
// flow's covariance conventions to reghdfe's vce() and fixest's vcov / ssc().
import type { VcovRequest } from '../econ/vcov.js';

export interface CodeContext {
  node: string;
  workflow: string;
  flowVersion: string;
  /** file name (no directory) of the data: <stem>.csv and <stem>.dta */
  stem: string;
  nobs: number;
  /** column name in flow -> name in the exported files, for those that changed */
  renamed: Record<string, string>;
  /** flow's estimates, to compare with: term, estimate, std_error */
  estimates: Estimate[];
  /** models of several equations (mediation, subgroup): flow's estimates per equation, after `estimates` */
  blocks?: { title: string; rows: Estimate[] }[];
  vcovLabel: string;
  /** spatial models: file stem of W (<stem>.csv / .dta) and the unit ids in W's order */
  w?: { stem: string; ids: string[] };
}

export type Estimate = { term: string; estimate: number; std_error: number | null };

export const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? '.' : x.toPrecision(10));

export function header(c: CodeContext, comment: string, tool: string): string[] {
  const lines = [
    `${comment} ${c.node} of ${c.workflow}, exported by flow ${c.flowVersion} (flow export ... --to ${tool})`,
    `${comment} data: ${c.stem}.${tool === 'stata' ? 'dta' : 'csv'} (${c.nobs} rows: the table ${c.node} was estimated on${c.w ? `; W in ${c.w.stem}.${tool === 'stata' ? 'dta' : 'csv'}` : ''})`,
  ];
  const ren = Object.entries(c.renamed);
  if (ren.length) lines.push(`${comment} renamed for Stata: ${ren.map(([a, b]) => `${a} -> ${b}`).join(', ')}`);
  lines.push(`${comment} flow's estimates (${c.vcovLabel}), to compare with:`);
  const row = (e: Estimate) => `${comment}   ${e.term.padEnd(16)} ${fmt(e.estimate).padStart(18)}  (${fmt(e.std_error)})`;
  lines.push(...c.estimates.map(row));
  for (const b of c.blocks ?? []) lines.push(`${comment}  ${b.title}`, ...b.rows.map(row));
  return lines;
}

export const n = (c: CodeContext) => (v: string) => c.renamed[v] ?? v;

export function stataVce(v: VcovRequest, c: CodeContext): { opt: string; note?: string } {
  switch (v.type) {
    case 'iid': return { opt: 'vce(unadjusted)' };
    case 'hetero': return { opt: 'vce(robust)', note: v.convention === 'hc1' ? undefined : `flow used ${v.convention}; reghdfe's vce(robust) is HC1 (N/(N-K)): SEs differ by that factor` };
    case 'cluster': return {
      opt: `vce(cluster ${v.by.map(n(c)).join(' ')})`,
      note: v.convention === 'stata-xtreg' ? undefined : `flow used the ${v.convention} small-sample factor; reghdfe applies G/(G-1) x (N-1)/(N-K) (flow's stata-xtreg): SEs differ by the ratio of the factors`,
    };
    default: { const never: never = v; return never; }
  }
}

const R_SSC: Record<string, string | null> = {
  'stata-xtreg': '', 'stata-slopes': 'K.fixef = "none"', 'stata-areg': 'K.fixef = "full"', cr0: 'K.adj = FALSE, G.adj = FALSE', cr1: 'K.adj = FALSE',
  'plm-hc1': 'K.fixef = "none", G.adj = FALSE', cr2: null, hc1: '', hc0: 'K.adj = FALSE', 'hc1-slopes': 'K.fixef = "none"',
};

export function rVcov(v: VcovRequest, c: CodeContext): { arg: string; note?: string } {
  const ssc = (k: string) => (R_SSC[k] ? `, ssc = ssc(${R_SSC[k]})` : '');
  switch (v.type) {
    case 'iid': return { arg: 'vcov = "iid"' };
    case 'hetero': return { arg: `vcov = "hetero"${ssc(v.convention)}` };
    case 'cluster': {
      const f = `vcov = ~${v.by.map(n(c)).join(' + ')}`;
      if (R_SSC[v.convention] === null) return { arg: f, note: `flow used ${v.convention} (Bell-McCaffrey); fixest has no CR2: use clubSandwich::vcovCR(m, cluster = d$${n(c)(v.by[0])}, type = "CR2") on an lm fit` };
      return { arg: f + ssc(v.convention) };
    }
    default: { const never: never = v; return never; }
  }
}

/** One reghdfe line (absorbing fe, or noabsorb), with an optional `if` condition. */
export function reghdfe(y: string, x: string[], fe: string[], opt: string, c: CodeContext, cond = ''): string {
  const v = n(c);
  return `reghdfe ${[y, ...x].map(v).join(' ')}${cond ? ` if ${cond}` : ''}, ${fe.length ? `absorb(${fe.map(v).join(' ')})` : 'noabsorb'} ${opt}`;
}

/** One fixest::feols call on data frame `data` (fe after |, or none). */
export function feols(y: string, x: string[], fe: string[], arg: string, c: CodeContext, data = 'd'): string {
  const v = n(c);
  return `feols(${v(y)} ~ ${x.length ? x.map(v).join(' + ') : '1'}${fe.length ? ` | ${fe.map(v).join(' + ')}` : ''}, data = ${data}, ${arg})`;
}

/** A value as a Stata or R literal: numbers as they are, text quoted. */
export const lit = (g: string | number) => (typeof g === 'number' ? String(g) : `"${g.replace(/"/g, '\\"')}"`);
