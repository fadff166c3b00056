// What an estimator node estimates, in the terms a Stata or R call needs: the equation,
// the absorbed fixed effects, the covariance and its small-sample convention. Built from
// the node's params exactly as the node itself reads them (resolveFe, resolveVcov), so
// the exported code estimates what flow estimated.
import { feParams, resolveFe, resolveVcov } from '../nodes/estimation.js';
import { ivParams } from '../nodes/iv.js';
import { sarParams, sdmParams } from '../nodes/spatial-model.js';
import { semParams } from '../nodes/sem-model.js';
import { sacParams } from '../nodes/sac-model.js';
import { mediationParams } from '../nodes/mediation.js';
import { subgroupParams } from '../nodes/subgroup.js';
import { hausmanParams } from '../nodes/hausman-test.js';
import type { VcovRequest } from '../econ/vcov.js';

export type LinearSpec = {
  kind: 'fe' | 'iv';
  y: string;
  /** exogenous regressors (fe: all of x) */
  x: string[];
  endog: string[];
  instruments: string[];
  fe: string[];
  vcov: VcovRequest;
};

/** mediation: per stage the regressions a (M ~ T + C), total (Y ~ T + C), b (Y ~ T + M + C), each an fe fit */
export type MediationSpec = {
  kind: 'mediation';
  treatment: string;
  /** one stage per mediator: (5)-(7) then (8)-(10) for a chain, (8)-(10) for one mediator */
  stages: { mediator: string; outcome: string; eqs: [string, string, string] }[];
  controls: string[];
  fe: string[];
  vcov: VcovRequest;
  bootstrap: { reps: number; seed: number; cluster: string | null; level: number };
};

/** subgroup: the fe model within each group of `by`, then the pooled interaction model and its equality test */
export type SubgroupSpec = {
  kind: 'subgroup';
  y: string;
  x: string[];
  fe: string[];
  vcov: VcovRequest;
  by: string;
  groups: (string | number)[] | null;
  term: string;
  equalityTest: boolean;
  interacted: string[];
};

/** re: Swamy-Arora random unit effects; twoways adds fixed period dummies */
export type ReSpec = { kind: 're'; y: string; x: string[]; id: string; time: string; effect: 'individual' | 'twoways' };

export type SpatialSpec = {
  kind: 'sar' | 'sdm' | 'sem' | 'sac';
  y: string;
  x: string[];
  wx: string[];
  fe: 'individual' | 'time' | 'twoways';
  id: string;
  time: string;
  leeYu: boolean;
  draws: number;
  seed: number;
};

export type ExportSpec = LinearSpec | SpatialSpec | MediationSpec | SubgroupSpec | ReSpec;

export const isSpatial = (s: ExportSpec): s is SpatialSpec => s.kind === 'sar' || s.kind === 'sdm' || s.kind === 'sem' || s.kind === 'sac';

export const EXPORTABLE = ['fe', 'iv', 'mediation', 'subgroup', 're', 'sar', 'sdm', 'sem', 'sac'] as const;

export class ExportError extends Error {}

