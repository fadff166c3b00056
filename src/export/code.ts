// The Stata do-file and the R script that re-estimate an exported model from the data
// written beside them: reghdfe / ivreghdfe / xsmle, fixest::feols / splm::spml. Each
// covariance convention of flow's registry maps to the options that reproduce it where
// the package has them, and to a comment saying what differs where it has not.
import { isSpatial, type ExportSpec, type LinearSpec, type SpatialSpec } from './spec.js';
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
  estimates: { term: string; estimate: number; std_error: number | null }[];
  vcovLabel: string;
  /** spatial models: file stem of W (<stem>.csv / .dta) and the unit ids in W's order */
  w?: { stem: string; ids: string[] };
}

const fmt = (x: number | null) => (x === null || !Number.isFinite(x) ? '.' : x.toPrecision(10));

function header(c: CodeContext, comment: string, tool: string): string[] {
  const lines = [
    `${comment} ${c.node} of ${c.workflow}, exported by flow ${c.flowVersion} (flow export ... --to ${tool})`,
    `${comment} data: ${c.stem}.${tool === 'stata' ? 'dta' : 'csv'} (${c.nobs} rows: the table ${c.node} was estimated on${c.w ? `; W in ${c.w.stem}.${tool === 'stata' ? 'dta' : 'csv'}` : ''})`,
  ];
  const ren = Object.entries(c.renamed);
  if (ren.length) lines.push(`${comment} renamed for Stata: ${ren.map(([a, b]) => `${a} -> ${b}`).join(', ')}`);
  lines.push(`${comment} flow's estimates (${c.vcovLabel}), to compare with:`);
  for (const e of c.estimates) lines.push(`${comment}   ${e.term.padEnd(16)} ${fmt(e.estimate).padStart(18)}  (${fmt(e.std_error)})`);
  return lines;
}

const n = (c: CodeContext) => (v: string) => c.renamed[v] ?? v;

// ---- Stata ----

