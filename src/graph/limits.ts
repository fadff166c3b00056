// Bounds on everything a workflow can ask that sizes work: draws, resamples, matrix
// combinations. Each has a default that covers any sensible analysis and keeps a run within
// memory and time on a laptop; a user who truly wants more raises it for a run with an
// environment variable (FLOW_MAX_<NAME>=<n>). The bound decides only whether a workflow is
// accepted, never what a node computes, so it is not part of any cache key.
import { FlowError } from '../errors.js';

export interface Limit {
  /** short name, e.g. "draws" */
  name: string;
  /** the environment variable that overrides it, e.g. FLOW_MAX_DRAWS */
  env: string;
  /** what it bounds, for the message and the docs */
  what: string;
  default: number;
}

export const LIMITS = {
  draws: { name: 'draws', env: 'FLOW_MAX_DRAWS', what: 'draws for simulated standard errors (spatial effects)', default: 100_000 },
  bootstrapReps: { name: 'bootstrapReps', env: 'FLOW_MAX_BOOTSTRAP_REPS', what: 'bootstrap resamples (wild cluster bootstrap, mediation)', default: 1_000_000 },
  combinations: { name: 'combinations', env: 'FLOW_MAX_COMBINATIONS', what: 'combinations of a matrix (each a copy of the nodes that depend on it)', default: 10_000 },
  planNodes: { name: 'planNodes', env: 'FLOW_MAX_PLAN_NODES', what: 'nodes of an expanded plan (matrix copies included)', default: 100_000 },
} as const satisfies Record<string, Limit>;

const MAX_OVERRIDE = 2 ** 40;

/** The bound in force: its default, or FLOW_MAX_<NAME> when set (a positive integer). */
export function limitOf(l: Limit, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[l.env];
  if (raw === undefined || raw === '') return l.default;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_OVERRIDE)
    throw new FlowError('validate', `${l.env}=${raw}: expected a positive integer (at most ${MAX_OVERRIDE}), the most ${l.what} to allow`);
  return n;
}

/** The sentence appended to a message when a bound is exceeded. */
export const raiseHint = (l: Limit, value: number) =>
  `at most ${limitOf(l).toLocaleString('en-US')} ${l.what} are allowed; to allow more, run with ${l.env}=${Math.ceil(value)}`;

/** The limit a JSON Schema (from zod's .meta({ limit })) names, if any. */
export const limitNamed = (name: unknown): Limit | undefined =>
  typeof name === 'string' && Object.hasOwn(LIMITS, name) ? LIMITS[name as keyof typeof LIMITS] : undefined;

/** The FLOW_MAX_* variables set for this process (name -> raw value). */
export function overridesInForce(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of Object.values(LIMITS)) { const v = env[l.env]; if (v !== undefined && v !== '') out[l.env] = v; }
  return out;
}
