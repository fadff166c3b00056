// The Stata and R code of a mediation node: per stage its three regressions, each the fe
// node's fit with the node's FE and covariance (a: M ~ T + C; total: Y ~ T + C; b: Y ~ T +
// M + C), then a x b with its first-order Sobel SE, and the cluster (pairs) bootstrap of
// a x b by the same scheme (a unit drawn twice is two units). The bootstrap's draws are
// flow's own generator's: Stata and R draw others, so its bounds agree only within their
// Monte Carlo error, and the code says so.
import type { MediationSpec } from './spec.js';
import { n, stataVce, rVcov, reghdfe, feols, type CodeContext } from './parts.js';

type Eq = { name: string; eq: string; y: string; x: string[] };

/** The equations of stage i (1-based names a1, c1, b1), in the paper's order (a, total, b). */
function equations(s: MediationSpec): { stage: MediationSpec['stages'][number]; eqs: [Eq, Eq, Eq] }[] {
  return s.stages.map((st, i) => ({
    stage: st,
    eqs: [
      { name: `a${i + 1}`, eq: st.eqs[0], y: st.mediator, x: [s.treatment, ...s.controls] },
      { name: `c${i + 1}`, eq: st.eqs[1], y: st.outcome, x: [s.treatment, ...s.controls] },
      { name: `b${i + 1}`, eq: st.eqs[2], y: st.outcome, x: [s.treatment, st.mediator, ...s.controls] },
    ],
  }));
}

const stageComment = (s: MediationSpec, st: MediationSpec['stages'][number], i: number, v: (x: string) => string) =>
  `stage ${i + 1}, eqs. ${st.eqs[0]}-${st.eqs[2]}: ${v(s.treatment)} -> ${v(st.mediator)} -> ${v(st.outcome)} (a, total c, then b and c')`;

function bootNote(s: MediationSpec, c: CodeContext, tool: string): string[] {
  const b = s.bootstrap;
  if (b.reps === 0) return [`${tool === 'stata' ? '*' : '#'} flow ran no bootstrap (bootstrap.reps = 0)`];
  const cm = tool === 'stata' ? '*' : '#';
  return [
    `${cm} the cluster (pairs) bootstrap of a x b: flow drew ${b.reps} resamples of ${n(c)(b.cluster!)} (seed ${b.seed}) and reports the`,
    `${cm} ${Math.round(b.level * 1000) / 10}% percentile CI (type-7 quantiles) with the Monte Carlo SE of each bound. This is the same scheme`,
    `${cm} (a ${n(c)(b.cluster!)} drawn twice counts as two: its FE get a level per copy), but ${tool === 'stata' ? 'Stata' : 'R'}'s draws are not flow's (another`,
    `${cm} generator): the bounds agree only within their Monte Carlo error, not digit for digit.`,
  ];
}

/** The FE of a bootstrap draw: the cluster column replaced by the per-copy id. */
const drawFe = (s: MediationSpec, copy: string) => s.fe.map((f) => (f === s.bootstrap.cluster ? copy : f));

const feNote = (s: MediationSpec, cm: string) => (s.bootstrap.reps > 0 && !s.fe.includes(s.bootstrap.cluster!) && s.fe.length
  ? [`${cm} note: flow also splits FE nested in the cluster ${s.bootstrap.cluster} per drawn copy; here only the cluster id is renumbered`] : []);

