// The Stata and R code of a subgroup node: the fe model within each group of `by` (in
// flow's group order), then the pooled model with the key regressor (or every one)
// interacted with the group indicators and the Wald test that its coefficients are
// equal, F with the model's t df as flow (Stata's `test`; in R by the formula).
// Group dummies enter the pooled model always: where a FE nests the groups (the city FE
// does when the groups are sets of cities) reghdfe and fixest drop them as collinear,
// which is flow's rule for adding them.
import type { SubgroupSpec } from './spec.js';
import { n, stataVce, rVcov, reghdfe, feols, lit, type CodeContext } from './parts.js';

/** A Stata / R name for x in group g: lnINF_large (at most 32 characters). */
const named = (x: string, g: string | number) => `${x}_${g}`.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, '_').slice(0, 32);

interface Pooled { terms: string[]; gen: { name: string; x: string | null; g: string | number }[]; key: string[] }

/** The pooled model's regressors in flow's order (already under their exported names), and the columns to generate (x: null for a group dummy). */
function pooled(s: SubgroupSpec, c: CodeContext): Pooled {
  const v = n(c), groups = s.groups!;
  const gen: Pooled['gen'] = [];
  const terms = s.x.flatMap((x) => {
    if (!s.interacted.includes(x)) return [v(x)];
    return groups.map((g) => { const name = named(v(x), g); gen.push({ name, x, g }); return name; });
  });
  for (const g of groups.slice(1)) { const name = named(v(s.by), g); gen.push({ name, x: null, g }); terms.push(name); }
  return { terms, gen, key: groups.map((g) => named(v(s.term), g)) };
}

const groupsNote = (s: SubgroupSpec, v: (x: string) => string) =>
  `the pooled interaction model: ${s.interacted.map(v).join(', ')} x 1[${v(s.by)} = g] for each group${s.interacted.length < s.x.length ? ', common controls' : ''}, group dummies (dropped as collinear where a FE nests the groups)`;

export function stataSubgroup(s: SubgroupSpec, c: CodeContext): string[] {
  const v = n(c), groups = s.groups!;
  const { opt, note } = stataVce(s.vcov, c);
  const out = ['* needs reghdfe: ssc install ftools; ssc install reghdfe', `use "${c.stem}.dta", clear`];
  if (note) out.push(`* note: ${note}`);
  out.push(`* the fe model within each group of ${v(s.by)}`);
  groups.forEach((g, i) => out.push(reghdfe(s.y, s.x, s.fe, opt, c, `${v(s.by)} == ${lit(g)}`), `estimates store g${i + 1}`));
  if (!s.equalityTest) return out;
  const p = pooled(s, c);
  out.push(`* ${groupsNote(s, v)}`);
  for (const g of p.gen) out.push(g.x ? `gen double ${g.name} = ${v(g.x)} * (${v(s.by)} == ${lit(g.g)})` : `gen byte ${g.name} = ${v(s.by)} == ${lit(g.g)}`);
  out.push(`gen byte flow_in = ${groups.map((g) => `${v(s.by)} == ${lit(g)}`).join(' | ')}`);
  out.push(reghdfe(s.y, p.terms, s.fe, opt, c, 'flow_in'));
  out.push(`test ${p.key.join(' = ')}  // flow's equality_test: F with the model's t df (G - 1 for a cluster vcov)`);
  return out;
}

export function rSubgroup(s: SubgroupSpec, c: CodeContext): string[] {
  const v = n(c), groups = s.groups!;
  const { arg, note } = rVcov(s.vcov, c);
  const out = ['library(fixest)', `d <- read.csv("${c.stem}.csv", stringsAsFactors = FALSE)`];
  if (note) out.push(`# note: ${note}`);
  out.push(
    `groups <- c(${groups.map(lit).join(', ')})`,
    `# the fe model within each group of ${v(s.by)}, in flow's group order (feols(..., split = ~${v(s.by)}) fits the same, in sorted order)`,
    `m <- lapply(setNames(nm = groups), function(g) ${feols(s.y, s.x, s.fe, arg, c, `d[d$${v(s.by)} == g, ]`)})`,
  );
  if (!s.equalityTest) return [...out, 'etable(m)'];
  const p = pooled(s, c);
  out.push(`# ${groupsNote(s, v)}`);
  for (const g of p.gen) out.push(g.x ? `d$${g.name} <- d$${v(g.x)} * (d$${v(s.by)} == ${lit(g.g)})` : `d$${g.name} <- as.numeric(d$${v(s.by)} == ${lit(g.g)})`);
  out.push(
    `p <- ${feols(s.y, p.terms, s.fe, arg, c, `d[d$${v(s.by)} %in% groups, ]`)}`,
    `k <- c(${p.key.map((t) => `"${t}"`).join(', ')})`,
    '# flow\'s equality_test: H0 all equal, W = (Rb)\'(R V R\')^-1 (Rb), F = W / q on the model\'s t df (G - 1 for a cluster vcov)',
    'R <- cbind(1, -diag(length(k) - 1)); Rb <- R %*% coef(p)[k]',
    'W <- drop(t(Rb) %*% solve(R %*% vcov(p)[k, k] %*% t(R), Rb)); q <- nrow(R); df2 <- degrees_freedom(p, "t")',
    'c(chi2 = W, F = W / q, df1 = q, df2 = df2, p = pf(W / q, q, df2, lower.tail = FALSE))',
    'm$pooled <- p',
    'etable(m)',
  );
  return out;
}
