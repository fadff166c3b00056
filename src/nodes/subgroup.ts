// `subgroup`: the baseline FE model within each group of a column (city size class),
// and a pooled interaction model with a Wald test that the key coefficient is equal
// across groups (METHOD.md 2.6).
//
// Output `models`: one fe model per group (with group { by, value }), in group order,
// then the pooled model (role 'pooled-interaction', terms "x:group") carrying
// equality_test { term, by, groups, hypothesis, statistic, chi2, F, df1, df2, p_value,
// form ('F' with the model's t df, G - 1 for cluster covariances; else 'chi2') }.
import { z } from 'zod';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { feParams, fitFeModel, factorColumns, resolveFe, fromKernel, type FeParams } from './estimation.js';
import { keepRows, requireColumns } from './columns.js';
import { isNested } from '../econ/fe.js';
import { waldEqual } from '../econ/subgroup.js';

const MSG = {
  oneGroup: (by: string) => `"${by}" has fewer than two groups: a subgroup analysis needs at least two`,
  unknownGroup: (g: string, by: string) => `group "${g}" does not occur in column "${by}"`,
  term: (t: string) => `term "${t}" is not among x: set term to one of the regressors`,
  dropped: (t: string) => `the interaction ${t} was dropped as collinear: a group has no variation in the key regressor`,
} as const;

export const subgroupParams = feParams
  .omit({ wildBootstrap: true })
  .extend({
    by: z.string().describe('group column (e.g. size class)'),
    groups: z.array(z.union([z.string(), z.number()])).optional().describe('groups and their order (default: all, sorted)'),
    term: z.string().optional().describe('the key coefficient compared across groups (default: the first x)'),
    equalityTest: z.boolean().default(true).describe('fit the pooled interaction model and test equality of the key coefficient'),
    interact: z.enum(['key', 'all']).default('key')
      .describe("pooled model: interact only the key regressor with the groups (controls common), or every regressor (slopes as in the separate fits)"),
  })
  .strict();

export type SubgroupParams = z.infer<typeof subgroupParams>;

/** Column name of x interacted with group g: "lnINF:large" (R's convention). */
const inter = (x: string, g: string) => `${x}:${g}`;

export function fitSubgroups(table: ColumnTable, params: SubgroupParams, nodeId = 'subgroup'): ModelJson[] {
  const p = subgroupParams.parse(params);
  const { by, groups: wanted, term: termParam, equalityTest, interact, ...spec } = p;
  requireColumns(table, [by], 'data', nodeId);
  const term = termParam ?? spec.x[0];
  if (!spec.x.includes(term)) throw new FlowError('validate', MSG.term(term), { node: nodeId });
  const byVals = table.array(by) as ArrayLike<unknown>;
  const present = [...new Set(Array.from(byVals))].filter((v) => v != null && v !== '') as (string | number)[];
  const groups = wanted ?? present.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const g of groups) if (!present.includes(g)) throw new FlowError('validate', MSG.unknownGroup(String(g), by), { node: nodeId });
  if (groups.length < 2) throw new FlowError('validate', MSG.oneGroup(by), { node: nodeId });

  const fit = (t: ColumnTable, x: string[]) => fitFeModel(t, { ...spec, x } as FeParams, { nodeId });
  const models: ModelJson[] = groups.map((g) => {
    const mask = Uint8Array.from(Array.from(byVals, (v) => (v === g ? 1 : 0)));
    const m = fit(keepRows(table, mask), spec.x);
    return { ...m, group: { by, value: g } };
  });
  if (!equalityTest) return models;

  // pooled: x_g = x * 1[group = g] for the interacted regressors; group main effects
  // only when no FE absorbs them (the city FE does when groups are sets of cities)
  const rows = Array.from(byVals, (v) => groups.indexOf(v as string | number));
  const inGroups = Uint8Array.from(rows, (r) => (r >= 0 ? 1 : 0));
  let pooled = inGroups.every((v) => v === 1) ? table : keepRows(table, inGroups);
  const gIdx = inGroups.every((v) => v === 1) ? rows : rows.filter((r) => r >= 0);
  const interacted = interact === 'all' ? spec.x : [term];
  const add: Record<string, Float64Array> = {};
  for (const x of interacted) {
    const v = pooled.array(x) as ArrayLike<number>;
    groups.forEach((g, j) => { add[inter(x, String(g))] = Float64Array.from(gIdx, (r, i) => (r === j ? Number(v[i]) : 0)); });
  }
  const fe = resolveFe(spec.fe, spec.panel);
  const byFactor = factorColumns(pooled, [by], nodeId)[0];
  const absorbed = factorColumns(pooled, fe, nodeId, spec.panel).some((f) => isNested(f, byFactor));
  const dummies: string[] = [];
  if (!absorbed) {
    groups.slice(1).forEach((g, j) => {
      const name = `${by}:${g}`;
      add[name] = Float64Array.from(gIdx, (r) => (r === j + 1 ? 1 : 0));
      dummies.push(name);
    });
  }
  pooled = pooled.assign(add);
  const x = [
    ...spec.x.flatMap((v) => (interacted.includes(v) ? groups.map((g) => inter(v, String(g))) : [v])),
    ...dummies,
  ];
  const pm = fit(pooled, x);
  const V = pm.vcov as { terms: string[]; matrix: (number | null)[][] };
  const k = V.terms.length;
  const flat = Float64Array.from(V.matrix.flat(), (v) => v ?? NaN);
  const est = V.terms.map((t) => (pm.coefficients as { term: string; estimate: number }[]).find((c) => c.term === t)?.estimate ?? NaN);
  const idx = groups.map((g) => {
    const name = inter(term, String(g));
    const i = V.terms.indexOf(name);
    if (i < 0) throw new FlowError('run', MSG.dropped(name), { node: nodeId });
    return i;
  });
  const tDf = (pm.stats as { t_df?: number | null }).t_df ?? null;
  const w = fromKernel(nodeId, () => waldEqual(est, flat, k, idx, tDf));
  return [
    ...models,
    {
      ...pm,
      role: 'pooled-interaction',
      equality_test: {
        term, by, groups,
        hypothesis: groups.map((g) => inter(term, String(g))).join(' = '),
        statistic: w.form === 'F' ? w.F : w.chi2,
        chi2: w.chi2, F: w.F, df1: w.df1, df2: w.df2, p_value: w.p_value, form: w.form,
        vcov: (pm.stats as { vcov?: string }).vcov,
        interact,
        note: 'Wald test from the pooled interaction model; F = chi2/q with the model\'s t df (G-1 for cluster covariances)',
      },
    },
  ];
}

export const subgroupNode = defineNode({
  type: 'subgroup',
  version: 2, // the code it runs is in its key (its code hash): bump only for a change of meaning
  description: 'The FE model within each group of a column, plus a pooled interaction model with a Wald test of equal key coefficients',
  params: subgroupParams,
  inputs: { data: { type: 'table' } },
  outputs: { models: { type: 'models' } },
  run({ params, inputs, nodeId }) {
    return { models: fitSubgroups(inputs.data as ColumnTable, params, nodeId) };
  },
});
