// Shared by the commands: open a workflow (catalogue + plugins + plan), find the cache,
// parse --set values, and print FlowErrors without stack traces.
import { resolve, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeDef } from '../graph/node.js';
import { planKey, loadPlan, savePlan } from '../graph/plancache.js';
import { FlowError } from '../errors.js';
import { own, dict } from '../graph/own.js';
import { jsonProblem } from '../graph/json-check.js';
import { Store } from '../graph/store.js';
import { writableDir } from '../graph/paths.js';
import { isRemoteUrl } from '../remote/backend.js';
import { loadWorkflow, projectRoot, formatError, WorkflowInvalid, looksLikeNode, type NodeCatalog } from '../graph/load.js';
import type { Plan } from '../graph/plan.js';
import '../ports/index.js'; // flow's domain port types (model, matrix, report), before anything is encoded or decoded

const runningFromSource = import.meta.url.endsWith('.ts');
/** The project holding src/ (running from source) or dist/ (compiled): two levels up from here. */
const flowRoot = () => fileURLToPath(new URL('../..', import.meta.url));

/**
 * The full catalogue (every node module loaded): for `flow nodes`, the schema, and when there
 * is no manifest (running from source under tsx or vitest: the code hashes are then computed
 * from src/, see graph/code.ts).
 */
export async function catalog(): Promise<NodeCatalog> {
  const m = await import('../nodes/index.js');
  const fromManifest = manifest();
  return {
    get: m.getNode, all: m.allNodes,
    codeHashes: async () => fromManifest ? Object.fromEntries(Object.entries(fromManifest.types).map(([t, x]) => [t, x.code]))
      : runningFromSource ? (await import('../graph/code.js')).sourceCodeHashes(flowRoot()) : {},
  };
}

/**
 * dist/nodes/manifest.json (written by `npm run build`): node type -> module file and code
 * hash, and a stamp of the whole build. bin/flow.js does not run a dist/ without one.
 */
interface Manifest { stamp: string; types: Record<string, { file: string; code: string }> }
function manifest(): Manifest | undefined {
  if (runningFromSource) return undefined;
  try { return JSON.parse(readFileSync(fileURLToPath(new URL('../nodes/manifest.json', import.meta.url)), 'utf8')); } catch { return undefined; }
}

/** A catalogue that imports only the node modules a workflow uses. */
function lazyCatalog(m: Manifest): NodeCatalog {
  const defs = new Map<string, NodeDef<any>>();
  let full: NodeCatalog | undefined;
  const prepare = async (types: string[]) => {
    if (full) return;
    if (types.some((t) => !own(m.types, t) && !defs.has(t))) { full = await catalog(); return; } // unknown here: ask the registry
    await Promise.all(types.filter((t) => !defs.has(t)).map(async (t) => {
      const mod = await import(new URL(`../nodes/${own(m.types, t)!.file}`, import.meta.url).href);
      const d = Object.values(mod).find((x) => looksLikeNode(x) && x.type === t);
      if (d) defs.set(t, d as NodeDef<any>);
    }));
  };
  return {
    get: (t) => full?.get(t) ?? defs.get(t),
    all: () => full?.all() ?? [...defs.values()],
    names: () => full ? full.all().map((d) => d.type) : Object.keys(m.types),
    prepare,
    codeHashes: async (types) => Object.fromEntries(types.flatMap((t) => { const x = own(m.types, t); return x ? [[t, x.code]] : []; })),
  };
}

export interface WorkflowOpts { set?: string[]; cache?: string; localCache?: string }

export async function openWorkflow(file: string, opts: WorkflowOpts): Promise<{ plan: Plan; store: Store }> {
  const abs = resolve(file);
  const sets = parseSets(opts.set ?? [], abs);
  const store = openStore(opts.cache, projectRoot(abs), opts.localCache);
  const m = manifest();
  const cat = m ? lazyCatalog(m) : await catalog();
  const key = m && planKey(abs, sets, m.stamp);
  const builtin = async (t: string) => { await cat.prepare?.([t]); return cat.get(t); };
  const cached = key ? loadPlan(store, key, builtin) : undefined;
  // planning (and graphology) only when there is no valid cached plan
  const plan = cached ?? (await import('../graph/plan.js')).buildPlan(await loadWorkflow(abs, cat), sets);
  if (key && !cached) savePlan(store, key, plan);
  // where each node type's module is, so worker threads can import it
  plan.moduleOf = (t) => { const p = own(plan.plugins, t), b = own(m?.types, t);
    return p ? pathToFileURL(p).href : b ? new URL(`../nodes/${b.file}`, import.meta.url).href : undefined; };
  return { plan, store };
}

