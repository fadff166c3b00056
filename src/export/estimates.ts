// flow's estimates of an exported node, as the header of its code prints them: one list
// for single-equation models (with rho / lambda for spatial ones), blocks per equation for
// mediation (its stage regressions, a x b, the bootstrap bounds) and subgroup (per group,
// the pooled model, the equality test).
import type { ExportSpec } from './spec.js';
import type { CodeContext, Estimate } from './parts.js';

type Row = Estimate & Record<string, unknown>;
type Model = { coefficients?: Row[]; stats?: Record<string, unknown>; [k: string]: unknown };

const coefs = (m: Model): Estimate[] => (m.coefficients ?? []).filter((r) => r.term !== '_cons').map(({ term, estimate, std_error }) => ({ term, estimate, std_error }));
const stat = (m: Model, k: string): Estimate[] => (typeof m.stats?.[k] === 'number' ? [{ term: k, estimate: m.stats[k] as number, std_error: (m.stats[`${k}_se`] as number) ?? null }] : []);

export function flowEstimates(s: ExportSpec, out: unknown): Pick<CodeContext, 'estimates' | 'blocks' | 'vcovLabel'> {
  if (s.kind === 'mediation') {
    const m = out as Model & { stages: { stage: number; equations: Record<string, { eq: string; model: Model }>; indirect: Record<string, number | null> }[] };
    const blocks: NonNullable<CodeContext['blocks']> = m.stages.flatMap((st) => ['a', 'total', 'b'].map((k) => {
      const e = st.equations[k];
      return { title: `${e.eq} ${(e.model.call as { y: string }).y} (${k}):`, rows: coefs(e.model) };
    }));
    blocks.push({ title: 'a x b per stage (Sobel SE):', rows: m.stages.map((st) => ({ term: `stage ${st.stage}`, estimate: st.indirect.estimate!, std_error: st.indirect.sobel_se })) });
    if (m.stages[0].indirect.boot_ci_low != null) {
      blocks.push({
        title: 'bootstrap percentile CI of a x b, lower and upper bound (Monte Carlo SE of the bound):',
        rows: m.stages.flatMap((st) => [
          { term: `stage ${st.stage} low`, estimate: st.indirect.boot_ci_low!, std_error: st.indirect.boot_ci_low_mc_se },
          { term: `stage ${st.stage} high`, estimate: st.indirect.boot_ci_high!, std_error: st.indirect.boot_ci_high_mc_se },
        ]),
      });
    }
    return { estimates: [], blocks, vcovLabel: String(m.stages[0].equations.a.model.stats?.vcov ?? '') };
  }
  if (s.kind === 'subgroup') {
    const ms = out as (Model & { group?: { by: string; value: unknown }; equality_test?: Record<string, unknown> })[];
    const blocks: NonNullable<CodeContext['blocks']> = ms.map((m) => ({
      title: m.group ? `${m.group.by} = ${String(m.group.value)} (${String(m.stats?.nobs)} rows):` : 'pooled interaction model:', rows: coefs(m),
    }));
    const t = ms.find((m) => m.equality_test)?.equality_test;
    if (t) blocks.push({ title: `equality test ${String(t.hypothesis)}: ${String(t.form)} statistic (p-value):`, rows: [{ term: String(t.form), estimate: t.statistic as number, std_error: t.p_value as number }] });
    return { estimates: [], blocks, vcovLabel: String(ms[0].stats?.vcov ?? '') };
  }
  const m = out as Model;
  const spatial = s.kind === 'sar' || s.kind === 'sdm' || s.kind === 'sem' || s.kind === 'sac';
  return {
    estimates: [...coefs(m), ...(spatial ? [...stat(m, 'rho'), ...stat(m, 'lambda')] : [])],
    vcovLabel: String(m.stats?.vcov ?? (spatial ? 'asymptotic' : '')),
  };
}