function stataVce(v: VcovRequest, c: CodeContext): { opt: string; note?: string } {
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

function stataLinear(s: LinearSpec, c: CodeContext): string[] {
  const v = n(c);
  const { opt, note } = stataVce(s.vcov, c);
  const absorb = s.fe.length ? `absorb(${s.fe.map(v).join(' ')})` : 'noabsorb';
  const out = [
    s.kind === 'fe' ? '* needs reghdfe: ssc install ftools; ssc install reghdfe' : '* needs ivreghdfe: ssc install ftools; ssc install reghdfe; ssc install ivreg2; ssc install ranktest; ssc install ivreghdfe',
    `use "${c.stem}.dta", clear`,
  ];
  if (note) out.push(`* note: ${note}`);
  if (s.kind === 'fe') out.push(`reghdfe ${[s.y, ...s.x].map(v).join(' ')}, ${absorb} ${opt}`);
  else {
    const ivOpt = s.vcov.type === 'cluster' ? `cluster(${s.vcov.by.map(v).join(' ')})` : s.vcov.type === 'hetero' ? 'robust' : '';
    out.push('* small: the t and F reference distributions and the small-sample factor flow reports');
    out.push(`ivreghdfe ${[s.y, ...s.x].map(v).join(' ')} (${s.endog.map(v).join(' ')} = ${s.instruments.map(v).join(' ')}), ${s.fe.length ? `absorb(${s.fe.map(v).join(' ')})` : ''} ${ivOpt} small first`.replace(/\s+/g, ' ').trim());
  }
  return out;
}

function stataSpatial(s: SpatialSpec, c: CodeContext): string[] {
  const v = n(c);
  const type = s.fe === 'individual' ? 'ind' : s.fe === 'time' ? 'time' : 'both';
  return [
    '* needs xsmle: ssc install xsmle',
    `* W: one row per unit in the order of ${c.w!.stem}.dta (its id column), row-standardised as flow built it`,
    `use "${c.w!.stem}.dta", clear`,
    `mkmat w*, matrix(W)`,
    `use "${c.stem}.dta", clear`,
    `* xsmle needs the units in W's order within each period: ${v(s.id)} holds W's row numbers`,
    `xtset ${v(s.id)} ${v(s.time)}`,
    `sort ${v(s.time)} ${v(s.id)}`,
    `xsmle ${[s.y, ...s.x].map(v).join(' ')}, wmat(W) model(${s.kind})${s.kind === 'sdm' ? ` durbin(${s.wx.map(v).join(' ')})` : ''} fe type(${type}${s.leeYu ? ', leeyu' : ''}) effects nsim(${s.draws})`,
    '* xsmle draws its own effect simulations: the effect SEs differ from flow\'s in the simulation noise',
  ];
}

export function stataCode(s: ExportSpec, c: CodeContext): string {
  const body = isSpatial(s) ? stataSpatial(s, c) : stataLinear(s, c);
  return [...header(c, '*', 'stata'), ...body].join('\n') + '\n';
}

// ---- R ----

const R_SSC: Record<string, string | null> = {
  'stata-xtreg': '', 'stata-slopes': 'K.fixef = "none"', 'stata-areg': 'K.fixef = "full"', cr0: 'K.adj = FALSE, G.adj = FALSE', cr1: 'K.adj = FALSE',
  'plm-hc1': 'K.fixef = "none", G.adj = FALSE', cr2: null, hc1: '', hc0: 'K.adj = FALSE', 'hc1-slopes': 'K.fixef = "none"',
};

function rVcov(v: VcovRequest, c: CodeContext): { arg: string; note?: string } {
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

function rLinear(s: LinearSpec, c: CodeContext): string[] {
  const v = n(c);
  const { arg, note } = rVcov(s.vcov, c);
  const rhs = s.x.length ? s.x.map(v).join(' + ') : '1';
  const fe = s.fe.length ? ` | ${s.fe.map(v).join(' + ')}` : '';
  const iv = s.kind === 'iv' ? ` | ${s.endog.map(v).join(' + ')} ~ ${s.instruments.map(v).join(' + ')}` : '';
  const out = [
    'library(fixest)',
    `d <- read.csv("${c.stem}.csv", stringsAsFactors = FALSE)`,
  ];
  if (note) out.push(`# note: ${note}`);
  out.push(`m <- feols(${v(s.y)} ~ ${rhs}${fe}${iv}, data = d, ${arg})`);
  out.push('summary(m)');
  if (s.kind === 'iv') out.push('fitstat(m, ~ ivwald + ivf)  # first stage; flow\'s Kleibergen-Paap statistics follow ivreg2\'s formulas');
  return out;
}

function rSpatial(s: SpatialSpec, c: CodeContext): string[] {
  const v = n(c);
  const effect = s.fe;
  const lines = [
    'library(splm); library(spdep)',
    `d <- read.csv("${c.stem}.csv", stringsAsFactors = FALSE)`,
    `W <- as.matrix(read.csv("${c.w!.stem}.csv", row.names = 1, check.names = FALSE))`,
    `ids <- rownames(W)`,
    `d <- d[order(d$${v(s.time)}, match(d$${v(s.id)}, ids)), ]  # periods, units in W's order`,
  ];
  const x = [...s.x.map(v)];
  if (s.kind === 'sdm') {
    lines.push('# W x by period (splm has no Durbin term of its own)');
    for (const w of s.wx) {
      lines.push(`d$W_${v(w)} <- ave(d$${v(w)}, d$${v(s.time)}, FUN = function(z) as.vector(W %*% z))`);
      x.push(`W_${v(w)}`);
    }
  }
  lines.push(
    `m <- spml(${v(s.y)} ~ ${x.join(' + ')}, data = d, index = c("${v(s.id)}", "${v(s.time)}"), listw = mat2listw(W, style = "W"), model = "within", effect = "${effect}", lag = TRUE, spatial.error = "none")`,
    'summary(m)',
    `# splm differs from flow by design: ${effect === 'twoways' ? 'with two-way effects it lags the demeaned y (equal to lag-then-demean only when W\'s columns sum to one), and ' : ''}it has no Lee-Yu correction${s.leeYu ? ' (flow applied it)' : ''}; its LeSage-Pace effects (spdep::impacts) do not know the W_ terms as theta`,
  );
  return lines;
}

export function rCode(s: ExportSpec, c: CodeContext): string {
  const body = isSpatial(s) ? rSpatial(s, c) : rLinear(s, c);
  return [...header(c, '#', 'r'), ...body].join('\n') + '\n';
}
