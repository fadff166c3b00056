// The Stata and R code of an re node: Swamy-Arora random unit effects on a balanced panel,
// plm(model = "random", random.method = "swar") and xtreg, re sa; fe "twoways" adds the
// period dummies (fixed) to every regression, as flow does (plm: + factor(time); Stata:
// i.time, with a constant and one period fewer: the same slopes).
import type { ReSpec } from './spec.js';
import { n, type CodeContext } from './parts.js';

export function stataRe(s: ReSpec, c: CodeContext): string[] {
  const v = n(c);
  return [
    `use "${c.stem}.dta", clear`,
    `xtset ${v(s.id)} ${v(s.time)}`,
    '* sa: the Swamy-Arora variance components (flow\'s, as plm\'s "swar"); Stata reports z where flow (as plm) uses t on the',
    '* transformed regression\'s residual df. This do-file was not run against flow (no Stata where flow is tested)',
    `xtreg ${[s.y, ...s.x].map(v).join(' ')}${s.effect === 'twoways' ? ` i.${v(s.time)}` : ''}, re sa`,
  ];
}

export function rRe(s: ReSpec, c: CodeContext): string[] {
  const v = n(c);
  const rhs = [...s.x.map(v), ...(s.effect === 'twoways' ? [`factor(${v(s.time)})`] : [])].join(' + ');
  return [
    'library(plm)',
    `d <- read.csv("${c.stem}.csv", stringsAsFactors = FALSE)`,
    ...(s.effect === 'twoways' ? ['# twoways: fixed period dummies next to the random unit effect (flow drops the constant: the slopes are the same)'] : []),
    `m <- plm(${v(s.y)} ~ ${rhs}, data = d, index = c("${v(s.id)}", "${v(s.time)}"), model = "random", random.method = "swar")`,
    'summary(m)',
    'ercomp(m)  # sigma2 idiosyncratic and individual, theta: flow\'s stats sigma2_idios, sigma2_id, theta',
  ];
}
