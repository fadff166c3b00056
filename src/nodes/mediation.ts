// `mediation`: the paper's two-stage stepwise mechanism test (METHOD.md 2.5, eqs. 5-10)
// with its verdict per step, and beside it the modern evidence: the product-of-
// coefficients indirect effect a x b, Sobel z and p, a seeded cluster bootstrap
// percentile CI, and the share mediated. Every regression is the `fe` node's own fit.
//
// Model JSON: estimator 'mediation'; call; stages: [{ stage, treatment, mediator, outcome,
//   equations { a | total | b: { eq: '(5)'.., model: fe model JSON } },
//   paths { a, b, c, c_prime: coefficient rows }, indirect { estimate, sobel_se, sobel_z,
//   sobel_p, check_c_minus_c_prime, boot_ci_low, boot_ci_high, boot_ci_low_mc_se,
//   boot_ci_high_mc_se (Monte Carlo SEs of the bounds), boot_se, boot_verdict { excludes_zero,
//   settled (false: a bound within 2 MC SEs of zero), text }, level },
//   share_mediated (ab / c, null when c = 0), stepwise { label, alpha, steps[], holds,
//   verdict, reason } }]; a chain mediator [M1, M2] gives two stages (eqs. 5-7, 8-10),
//   one mediator one stage (8-10). Top-level paths / indirect / share_mediated / stepwise
//   repeat the last stage (NODES.md); bootstrap { reps, failed, seed, cluster, level }.
import { z } from 'zod';
import { LIMITS, limitOf } from '../graph/limits.js';
import type { ColumnTable } from 'arquero';
import { defineNode } from '../graph/node.js';
import type { ModelJson } from '../ports/index.js';
import { FlowError } from '../errors.js';
import { feParams, fitFeModel, completeNumeric, factorColumns, resolveFe, fromKernel, optionalColumnList, type FeParams } from './estimation.js';
import { prepareSample, take } from '../econ/fe-ols.js';
import { isNested } from '../econ/fe.js';
import { sobel, stepwiseVerdict, clusterBootstrapAB, ciVerdict, type Path } from '../econ/mediation.js';

const MSG = {
  noCluster: 'the bootstrap resamples clusters: give bootstrap.cluster, a cluster vcov, or panel { id, time }',
  chain: 'mediator is one column, or a chain [M1, M2] (stage 1: treatment -> M1 -> M2; stage 2: treatment -> M2 -> outcome)',
  overlap: (v: string) => `"${v}" is used in two roles (treatment, mediator, outcome, controls): each column may have one`,
} as const;

export const mediationParams = feParams
  .pick({ fe: true, panel: true, vcov: true, dropSingletons: true, level: true, tol: true })
  .extend({
    treatment: z.string().describe('the key regressor (lnINF)'),
    mediator: z.union([z.string(), z.array(z.string()).length(2)]).describe(MSG.chain),
    outcome: z.string(),
    controls: optionalColumnList.default([]).describe('control columns (a nested list is flattened)'),
    alpha: z.number().gt(0).lt(1).default(0.1).describe('significance level of the stepwise verdicts (the paper counts p < 0.1)'),
    bootstrap: z.object({
      reps: z.number().int().min(0).max(limitOf(LIMITS.bootstrapReps)).meta({ limit: LIMITS.bootstrapReps.name }).default(9999).describe('resamples; 0 skips the bootstrap. 9,999 keeps the Monte Carlo error of the CI bounds small (it is reported)'),
      seed: z.number().int().default(1),
      cluster: z.string().optional().describe('resampled unit (default: the vcov cluster, else panel.id)'),
      level: z.number().gt(0).lt(1).default(0.95),
    }).strict().default({ reps: 9999, seed: 1, level: 0.95 }),
  })
  .strict();

export type MediationParams = z.infer<typeof mediationParams>;

interface Stage { treatment: string; mediator: string; outcome: string; eqs: { a: string; total: string; b: string } }

/** The paper's equation numbers: stage 1 is (5)-(7), stage 2 (or a single stage) (8)-(10). */
function stagesOf(p: MediationParams): Stage[] {
  const st = (mediator: string, outcome: string, first: number): Stage => ({
    treatment: p.treatment, mediator, outcome,
    eqs: { a: `(${first})`, total: `(${first + 1})`, b: `(${first + 2})` },
  });
  if (Array.isArray(p.mediator)) return [st(p.mediator[0], p.mediator[1], 5), st(p.mediator[1], p.outcome, 8)];
  return [st(p.mediator, p.outcome, 8)];
}

const pathOf = (m: ModelJson, term: string): Path & Record<string, unknown> => {
  const r = (m.coefficients as { term: string; estimate: number; std_error: number; p_value: number }[]).find((c) => c.term === term);
  if (!r) throw new FlowError('run', `"${term}" has no coefficient (dropped as collinear?)`);
  return { ...r };
};

