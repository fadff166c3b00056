// Shared by the commands: open a workflow (catalogue + plugins + plan), find the cache,
// parse --set values, and print FlowErrors without stack traces.
import { resolve, join } from 'node:path';
import { FlowError } from '../errors.js';
import { Store } from '../graph/store.js';
import { loadWorkflow, projectRoot, formatError, WorkflowInvalid, type NodeCatalog } from '../graph/load.js';
import { buildPlan, type Plan } from '../graph/plan.js';

export async function catalog(): Promise<NodeCatalog> {
  const m = await import('../nodes/index.js');
  return { get: m.getNode, all: m.allNodes };
}

export interface WorkflowOpts { set?: string[]; cache?: string }

export async function openWorkflow(file: string, opts: WorkflowOpts): Promise<{ plan: Plan; store: Store }> {
  const loaded = await loadWorkflow(file, await catalog());
  const plan = buildPlan(loaded, parseSets(opts.set ?? [], loaded.file));
  return { plan, store: openStore(opts.cache, plan.root) };
}

export function openStore(cache: string | undefined, root = projectRoot(join(process.cwd(), 'x'))): Store {
  return new Store(cache ? resolve(cache) : join(root, 'cache'));
}

/** --set name=value: the value as JSON when it parses (numbers, booleans, lists), else a string. */
export function parseSets(sets: string[], file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new FlowError('validate', `--set ${s}: expected name=value, e.g. --set delta=0.096`, { file });
    const raw = s.slice(i + 1);
    let v: unknown = raw;
    try { v = JSON.parse(raw); } catch { /* a plain string */ }
    out[s.slice(0, i)] = v;
  }
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Prints an error for a user: one line per problem, no stack trace. Returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof WorkflowInvalid) {
    for (const x of e.errors) process.stderr.write(`error: ${formatError(x)}\n`);
    process.stderr.write(`${e.errors.length} problem${e.errors.length > 1 ? 's' : ''} in the workflow; nothing was run\n`);
    return 2;
  }
  if (e instanceof FlowError) {
    process.stderr.write(`error: ${formatError(e)}\n`);
    const cause = (e as Error & { cause?: unknown }).cause;
    if (cause instanceof Error && !e.message.includes(cause.message)) process.stderr.write(`  cause: ${cause.message}\n`);
    return e.kind === 'validate' ? 2 : 1;
  }
  const err = e as Error;
  process.stderr.write(`internal error: ${err?.message ?? String(e)}\n  please report it with the workflow that triggered it\n`);
  if (process.env.FLOW_DEBUG && err?.stack) process.stderr.write(err.stack + '\n');
  return 1;
}

export const fmtMs = (ms: number) => (ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`);
