// Wired inputs (models, subgroup model arrays, mediation models) -> printed columns.
import type { ModelJson } from '../ports/index.js';
import type { Column } from './model-table.js';
import { depVar, labelOf } from './model-table.js';
import { fmtNum, fmtP, starsFor } from './format.js';

export const isModel = (x: unknown): x is ModelJson =>
  !!x && typeof x === 'object' && !Array.isArray(x) && typeof (x as ModelJson).estimator === 'string';

interface Opts { labels?: Record<string, string>; digits?: number; stars?: number[] }

/** Flatten one wired item (model or models array) into columns. */
export function columnsOf(item: unknown, o: Opts = {}): Column[] {
  if (Array.isArray(item)) return item.flatMap((m, i, all) => columnsOfArrayItem(m, all, o));
  if (isModel(item)) return item.estimator === 'mediation' ? mediationColumns(item, o) : [{ model: item }];
  return [];
}

function columnsOfArrayItem(m: unknown, all: unknown[], o: Opts): Column[] {
  if (!isModel(m)) return [];
  // the pooled interaction model of a subgroup node is a test, not a column: its
  // Wald equality test is printed under the first group's column
  if (m.role === 'pooled-interaction') return [];
  const cols = columnsOf(m, o);
  const g = m.group as { by?: string; value?: unknown } | undefined;
  if (g && cols.length === 1) {
    const y = depVar(m);
    cols[0].header = `${labelOf(String(g.value), o.labels)}${y ? ' ' + labelOf(y, o.labels) : ''}`;
    const firstGroup = all.find((x) => isModel(x) && x.group);
    const pooled = all.find((x) => isModel(x) && x.role === 'pooled-interaction') as ModelJson | undefined;
    const t = pooled?.equality_test as
      | { term: string; statistic: number; p_value: number; form: string; df1: number; df2: number | null }
      | undefined;
    if (t && firstGroup === m) {
      const d = o.digits ?? 3;
      cols[0].note = `Equality test: Wald test that the ${labelOf(t.term, o.labels)} coefficient is equal across groups, from the pooled model with ${labelOf(t.term, o.labels)} x group interactions (${t.form}${t.form === 'F' ? `(${t.df1}, ${t.df2})` : `(${t.df1})`}); differing stars across subgroups are not such a test.`;
      cols[0].extra = [
        { label: `Equal ${labelOf(t.term, o.labels)} across groups: ${t.form} [p]`, text: `${fmtNum(t.statistic, d)} [${fmtP(t.p_value, d)}]` },
      ];
    }
  }
  return cols;
}

interface MedStage {
  equations: { a: Eq; total: Eq; b: Eq };
  indirect: { estimate: number; sobel_z: number; sobel_p: number; boot_ci_low: number | null; boot_ci_high: number | null; level?: number };
  share_mediated: number | null;
  stepwise: { verdict: string };
}
interface Eq { eq: string; model: ModelJson }

/** A mediation model prints as its equations (paper Tables 4-5), the stage summary
 *  under the equation that holds both treatment and mediator. */
function mediationColumns(m: ModelJson, o: Opts): Column[] {
  const d = o.digits ?? 3;
  const stages = (m.stages as MedStage[] | undefined) ?? [];
  const cols: Column[] = [];
  for (const s of stages) {
    for (const role of ['a', 'total', 'b'] as const) {
      const e = s.equations[role];
      const y = depVar(e.model);
      const col: Column = { model: e.model, header: `${labelOf(y ?? '', o.labels)} ${e.eq}` };
      if (role === 'b') {
        const ind = s.indirect;
        const boot = m.bootstrap as { reps?: number; seed?: number; cluster?: string } | undefined;
        col.note = `Stepwise verdict: the paper's procedure (eqs. 5-10). The modern evidence is the indirect effect a x b with its cluster bootstrap percentile CI${boot?.reps ? ` (${boot.reps} resamples of whole clusters (${boot.cluster ?? 'cluster'}), seed ${boot.seed})` : ''}; stars on a x b from the Sobel test.`;
        const lvl = Math.round((ind.level ?? 0.95) * 100);
        col.extra = [
          { label: 'Indirect effect a x b', text: fmtNum(ind.estimate, d) + starsFor(ind.sobel_p, o.stars) },
          { label: 'Sobel z [p]', text: `${fmtNum(ind.sobel_z, d)} [${fmtP(ind.sobel_p, d)}]` },
          {
            label: `Cluster bootstrap ${lvl}% CI`,
            text: ind.boot_ci_low == null ? '' : `[${fmtNum(ind.boot_ci_low, d)}, ${fmtNum(ind.boot_ci_high, d)}]`,
          },
          { label: 'Share mediated', text: fmtNum(s.share_mediated, d) },
          { label: "Stepwise verdict (paper's procedure)", text: s.stepwise.verdict },
        ];
      }
      cols.push(col);
    }
  }
  return cols;
}
