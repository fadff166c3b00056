// Wired inputs (models, subgroup model arrays, mediation models) -> printed columns,
// with the header cells each column fills (group, mechanism, equation, matrix branch).
import type { ModelJson } from '../ports/index.js';
import type { Column } from './model-table.js';
import { labelOf } from './model-access.js';
import { HEAD } from './headers.js';
import { fmtNum, fmtP, starsFor } from './format.js';

export const isModel = (x: unknown): x is ModelJson =>
  !!x && typeof x === 'object' && !Array.isArray(x) && typeof (x as ModelJson).estimator === 'string';

export interface ColumnOptions { labels?: Record<string, string>; digits?: number; stars?: number[] }

const branchValue = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Flatten one wired item (model or models array) into columns. `branch`: the matrix
 * values of the copy it came from (ctx.sources), printed as header rows.
 */
export function columnsOf(item: unknown, o: ColumnOptions = {}, branch?: Record<string, unknown>): Column[] {
  const cols = Array.isArray(item) ? item.flatMap((m, i, all) => columnsOfArrayItem(m, all, o))
    : isModel(item) ? (item.estimator === 'mediation' ? mediationColumns(item, o) : [{ model: item }]) : [];
  if (branch) for (const c of cols) c.heads = { ...Object.fromEntries(Object.entries(branch).map(([k, v]) => [k, branchValue(v)])), ...c.heads };
  return cols;
}

function columnsOfArrayItem(m: unknown, all: unknown[], o: ColumnOptions): Column[] {
  if (!isModel(m)) return [];
  // the pooled interaction model of a subgroup node is a test across the groups, not a
  // column: its equality test goes on a spanning row (carried by the first group's column)
  if (m.role === 'pooled-interaction') return [];
  const cols = columnsOf(m, o);
  const g = m.group as { by?: string; value?: unknown } | undefined;
  if (g && cols.length === 1) {
    cols[0].heads = { ...cols[0].heads, [HEAD.group]: labelOf(String(g.value), o.labels) };
    const firstGroup = all.find((x) => isModel(x) && x.group);
    const pooled = all.find((x) => isModel(x) && x.role === 'pooled-interaction') as ModelJson | undefined;
    const t = pooled?.equality_test as
      | { term: string; by: string; groups: unknown[]; statistic: number; p_value: number; form: string; df1: number; df2: number | null }
      | undefined;
    if (t && firstGroup === m) {
      const d = o.digits ?? 3;
      const y = (m.call as { y?: string } | undefined)?.y;
      const term = labelOf(t.term, o.labels);
      const df = t.form === 'F' ? `F(${t.df1}, ${t.df2})` : `chi2(${t.df1})`;
      cols[0].note = `Equality test: Wald test that the ${term} coefficient is equal across the ${t.groups.length} groups of ${labelOf(t.by, o.labels)}, from one pooled model with ${term} x group interactions (${df}, the model's covariance); differing stars across subgroups are not such a test.`;
      cols[0].spans = [{ label: `Equal ${term} across ${labelOf(t.by, o.labels)}${y ? ` (${labelOf(y, o.labels)})` : ''}`, text: `${df} = ${fmtNum(t.statistic, d)}, p = ${fmtP(t.p_value, d)}` }];
    }
  }
  return cols;
}

interface MedStage {
  mediator: string;
  treatment: string;
  equations: { a: Eq; total: Eq; b: Eq };
  indirect: {
    estimate: number; sobel_z: number; sobel_p: number; boot_ci_low: number | null; boot_ci_high: number | null;
    boot_ci_low_mc_se?: number | null; boot_ci_high_mc_se?: number | null; boot_verdict?: { settled?: boolean; text?: string }; level?: number;
  };
  share_mediated: number | null;
  stepwise: { verdict: string };
}
interface Eq { eq: string; model: ModelJson }

/** A mediation model prints as its equations (paper Tables 4-5), the stage summary
 *  under the equation that holds both treatment and mediator. */
function mediationColumns(m: ModelJson, o: ColumnOptions): Column[] {
  const d = o.digits ?? 3;
  const stages = (m.stages as MedStage[] | undefined) ?? [];
  const chain = stages.map((s) => labelOf(s.mediator, o.labels)).join(' -> ');
  const cols: Column[] = [];
  for (const s of stages) {
    for (const role of ['a', 'total', 'b'] as const) {
      const e = s.equations[role];
      const col: Column = { model: e.model, heads: { [HEAD.chain]: chain, [HEAD.equation]: e.eq } };
      if (role === 'b') {
        const ind = s.indirect;
        const boot = m.bootstrap as { reps?: number; seed?: number; cluster?: string } | undefined;
        col.note = `Stepwise verdict: the paper's procedure (eqs. 5-10). The modern evidence is the indirect effect a x b with its cluster bootstrap percentile CI${boot?.reps ? ` (${boot.reps} resamples of whole clusters (${boot.cluster ?? 'cluster'}), seed ${boot.seed})` : ''}; stars on a x b from the Sobel test.`;
        const lvl = Math.round((ind.level ?? 0.95) * 100);
        const mc = (x: number | null | undefined) => (x == null ? '' : fmtNum(x, d + 1));
        col.extra = [
          { label: 'Indirect effect a x b', text: fmtNum(ind.estimate, d) + starsFor(ind.sobel_p, o.stars) },
          { label: 'Sobel z [p]', text: `${fmtNum(ind.sobel_z, d)} [${fmtP(ind.sobel_p, d)}]` },
          {
            label: `Cluster bootstrap ${lvl}% CI`,
            text: ind.boot_ci_low == null ? '' : `[${fmtNum(ind.boot_ci_low, d)}, ${fmtNum(ind.boot_ci_high, d)}]`,
            // a verdict on zero that another seed could flip is marked, its reason in the notes
            mark: ind.boot_verdict && ind.boot_verdict.settled === false ? `Within Monte Carlo error: ${ind.boot_verdict.text}.` : undefined,
          },
          { label: 'Monte Carlo SE of the CI bounds', text: ind.boot_ci_low_mc_se == null ? '' : `{${mc(ind.boot_ci_low_mc_se)}, ${mc(ind.boot_ci_high_mc_se)}}` },
          { label: 'Share mediated', text: fmtNum(s.share_mediated, d) },
          { label: "Stepwise verdict (paper's procedure)", text: s.stepwise.verdict },
        ];
      }
      cols.push(col);
    }
  }
  return cols;
}
