// The Stata do-file and the R script that re-estimate an exported model from the data
// written beside them: reghdfe / ivreghdfe / xsmle, fixest::feols / splm::spml. Each
// covariance convention of flow's registry maps to the options that reproduce it where
// the package has them, and to a comment saying what differs where it has not. Mediation,
// subgroup and re nodes have their own modules (mediation.ts, subgroup.ts, re.ts).
import { isSpatial, type ExportSpec, type LinearSpec, type SpatialSpec } from './spec.js';
import { header, n, stataVce, rVcov, type CodeContext } from './parts.js';
import { stataMediation, rMediation } from './mediation.js';
import { stataSubgroup, rSubgroup } from './subgroup.js';
import { stataRe, rRe } from './re.js';

export type { CodeContext };

// ---- Stata ----

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
  const mats = s.kind === 'sem' ? 'emat(W)' : s.kind === 'sac' ? 'wmat(W) emat(W)' : 'wmat(W)';
  const effects = s.kind === 'sem' ? '' : ` effects nsim(${s.draws})`;
  return [
    '* needs xsmle: ssc install xsmle',
    `* W: one row per unit in the order of ${c.w!.stem}.dta (its id column), row-standardised as flow built it`,
    `use "${c.w!.stem}.dta", clear`,
    `mkmat w*, matrix(W)`,
    `use "${c.stem}.dta", clear`,
    `* xsmle needs the units in W's order within each period: ${v(s.id)} holds W's row numbers`,
    `xtset ${v(s.id)} ${v(s.time)}`,
    `sort ${v(s.time)} ${v(s.id)}`,
    `xsmle ${[s.y, ...s.x].map(v).join(' ')}, ${mats} model(${s.kind})${s.kind === 'sdm' ? ` durbin(${s.wx.map(v).join(' ')})` : ''} fe type(${type}${s.leeYu ? ', leeyu' : ''})${effects}`,
    s.kind === 'sem' ? '* SEM: beta are the marginal effects (no effect decomposition)' : '* xsmle draws its own effect simulations: the effect SEs differ from flow\'s in the simulation noise',
  ];
}

export function stataCode(s: ExportSpec, c: CodeContext): string {
  const body = isSpatial(s) ? stataSpatial(s, c) : s.kind === 'mediation' ? stataMediation(s, c) : s.kind === 'subgroup' ? stataSubgroup(s, c) : s.kind === 're' ? stataRe(s, c) : stataLinear(s, c);
  return [...header(c, '*', 'stata'), ...body].join('\n') + '\n';
}

// ---- R ----

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
    `d$${v(s.id)} <- factor(d$${v(s.id)}, levels = ids)  # splm orders the units by their factor levels: W's order, not the sorted ids`,
  ];
  const x = [...s.x.map(v)];
  if (s.kind === 'sdm') {
    lines.push('# W x by period (splm has no Durbin term of its own)');
    for (const w of s.wx) {
      lines.push(`d$W_${v(w)} <- ave(d$${v(w)}, d$${v(s.time)}, FUN = function(z) as.vector(W %*% z))`);
      x.push(`W_${v(w)}`);
    }
  }
  const lag = s.kind !== 'sem', error = s.kind === 'sem' || s.kind === 'sac';
  lines.push(
    `m <- spml(${v(s.y)} ~ ${x.join(' + ')}, data = d, index = c("${v(s.id)}", "${v(s.time)}"), listw = mat2listw(W, style = "W"), model = "within", effect = "${effect}", lag = ${lag ? 'TRUE' : 'FALSE'}, spatial.error = "${error ? 'b' : 'none'}")`,
    'summary(m)',
    `# splm differs from flow by design: ${effect !== 'individual' ? `with ${effect === 'twoways' ? 'two-way' : 'time'} effects it lags the demeaned ${error ? 'data' : 'y'} (equal to lag-then-demean only when W's columns sum to one), and ` : ''}it has no Lee-Yu correction${s.leeYu ? ' (flow applied it)' : ''}; ${SPLM_TAIL[s.kind]}`,
  );
  return lines;
}

/** What else differs, per model: splm's names of the spatial coefficients, the effects. */
const SPLM_TAIL: Record<SpatialSpec['kind'], string> = {
  sar: 'its LeSage-Pace effects (spdep::impacts) do not know the W_ terms as theta',
  sdm: 'its LeSage-Pace effects (spdep::impacts) do not know the W_ terms as theta',
  sem: 'splm names the error coefficient rho (flow\'s lambda); beta are the marginal effects',
  sac: 'splm names the lag coefficient lambda (flow\'s rho) and the error coefficient rho (flow\'s lambda); flow\'s effects are those of rho, as for sar',
};

export function rCode(s: ExportSpec, c: CodeContext): string {
  const body = isSpatial(s) ? rSpatial(s, c) : s.kind === 'mediation' ? rMediation(s, c) : s.kind === 'subgroup' ? rSubgroup(s, c) : s.kind === 're' ? rRe(s, c) : rLinear(s, c);
  return [...header(c, '#', 'r'), ...body].join('\n') + '\n';
}
