// `spec-curve`: one term across many models (one per robustness branch, e.g. the
// matrix copies of workflows/multiverse.json) -> a table sorted by estimate and an SVG
// specification curve in the two-panel layout (report/spec-curve-svg.ts): the estimates with
// CIs, coloured by estimator, over an indicator panel of each branch's choices (its matrix
// params). The same SVG goes to the file output (<name>.svg) and into the report.
import { z } from 'zod';
import { defineNode, type InputSource } from '../graph/node.js';
import type { ModelJson, Report } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { isModel } from '../report/columns.js';
import { coefsOf, labelOf } from '../report/model-table.js';
import { fmtInt, fmtNum, fmtP, starsFor } from '../report/format.js';
import type { Grid, PlotPart, TablePart } from '../report/grid.js';
import { renderGrid, FORMATS } from '../report/render.js';
import { specCurveSvg, type Spec } from '../report/spec-curve-svg.js';
import { qT } from '../econ/dist.js';

const MSG = {
  noTerm: (t: string, label: string) => `model "${label}" has no coefficient "${t}": every branch must estimate the term`,
  empty: 'wire the models of the branches into `models` (e.g. "fe.model[*]" to gather every matrix copy)',
} as const;

export const specCurveParams = z.object({
  term: z.string().describe('the coefficient compared across branches'),
  labels: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional()
    .describe('branch labels in wiring order, or { upstream node id: label } (default: the matrix branch, e.g. "delta=0.096", else the node id)'),
  level: z.number().gt(0).lt(1).default(0.95),
  stars: z.array(z.number().gt(0).lt(1)).default([0.1, 0.05, 0.01]),
  digits: z.number().int().min(0).max(8).default(3),
  title: z.string().optional(),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).optional().describe('file stem (default: the node id)'),
  format: z.union([z.enum(FORMATS), z.array(z.enum(FORMATS))]).default(['md', 'csv']),
  varLabels: z.record(z.string(), z.string()).default({}).describe('variable labels (as in table)'),
  choices: z.record(z.string(), z.string()).default({})
    .describe('names of the choices in the indicator panel, { matrix param: name } (e.g. { "wMethod": "W" }), also their order; default: the param names'),
}).strict();

export type SpecCurveParams = z.infer<typeof specCurveParams>;

export interface SpecRow {
  branch: string; estimate: number; std_error: number | null; conf_low: number | null; conf_high: number | null; p_value: number | null; nobs: number | null;
  /** the model's estimator ("FE"), else its declared node id; the branch's choices (matrix params, a subgroup) as display strings */
  estimator?: string; choices?: Record<string, string>;
}

export interface SpecItem { label: string; model: ModelJson; estimator?: string; choices?: Record<string, string> }

/** a matrix param value as shown in the indicator panel */
export const optionText = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.map(optionText).join('\u2013') : JSON.stringify(v));

const branchLabel = (s: InputSource | undefined, i: number): string => {
  if (s?.branch && Object.keys(s.branch).length) {
    return Object.entries(s.branch).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
  }
  return s?.node ?? `branch ${i + 1}`;
};

/** Models (with their labels) -> rows sorted by estimate, CIs at `level`. */
export function specRows(items: SpecItem[], p: SpecCurveParams): SpecRow[] {
  const rows = items.map(({ label, model, estimator, choices }) => {
    const r = coefsOf(model).find((c) => c.term === p.term);
    if (!r || r.estimate == null) throw new FlowError('run', MSG.noTerm(p.term, label));
    const stats = (model.stats ?? {}) as Record<string, unknown>;
    const modelLevel = typeof (model.call as any)?.level === 'number' ? (model.call as any).level : 0.95;
    let lo = r.conf_low ?? null, hi = r.conf_high ?? null;
    if (Math.abs(modelLevel - p.level) > 1e-12 || lo == null || hi == null) {
      // re-derive the interval at the requested level from the model's reference df
      const df = typeof stats.t_df === 'number' ? stats.t_df : typeof stats.df_resid === 'number' ? stats.df_resid : Infinity;
      const q = qT(1 - (1 - p.level) / 2, df);
      lo = r.std_error != null ? r.estimate - q * r.std_error : null;
      hi = r.std_error != null ? r.estimate + q * r.std_error : null;
    }
    return {
      branch: label, estimate: r.estimate, std_error: r.std_error ?? null, conf_low: lo, conf_high: hi,
      p_value: r.p_value ?? null, nobs: typeof stats.nobs === 'number' ? stats.nobs : null,
      ...(estimator !== undefined ? { estimator } : {}), ...(choices ? { choices } : {}),
    };
  });
  return rows.sort((a, b) => a.estimate - b.estimate || a.branch.localeCompare(b.branch));
}