/** The spec of a node of one of the EXPORTABLE types (params as the plan holds them, defaults filled in). */
export function exportSpec(type: string, params: unknown): ExportSpec {
  switch (type) {
    case 'fe': {
      const p = feParams.parse(params);
      return { kind: 'fe', y: p.y, x: p.x, endog: [], instruments: [], fe: resolveFe(p.fe, p.panel), vcov: resolveVcov(p.vcov, p.panel).req };
    }
    case 'iv': {
      const p = ivParams.parse(params);
      return { kind: 'iv', y: p.y, x: p.exog, endog: p.endog, instruments: p.instruments, fe: resolveFe(p.fe, p.panel), vcov: resolveVcov(p.vcov, p.panel).req };
    }
    case 'mediation': {
      const p = mediationParams.parse(params);
      const v = p.vcov;
      const cluster = p.bootstrap.cluster ?? (v && typeof v === 'object' && typeof v.cluster === 'string' ? v.cluster : p.panel?.id) ?? null;
      const stages: MediationSpec['stages'] = Array.isArray(p.mediator)
        ? [{ mediator: p.mediator[0], outcome: p.mediator[1], eqs: ['(5)', '(6)', '(7)'] }, { mediator: p.mediator[1], outcome: p.outcome, eqs: ['(8)', '(9)', '(10)'] }]
        : [{ mediator: p.mediator, outcome: p.outcome, eqs: ['(8)', '(9)', '(10)'] }];
      return {
        kind: 'mediation', treatment: p.treatment, stages, controls: p.controls, fe: resolveFe(p.fe, p.panel), vcov: resolveVcov(p.vcov, p.panel).req,
        bootstrap: { reps: p.bootstrap.reps, seed: p.bootstrap.seed, cluster, level: p.bootstrap.level },
      };
    }
    case 'subgroup': {
      const p = subgroupParams.parse(params);
      const term = p.term ?? p.x[0];
      return {
        kind: 'subgroup', y: p.y, x: p.x, fe: resolveFe(p.fe, p.panel), vcov: resolveVcov(p.vcov, p.panel).req,
        by: p.by, groups: p.groups ?? null, term, equalityTest: p.equalityTest, interacted: p.interact === 'all' ? p.x : [term],
      };
    }
    case 're': {
      const p = hausmanParams.parse(params);
      return { kind: 're', y: p.y, x: p.x, id: p.panel.id, time: p.panel.time, effect: p.fe };
    }
    case 'sar': case 'sdm': case 'sem': case 'sac': {
      const p = type === 'sar' ? sarParams.parse(params) : type === 'sdm' ? sdmParams.parse(params) : type === 'sem' ? semParams.parse(params) : sacParams.parse(params);
      const wx = type === 'sdm' ? ((p as { wx?: string[] }).wx ?? p.x) : [];
      if (p.fe === 'none') throw new ExportError(`a pooled ${type} (fe "none") cannot be exported yet: xsmle and splm code is written for fixed-effects models`);
      const fe = p.fe;
      const effects = 'effects' in p ? p.effects as { draws: number; seed: number } : { draws: 0, seed: 0 };
      return { kind: type, y: p.y, x: p.x, wx, fe, id: p.panel.id, time: p.panel.time, leeYu: p.leeYu, draws: effects.draws, seed: effects.seed };
    }
    default:
      throw new ExportError(`a node of type "${type}" cannot be exported yet; flow export writes the Stata and R code of ${EXPORTABLE.join(', ')} nodes`);
  }
}

/** The columns the model reads (the data written beside the code), in a stable order. */
export function usedColumns(s: ExportSpec): string[] {
  const cols = isSpatial(s) || s.kind === 're' ? [s.id, s.time, s.y, ...s.x] : [...groupColumns(s), ...modelColumns(s)];
  return [...new Set(cols)];
}

function modelColumns(s: LinearSpec | MediationSpec | SubgroupSpec): string[] {
  switch (s.kind) {
    case 'mediation': return [s.treatment, ...s.stages.flatMap((st) => [st.mediator, st.outcome]), ...s.controls];
    case 'subgroup': return [s.by, s.y, ...s.x];
    default: return [s.y, ...s.endog, ...s.x, ...s.instruments];
  }
}

/** Columns that identify groups (fixed effects, clusters, panel id): written to .dta as labelled integer codes. */
export function groupColumns(s: ExportSpec): string[] {
  if (isSpatial(s) || s.kind === 're') return [s.id];
  const boot = s.kind === 'mediation' && s.bootstrap.reps > 0 && s.bootstrap.cluster ? [s.bootstrap.cluster] : [];
  return [...new Set([...s.fe, ...(s.vcov.type === 'cluster' ? s.vcov.by : []), ...boot])];
}
