// Warnings of a run: a node's JSON output may carry `warnings: string[]` (clean-panel's report
// lists every unit it dropped). After the run they are printed, for the nodes that ran and
// for those that hit (the same result has the same warnings), so that a dropped unit never
// passes without a word. Read from the cached outputs: small JSON artifacts only.
import type { Plan } from '../graph/plan.js';
import type { Store } from '../graph/store.js';

/** node id -> its warnings, for the nodes of `keys` (node -> cache key) that have any. */
export function warningsOf(plan: Plan, store: Store, keys: Map<string, string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [node, key] of keys) {
    const n = plan.nodes.get(node);
    if (!n) continue;
    const rec = store.getRecord(key);
    for (const [port, spec] of Object.entries(n.def.outputs)) {
      if (spec.type !== 'json') continue;
      const ref = rec?.outputs?.[port];
      if (!ref?.hash) continue;
      let v: unknown;
      try { v = JSON.parse(Buffer.from(store.getObject(ref.hash)).toString('utf8')); } catch { continue; }
      const w = (v as { warnings?: unknown } | null)?.warnings;
      if (Array.isArray(w) && w.length) out.set(node, [...(out.get(node) ?? []), ...w.map(String)]);
    }
  }
  return out;
}

/** "warning: panel: Chizhou dropped (continuity): ...", one line each, in plan order. */
export function printWarnings(plan: Plan, warnings: Map<string, string[]>, write: (s: string) => void): void {
  for (const id of plan.order) for (const w of warnings.get(id) ?? []) write(`warning: ${id}: ${w}\n`);
}
