// What an estimator node estimates, in the terms a Stata or R call needs: the equation,
// the absorbed fixed effects, the covariance and its small-sample convention. Built from
// the node's params exactly as the node itself reads them (resolveFe, resolveVcov), so
// the exported code estimates what flow estimated.
import { feParams, resolveFe, resolveVcov } from '../nodes/estimation.js';
import { ivParams } from '../nodes/iv.js';
import { sarParams, sdmParams } from '../nodes/spatial-model.js';
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

export type SpatialSpec = {
  kind: 'sar' | 'sdm';
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

export type ExportSpec = LinearSpec | SpatialSpec;

export const isSpatial = (s: ExportSpec): s is SpatialSpec => s.kind === 'sar' || s.kind === 'sdm';

export const EXPORTABLE = ['fe', 'iv', 'sar', 'sdm'] as const;

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
    case 'sar': case 'sdm': {
      const p = type === 'sar' ? sarParams.parse(params) : sdmParams.parse(params);
      const wx = type === 'sdm' ? ((p as { wx?: string[] }).wx ?? p.x) : [];
      if (p.fe === 'none') throw new ExportError(`a pooled ${type} (fe "none") cannot be exported yet: xsmle and splm code is written for fixed-effects models`);
      const fe = p.fe;
      return { kind: type, y: p.y, x: p.x, wx, fe, id: p.panel.id, time: p.panel.time, leeYu: p.leeYu, draws: p.effects.draws, seed: p.effects.seed };
    }
    default:
      throw new ExportError(`a node of type "${type}" cannot be exported yet; flow export writes the Stata and R code of ${EXPORTABLE.join(', ')} nodes`);
  }
}

/** The columns the model reads (the data written beside the code), in a stable order. */
export function usedColumns(s: ExportSpec): string[] {
  const cols = isSpatial(s)
    ? [s.id, s.time, s.y, ...s.x]
    : [...s.fe, ...(s.vcov.type === 'cluster' ? s.vcov.by : []), s.y, ...s.endog, ...s.x, ...s.instruments];
  return [...new Set(cols)];
}

/** Columns that identify groups (fixed effects, clusters, panel id): written to .dta as labelled integer codes. */
export function groupColumns(s: ExportSpec): string[] {
  return isSpatial(s) ? [s.id] : [...new Set([...s.fe, ...(s.vcov.type === 'cluster' ? s.vcov.by : [])])];
}
