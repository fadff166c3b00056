// Reading model JSON (NODES.md, broom layout) for tables: coefficient rows, stats,
// labels, the dependent variable, fixed effects. Every printed number comes through here.
import type { ModelJson } from '../ports/index.js';
import { num } from './format.js';

export interface CoefRow {
  term: string;
  estimate: number | null;
  std_error?: number | null;
  statistic?: number | null;
  p_value?: number | null;
  conf_low?: number | null;
  conf_high?: number | null;
}

export const CONSTANT = new Set(['(Intercept)', '_cons', 'const', 'constant', 'Intercept']);
/** prefixes spatial models use for W x X terms */
export const W_TERM = /^(?:W\*|W:|Wx:|W\.|W_x_|W_|W x |lag\.)(.+)$/;

export const coefsOf = (m: ModelJson): CoefRow[] => (Array.isArray(m.coefficients) ? (m.coefficients as CoefRow[]) : []);
export const statsOf = (m: ModelJson): Record<string, unknown> => (m.stats && typeof m.stats === 'object' ? (m.stats as Record<string, unknown>) : {});
export const stat = (m: ModelJson, k: string): number | null => num(statsOf(m)[k]);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const callOf = (m: ModelJson): Record<string, any> => (m.call && typeof m.call === 'object' ? (m.call as Record<string, any>) : {});

/** { applicable: false, reason } of a stat, when the model says it does not apply */
export function notApplicable(m: ModelJson, k: string): string | null {
  const v = statsOf(m)[k];
  return v && typeof v === 'object' && (v as { applicable?: unknown }).applicable === false ? String((v as { reason?: unknown }).reason ?? 'not applicable') : null;
}

export function labelOf(v: string, labels: Record<string, string> = {}): string {
  if (labels[v] !== undefined) return labels[v];
  if (CONSTANT.has(v)) return labels['_cons'] ?? labels['(Intercept)'] ?? 'constant';
  const w = W_TERM.exec(v);
  if (w) return `W x ${labelOf(w[1], labels)}`;
  return v;
}

/** the dependent variable a model explains */
export const depVar = (m: ModelJson): string | undefined => {
  const c = callOf(m);
  return typeof c.y === 'string' ? c.y : typeof c.outcome === 'string' ? c.outcome : undefined;
};

/** FE columns of a model's call: a list (fe, iv) or individual/time/twoways (sar/sdm). */
export function feColumns(m: ModelJson): string[] {
  // the estimator's resolved list first: a call may leave fe to its default
  const resolved = statsOf(m).fe;
  if (Array.isArray(resolved)) return resolved.filter((x: unknown): x is string => typeof x === 'string');
  const c = callOf(m);
  if (Array.isArray(c.fe)) return c.fe.filter((x: unknown): x is string => typeof x === 'string');
  const id = c.panel?.id ?? 'id';
  const time = c.panel?.time ?? 'time';
  switch (c.fe ?? resolved) {
    case 'individual': return [id];
    case 'time': return [time];
    case 'twoways': return [id, time];
    default: return [];
  }
}

/** Stock-Yogo 10% maximal IV size critical value, from whichever shape the IV node used. */
export function stockYogo10(sy: unknown): number | null {
  if (typeof sy === 'number') return num(sy);
  if (!sy || typeof sy !== 'object') return null;
  const o = sy as Record<string, unknown>;
  for (const k of ['size_10', '10%', '0.10', '0.1', 'size10']) if (num(o[k]) != null) return o[k] as number;
  if (o.size && typeof o.size === 'object') return stockYogo10(o.size);
  return null;
}

/** A short name of the estimator, for a header row. */
export function estimatorName(m: ModelJson): string {
  switch (m.estimator) {
    case 'fe': return 'FE';
    case 'iv': return 'IV-2SLS';
    case 'sdm': return 'SDM (ML)';
    case 'sar': return 'SAR (ML)';
    default: return m.estimator;
  }
}