/**
 * The local cache (--cache DIR, else cache/ at the project root), checked and made before
 * anything runs (paths.ts). With a shared cache (--cache s3://… or file://…) this is the layer
 * over it: --local-cache DIR, else cache/ at the project root.
 */
export function openStore(cache: string | undefined, root = projectRoot(join(process.cwd(), 'x')), localCache?: string): Store {
  const dir = isRemoteUrl(cache) ? localCache ?? join(root, 'cache') : cache ?? join(root, 'cache');
  return new Store(writableDir(dir, isRemoteUrl(cache) && localCache ? '--local-cache' : '--cache'));
}

/** --set name=value: the value as JSON when it parses (numbers, booleans, lists), else a string. */
export function parseSets(sets: string[], file: string): Record<string, unknown> {
  const out = dict<unknown>();
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw setShapeError(s, undefined, file);
    const raw = s.slice(i + 1);
    let v: unknown = raw;
    try { v = JSON.parse(raw); } catch { /* a plain string */ }
    const bad = jsonProblem(v);
    if (bad) throw new FlowError('validate', `--set ${s.slice(0, i)}${bad.path ? `: ${bad.path}` : ''}: ${bad.message}`, { file });
    out[s.slice(0, i)] = v;
  }
  return out;
}

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** "--set delta: expected name=value (--set delta=0.096)"; `next` is the word after it on the command line. */
export function setShapeError(s: string, next?: string, file?: string): FlowError {
  const name = s.startsWith('=') ? 'name' : s;
  const value = s.startsWith('=') ? s.slice(1) || 'value' : next !== undefined && !next.startsWith('-') ? next : 'value';
  return new FlowError('validate', `--set ${s}: expected name=value (--set ${name}=${value})`, file ? { file } : {});
}

/** --set as commander parses it: a value with no "=" (`--set delta 0.096`) is one error line, not the help. */
export const collectSet = (v: string, prev: string[] = []) => {
  if (v.indexOf('=') <= 0) {
    const argv = process.argv;
    const at = argv.findIndex((a, i) => a === v && argv[i - 1] === '--set');
    throw setShapeError(v, at >= 0 ? argv[at + 1] : undefined);
  }
  return [...prev, v];
};

/** Prints an error for a user: one line per problem, no stack trace. Returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof WorkflowInvalid) {
    const lines = groupedErrors(e.errors);
    for (const l of lines) process.stderr.write(`error: ${l}\n`);
    process.stderr.write(`${lines.length} problem${lines.length > 1 ? 's' : ''} in the workflow; nothing was run\n`);
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

/**
 * Validation errors, one line per distinct problem: one bad param value (a --set value, a
 * branch's param) that several nodes take is one line naming the fields, the first in full and
 * the others by node when they differ only there ("nodes.a.with.reps: ... (the same at b, c)").
 */
export function groupedErrors(errors: FlowError[]): string[] {
  const groups = new Map<string, FlowError[]>();
  for (const x of errors) {
    // only a bad param value (the message says whose): other equal messages are separate problems
    const k = x.message.includes('(the value of $') ? `${x.context.file ?? ''}\0${x.message}` : `${groups.size}`;
    const g = groups.get(k);
    if (g) g.push(x); else groups.set(k, [x]);
  }
  return [...groups.values()].map((g) => {
    if (g.length === 1 || !g[0].context.field) return formatError(g[0]);
    const first = g[0].context.field!;
    const m = /^nodes\.([^.]+)(\..*)?$/.exec(first);
    const others = g.slice(1).map((x) => {
      const f = x.context.field ?? '';
      const n = /^nodes\.([^.]+)(\..*)?$/.exec(f);
      return m && n && n[2] === m[2] ? n[1] : f;
    });
    const uniq = [...new Set(others)].filter((o) => o !== first);
    return formatError(g[0]) + (uniq.length ? ` (the same at ${uniq.join(', ')})` : '');
  });
}

export const fmtMs = (ms: number) => (ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`);

export { flowVersion, gitCommit } from '../graph/about.js';
