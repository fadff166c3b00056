// A validated, expanded plan is a pure function of the workflow files, the plugin
// modules, the --set values and the node catalogue build. Caching it lets a warm
// `flow run` skip loading node modules and zod validation altogether: definitions are
// loaded only for the nodes that must run. The entry records each source file's hash
// and is used only when all of them still match.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_VERSION, canonical, sha256 } from './hash.js';
import type { Plan, PlanNode } from './plan.js';
import type { NodeDef } from './node.js';
import { looksLikeNode } from './load.js';
import type { Store } from './store.js';
import { planProblem } from './shapes.js';
import { own } from './own.js';
import { overridesInForce } from './limits.js';

const overrides = () => { const o = overridesInForce(); return Object.keys(o).length ? { limits: o } : {}; };

type SavedNode = Omit<PlanNode, 'gathers'> & { gathers: string[] };
interface Saved { sources: { path: string; sha256: string }[]; plan: Omit<Plan, 'nodes' | 'dependents' | 'resolve'> & { nodes: SavedNode[] } }

// the bounds' overrides in force are part of it: a plan accepted under FLOW_MAX_DRAWS=... is
// validated again without it
export const planKey = (file: string, sets: Record<string, unknown>, catalogStamp: string) =>
  sha256(canonical({ engine: ENGINE_VERSION, file, sets, catalogStamp, ...overrides() }));

const path = (store: Store, key: string) => join(store.dir, 'plans', key + '.json');

/** The cached plan, if every workflow and plugin file it was built from is unchanged. */
export function loadPlan(store: Store, key: string, resolveBuiltin: (type: string) => Promise<NodeDef<any> | undefined>): Plan | undefined {
  let saved: Saved;
  try { saved = JSON.parse(readFileSync(path(store, key), 'utf8')); } catch { return undefined; }
  if (planProblem(saved)) return undefined; // broken: planned again (and replaced)
  for (const s of saved.sources) {
    try { if (sha256(readFileSync(s.path)) !== s.sha256) return undefined; } catch { return undefined; }
  }
  const nodes = new Map<string, PlanNode>(saved.plan.nodes.map((n) => [n.id, { ...n, gathers: new Set(n.gathers) }]));
  const plugins = saved.plan.plugins;
  return {
    ...saved.plan, nodes, dependents: dependentsOf(nodes),
    resolve: async (type) => {
      const plugin = own(plugins, type);
      if (!plugin) return (await resolveBuiltin(type))!;
      const mod = await import(pathToFileURL(plugin).href);
      return [mod.default, ...Object.values(mod)].flat().find((d) => looksLikeNode(d) && d.type === type);
    },
  };
}

export function savePlan(store: Store, key: string, plan: Plan): void {
  const { nodes, dependents: _d, resolve: _r, ...rest } = plan;
  const saved: Saved = {
    sources: plan.sources.map((p) => ({ path: p, sha256: sha256(readFileSync(p)) })),
    plan: { ...rest, nodes: [...nodes.values()].map((n) => ({ ...n, gathers: [...n.gathers] })) },
  };
  store.writeAtomic(path(store, key), JSON.stringify(saved));
}

/** node id -> the nodes that read its outputs (a warm run's only graph structure: no graphology). */
export function dependentsOf(nodes: Map<string, PlanNode>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of nodes.values()) out.set(n.id, []);
  for (const n of nodes.values()) for (const up of new Set(Object.values(n.inputs).flat().map((r) => r.node))) out.get(up)!.push(n.id);
  return out;
}
