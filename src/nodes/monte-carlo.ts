// `monte-carlo`: the models of every matrix copy of a simulation (one per synthetic data
// seed, e.g. workflows/montecarlo.json) against the data's truth -> one row per target:
// bias, sd, mean SE / sd and coverage, with Monte Carlo standard errors.
import { z } from 'zod';
import * as aq from 'arquero';
import { defineNode, type InputSource } from '../graph/node.js';
import type { ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { coefsOf } from '../report/model-access.js';
import { qNormal } from '../econ/dist.js';
import { summariseDraws, type Draw } from '../econ/montecarlo.js';

const MSG = {
  noModels: (node: string) => `no model from node "${node}" is wired into models: gather its copies with "${node}.model[*]"`,
  noQuantity: (q: string, node: string) => `model ${node} has no "${q}": name a coefficient term, "rho", or "direct:|indirect:|total:<term>"`,
  noTruth: (path: string) => `the truth has no number at "${path}": give a dotted path into the truth JSON (e.g. "ris.total") or a number`,
  truthCount: 'wire one truth per data set ("raw.truth[*]"), in the same matrix as the models, or a single one',
} as const;

export const monteCarloParams = z.object({
  targets: z.array(z.object({
    node: z.string().describe('the model node id (its matrix copies are the draws)'),
    quantity: z.string().describe('a coefficient term, "rho", or "direct:<term>" / "indirect:<term>" / "total:<term>" (spatial effects)'),
    truth: z.union([z.number(), z.string()]).describe('the true value, or a dotted path into the truth JSON ("ris.total")'),
    label: z.string().optional().describe('row label (default: node and quantity)'),
  }).strict()).min(1),
  level: z.number().gt(0).lt(1).default(0.95).describe('nominal coverage of the intervals (the models\' own level)'),
}).strict();

export type MonteCarloParams = z.infer<typeof monteCarloParams>;

const baseId = (id: string) => id.replace(/\[.*\]$/, '');
const sameBranch = (a?: Record<string, unknown>, b?: Record<string, unknown>) => JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

function drawOf(m: ModelJson, quantity: string, node: string, level: number): Draw {
  const [kind, term] = quantity.includes(':') ? quantity.split(/:(.*)/s) : ['coef', quantity];
  const rows = kind === 'coef' ? coefsOf(m) : ((m.effects as Record<string, unknown> | undefined)?.[kind] as ReturnType<typeof coefsOf> | undefined) ?? [];
  const r = rows.find((x) => x.term === term);
  if (r && r.estimate != null) return { estimate: r.estimate, std_error: r.std_error ?? null, conf_low: r.conf_low ?? null, conf_high: r.conf_high ?? null };
  const stats = (m.stats ?? {}) as Record<string, unknown>;
  if (kind === 'coef' && typeof stats[term] === 'number') {
    // a statistic with its SE in stats (rho, rho_se): a normal interval, as the ML estimator reports
    const se = typeof stats[`${term}_se`] === 'number' ? (stats[`${term}_se`] as number) : null;
    const q = qNormal(1 - (1 - level) / 2), est = stats[term] as number;
    return { estimate: est, std_error: se, conf_low: se == null ? null : est - q * se, conf_high: se == null ? null : est + q * se };
  }
  throw new FlowError('run', MSG.noQuantity(quantity, node));
}

function truthAt(t: unknown, spec: number | string): number {
  if (typeof spec === 'number') return spec;
  let v: unknown = t;
  for (const k of spec.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  if (typeof v !== 'number') throw new FlowError('run', MSG.noTruth(spec));
  return v;
}

/** Group the wired models by their declared node, each draw with the truth of its own data set. */
export function monteCarloTable(models: ModelJson[], msrc: InputSource[], truths: unknown[], tsrc: InputSource[], p: MonteCarloParams) {
  const truthFor = (branch?: Record<string, unknown>) => {
    if (truths.length === 1) return truths[0];
    const i = tsrc.findIndex((s) => sameBranch(s.branch, branch));
    if (i < 0) throw new FlowError('validate', MSG.truthCount);
    return truths[i];
  };
  const rows = p.targets.map((t) => {
    const idx = msrc.map((s, i) => (baseId(s.node) === t.node ? i : -1)).filter((i) => i >= 0);
    if (!idx.length) throw new FlowError('validate', MSG.noModels(t.node));
    const draws = idx.map((i) => drawOf(models[i], t.quantity, msrc[i].node, p.level));
    const s = summariseDraws(draws, idx.map((i) => truthAt(truthFor(msrc[i].branch), t.truth)), p.level);
    return { target: t.label ?? `${t.node} ${t.quantity}`, ...s };
  });
  const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
  return aq.table({
    target: col('target'), draws: col('draws'), truth: col('truth'), mean: col('mean'), bias: col('bias'),
    bias_mc_se: col('bias_mc_se'), sd: col('sd'), mean_se: col('mean_se'), se_sd: col('se_sd'),
    coverage: col('coverage'), coverage_mc_se: col('coverage_mc_se'),
  });
}

export const monteCarloNode = defineNode({
  type: 'monte-carlo',
  version: 1,
  sources: true, // labels / matches rows by the upstream node ids
  description: 'Monte Carlo summary over matrix copies (one per simulated data set): bias, sd, mean SE / sd and CI coverage against the truth, with Monte Carlo SEs',
  params: monteCarloParams,
  inputs: {
    models: { type: 'model', many: true, description: 'the models of every copy ("fe_ris.model[*]", ...)' },
    truth: { type: 'json', many: true, description: 'the truth of each data set ("raw.truth[*]"), or one' },
  },
  outputs: { table: { type: 'table' } },
  run({ params, inputs, sources }) {
    const models = inputs.models as ModelJson[], truths = inputs.truth as unknown[];
    return { table: monteCarloTable(models, sources?.models ?? [], truths, sources?.truth ?? [], params) };
  },
});