export function stataMediation(s: MediationSpec, c: CodeContext): string[] {
  const v = n(c);
  const { opt, note } = stataVce(s.vcov, c);
  const out = ['* needs reghdfe: ssc install ftools; ssc install reghdfe', `use "${c.stem}.dta", clear`];
  if (note) out.push(`* note: ${note}`);
  equations(s).forEach(({ stage, eqs: [a, tot, b] }, i) => {
    out.push(`* ${stageComment(s, stage, i, v)}`);
    for (const e of [a, tot, b]) out.push(`${reghdfe(e.y, e.x, s.fe, opt, c)}  // ${e.eq}`, `estimates store ${e.name}`);
    const k = i + 1;
    out.push(
      `estimates restore a${k}`, `scalar a${k} = _b[${v(s.treatment)}]`, `scalar sa${k} = _se[${v(s.treatment)}]`,
      `estimates restore b${k}`, `scalar b${k} = _b[${v(stage.mediator)}]`, `scalar sb${k} = _se[${v(stage.mediator)}]`,
      `scalar ab${k} = a${k} * b${k}`, `scalar se${k} = sqrt(b${k}^2 * sa${k}^2 + a${k}^2 * sb${k}^2)`,
      `display "stage ${k}: a x b = " ab${k} ", Sobel se = " se${k} ", z = " ab${k} / se${k} ", p = " 2 * normal(-abs(ab${k} / se${k}))`,
    );
  });
  out.push(...bootNote(s, c, 'stata'));
  if (s.bootstrap.reps === 0) return out;
  out.push(...feNote(s, '*'), `gen long flow_cl = ${v(s.bootstrap.cluster!)}`, 'capture program drop flow_ab', 'program define flow_ab, rclass');
  equations(s).forEach(({ stage, eqs: [a, , b] }, i) => {
    out.push(`  ${reghdfe(a.y, a.x, drawFe(s, 'flow_cl'), '', c).trimEnd()}`, `  scalar flow_a = _b[${v(s.treatment)}]`);
    out.push(`  ${reghdfe(b.y, b.x, drawFe(s, 'flow_cl'), '', c).trimEnd()}`, `  return scalar ab${i + 1} = flow_a * _b[${v(stage.mediator)}]`);
  });
  out.push('end');
  const stats = s.stages.map((_, i) => `ab${i + 1} = r(ab${i + 1})`).join(' ');
  out.push(
    `bootstrap ${stats}, reps(${s.bootstrap.reps}) seed(${s.bootstrap.seed}) cluster(${v(s.bootstrap.cluster!)}) idcluster(flow_cl) level(${Math.round(s.bootstrap.level * 1000) / 10}) nodots: flow_ab`,
    'estat bootstrap, percentile',
  );
  return out;
}

export function rMediation(s: MediationSpec, c: CodeContext): string[] {
  const v = n(c);
  const { arg, note } = rVcov(s.vcov, c);
  const out = ['library(fixest)', `d <- read.csv("${c.stem}.csv", stringsAsFactors = FALSE)`];
  if (note) out.push(`# note: ${note}`);
  out.push('sobel <- function(a, b, t, m) { ab <- coef(a)[[t]] * coef(b)[[m]]; s <- sqrt(coef(b)[[m]]^2 * se(a)[[t]]^2 + coef(a)[[t]]^2 * se(b)[[m]]^2); c(ab = ab, se = s, z = ab / s, p = 2 * pnorm(-abs(ab / s))) }');
  const all = equations(s);
  all.forEach(({ stage, eqs }, i) => {
    out.push(`# ${stageComment(s, stage, i, v)}`);
    for (const e of eqs) out.push(`${e.name} <- ${feols(e.y, e.x, s.fe, arg, c)}  # ${e.eq}`);
    out.push(`sobel(a${i + 1}, b${i + 1}, "${v(s.treatment)}", "${v(stage.mediator)}")  # stage ${i + 1}: a x b, its Sobel SE, z, normal p`);
  });
  out.push(`m <- list(${all.flatMap((st) => st.eqs.map((e) => `"${e.eq}" = ${e.name}`)).join(', ')})`, 'etable(m)');
  out.push(...bootNote(s, c, 'r'));
  if (s.bootstrap.reps === 0) return out;
  const cl = v(s.bootstrap.cluster!);
  out.push(
    ...feNote(s, '#'),
    `B <- ${s.bootstrap.reps}  # flow's bootstrap.reps (each resample refits ${2 * s.stages.length} regressions: lower B for a quick look)`,
    `set.seed(${s.bootstrap.seed})`,
    `rows <- split(seq_len(nrow(d)), d$${cl})`,
    'ab <- do.call(rbind, lapply(seq_len(B), function(r) {',
    '  pick <- sample(length(rows), replace = TRUE)',
    `  db <- d[unlist(rows[pick]), ]; db$${cl} <- rep(seq_along(pick), lengths(rows[pick]))`,
  );
  all.forEach(({ stage, eqs: [a, , b] }, i) => {
    out.push(`  a${i + 1} <- coef(${feols(a.y, a.x, drawFe(s, s.bootstrap.cluster!), 'vcov = "iid"', c, 'db')})[["${v(s.treatment)}"]]`);
    out.push(`  b${i + 1} <- coef(${feols(b.y, b.x, drawFe(s, s.bootstrap.cluster!), 'vcov = "iid"', c, 'db')})[["${v(stage.mediator)}"]]`);
  });
  const tail = Number(((1 - s.bootstrap.level) / 2).toPrecision(12));
  out.push(
    `  c(${s.stages.map((_, i) => `ab${i + 1} = a${i + 1} * b${i + 1}`).join(', ')})`,
    '}))',
    `apply(ab, 2, quantile, c(${tail}, ${Number((1 - tail).toPrecision(12))}))  # percentile CI (type 7, as flow)`,
    'apply(ab, 2, sd)  # bootstrap SE',
  );
  return out;
}