export function specGrid(rows: SpecRow[], p: SpecCurveParams, name: string): Grid {
  const f = (x: number | null) => fmtNum(x, p.digits);
  const lvl = Math.round(p.level * 100);
  return {
    name,
    title: p.title ?? `Specification curve: ${labelOf(p.term, p.varLabels)}`,
    stub: 'branch',
    columns: ['estimate', 'SE', `${lvl}% CI`, 'p', 'N'],
    rows: rows.map((r) => ({
      kind: 'stat' as const,
      label: r.branch,
      cells: [f(r.estimate) + starsFor(r.p_value, p.stars), f(r.std_error), r.conf_low == null ? '' : `[${f(r.conf_low)}, ${f(r.conf_high)}]`, fmtP(r.p_value, p.digits), fmtInt(r.nobs)],
    })),
    notes: [`Sorted by estimate. ${[...p.stars].sort((a, b) => a - b).map((t, i, a) => `${'*'.repeat(a.length - i)} p<${t}`).join(', ')}.`],
  };
}

export const specCurveNode = defineNode({
  type: 'spec-curve',
  version: 3,
  sources: true, // labels / matches rows by the upstream node ids
  description: 'One coefficient across robustness branches: a table sorted by estimate with CIs, and a two-panel SVG specification curve (estimates over an indicator panel of each branch\'s choices)',
  params: specCurveParams,
  inputs: { models: { type: ['model', 'models'], many: true, description: 'one model per branch (models arrays are expanded)' } },
  outputs: { report: { type: 'report' } },
  run(ctx) {
    const { params: p, inputs, nodeId } = ctx;
    const raw: unknown[] = Array.isArray(inputs.models) ? inputs.models : [inputs.models];
    const sources = ctx.sources?.models ?? [];
    const items: SpecItem[] = [];
    // models gathered from several nodes (e.g. fe_ris[*] and sdm_ris[*]) share branch
    // labels: prefix the declared node id so that rows stay distinguishable
    const baseOf = (s: InputSource | undefined) => s?.node.replace(/\[.*$/, '');
    const several = new Set(sources.map(baseOf)).size > 1;
    raw.forEach((it, i) => {
      const src = sources[i];
      let label = branchLabel(src, i);
      if (several && src?.branch && Object.keys(src.branch).length) label = `${baseOf(src)}: ${label}`;
      if (Array.isArray(p.labels) && p.labels[i] !== undefined) label = p.labels[i];
      else if (p.labels && !Array.isArray(p.labels) && src && p.labels[src.node] !== undefined) label = p.labels[src.node];
      const choices = Object.fromEntries(Object.entries(src?.branch ?? {}).map(([k, v]) => [k, optionText(v)]));
      const estimatorOf = (m: ModelJson) => (typeof m.estimator === 'string' ? m.estimator.toUpperCase() : baseOf(src) ?? 'model');
      if (Array.isArray(it)) {
        for (const m of it) if (isModel(m) && m.role !== 'pooled-interaction') {
          const g = (m.group as { value?: unknown } | undefined)?.value;
          items.push({ label: g === undefined ? label : `${label} / ${g}`, model: m, estimator: estimatorOf(m), choices: g === undefined ? choices : { ...choices, group: optionText(g) } });
        }
      } else if (isModel(it)) items.push({ label, model: it, estimator: estimatorOf(it), choices });
    });
    if (!items.length) throw new FlowError('validate', MSG.empty, { node: nodeId });
    const name = p.name ?? nodeId;
    const rows = specRows(items, p);
    const grid = specGrid(rows, p, name);
    const specs: Spec[] = rows.map((r) => ({ label: r.branch, est: r.estimate, lo: r.conf_low, hi: r.conf_high, estimator: r.estimator ?? 'model', choices: r.choices ?? {} }));
    const svg = specCurveSvg(specs, { title: grid.title, yLabel: `${labelOf(p.term, p.varLabels)} (${Math.round(p.level * 100)}% CI)`, choiceNames: p.choices });
    const formats = Array.isArray(p.format) ? p.format : [p.format];
    const table: TablePart = { kind: 'table', node: nodeId, grid, models: [] };
    const plot: PlotPart = { kind: 'plot', node: nodeId, name, title: grid.title!, svg };
    const report: Report = { title: grid.title!, files: { ...renderGrid(grid, formats), [`${name}.svg`]: svg }, parts: [table, plot] };
    return { report };
  },
});