export function fitMediation(table: ColumnTable, params: MediationParams, nodeId = 'mediation'): ModelJson {
  const p = mediationParams.parse(params);
  const roles = [p.treatment, ...(Array.isArray(p.mediator) ? p.mediator : [p.mediator]), p.outcome, ...p.controls];
  const dup = roles.find((v, i) => roles.indexOf(v) !== i);
  if (dup) throw new FlowError('validate', MSG.overlap(dup), { node: nodeId });
  const { bootstrap, treatment, mediator: _m, outcome: _o, controls, alpha, ...feCommon } = p;
  const fit = (y: string, x: string[]) =>
    fitFeModel(table, { ...feCommon, y, x, collinear: 'error' } as FeParams, { nodeId });

  const stages = stagesOf(p).map((s) => {
    const aEq = fit(s.mediator, [treatment, ...controls]);
    const totalEq = fit(s.outcome, [treatment, ...controls]);
    const bEq = fit(s.outcome, [treatment, s.mediator, ...controls]);
    const paths = { a: pathOf(aEq, treatment), b: pathOf(bEq, s.mediator), c: pathOf(totalEq, treatment), c_prime: pathOf(bEq, treatment) };
    const ind = sobel(paths.a, paths.b);
    const c = paths.c.estimate;
    return {
      stage: s,
      equations: { a: { eq: s.eqs.a, model: aEq }, total: { eq: s.eqs.total, model: totalEq }, b: { eq: s.eqs.b, model: bEq } },
      paths,
      indirect: { ...ind, check_c_minus_c_prime: c - paths.c_prime.estimate },
      share_mediated: c !== 0 ? ind.estimate / c : null,
      stepwise: stepwiseVerdict(s.eqs, s, { c: paths.c, a: paths.a, b: paths.b, cPrime: paths.c_prime }, alpha),
    };
  });

  let boot: ReturnType<typeof clusterBootstrapAB> | null = null;
  let clusterCol: string | null = null;
  if (bootstrap.reps > 0) {
    const v = p.vcov;
    clusterCol = bootstrap.cluster ?? (v && typeof v === 'object' && typeof v.cluster === 'string' ? v.cluster : p.panel?.id) ?? null;
    if (!clusterCol) throw new FlowError('validate', MSG.noCluster, { node: nodeId });
    const fe = resolveFe(p.fe, p.panel);
    const [cl] = factorColumns(table, [clusterCol], nodeId, p.panel);
    const factors0 = factorColumns(table, fe, nodeId, p.panel);
    // the rows the fits used (singletons removed the same way)
    const sample = prepareSample(table.numRows(), factors0, [cl], p.dropSingletons);
    const pick = (x: Float64Array) => (sample.subset ? take(x, sample.rows) : x);
    const num = (cols: string[]) => completeNumeric(table, cols, nodeId, p.panel).map(pick);
    const [T, ...C] = num([treatment, ...controls]);
    const cluster = sample.clusters[0];
    boot = fromKernel(nodeId, () => clusterBootstrapAB(
      {
        treatment: T,
        controls: C,
        stages: stages.map((s) => { const [m, y] = num([s.stage.mediator, s.stage.outcome]); return { mediator: m, outcome: y }; }),
        factors: sample.factors,
        nestedInCluster: sample.factors.map((f) => isNested(f, cluster)),
        cluster,
      },
      { reps: bootstrap.reps, seed: bootstrap.seed, level: bootstrap.level },
    ));
  }

  const out = stages.map((s, i) => ({
    stage: i + 1,
    treatment: s.stage.treatment,
    mediator: s.stage.mediator,
    outcome: s.stage.outcome,
    equations: s.equations,
    paths: s.paths,
    indirect: {
      ...s.indirect,
      boot_ci_low: boot?.stages[i].ci_low ?? null,
      boot_ci_high: boot?.stages[i].ci_high ?? null,
      boot_ci_low_mc_se: boot?.stages[i].ci_low_mc_se ?? null,
      boot_ci_high_mc_se: boot?.stages[i].ci_high_mc_se ?? null,
      boot_se: boot?.stages[i].se ?? null,
      boot_verdict: (boot && ciVerdict(boot.stages[i], bootstrap.level, bootstrap.reps)) ?? { applicable: false, reason: 'no bootstrap (reps = 0) or too few successful resamples' },
      level: bootstrap.level,
    },
    share_mediated: s.share_mediated,
    stepwise: s.stepwise,
  }));
  const last = out[out.length - 1];
  return {
    estimator: 'mediation',
    call: p as unknown as Record<string, unknown>,
    stages: out,
    // NODES.md top-level fields: those of the last stage (the effect on the outcome)
    paths: last.paths,
    indirect: last.indirect,
    share_mediated: last.share_mediated,
    stepwise: last.stepwise,
    bootstrap: boot
      ? { reps: boot.reps, failed: boot.failed, seed: bootstrap.seed, cluster: clusterCol, level: bootstrap.level, method: 'cluster (pairs) bootstrap, percentile CI' }
      : { applicable: false, reason: 'bootstrap.reps = 0' },
    evidence: {
      stepwise: "the paper's procedure: significance verdicts per equation, reported for fidelity",
      indirect: 'the modern evidence: a x b with its cluster bootstrap percentile CI (Sobel z is first-order)',
    },
    stats: { nobs: (last.equations.b.model.stats as { nobs: number }).nobs },
  };
}

export const mediationNode = defineNode({
  type: 'mediation',
  version: 2, // the code it runs is in its key (its code hash): bump only for a change of meaning
  description: "Mechanism test: the paper's two-stage stepwise procedure (eqs. 5-10) with verdicts, plus a x b, Sobel z and a seeded cluster bootstrap CI",
  params: mediationParams,
  inputs: { data: { type: 'table' } },
  outputs: { model: { type: 'model' } },
  run({ params, inputs, nodeId }) {
    return { model: fitMediation(inputs.data as ColumnTable, params, nodeId) };
  },
});
