// Matrix copies -> one box per declared node. A copy's id is the declared id plus its branch
// ("fe_ris[delta=0.09,...]"; declared ids cannot contain "["), so the 141 copies of
// workflows/multiverse.json draw as its declared nodes, each marked with its number of copies.
import type { DagNode } from './dag-layout.js';

/** the declared node id of an instance id */
export const declaredId = (id: string): string => {
  const cut = id.indexOf('[');
  return cut > 0 ? id.slice(0, cut) : id;
};

/** One node per declared id: `count` copies, edges between declared ids (deduplicated). */
export function collapseCopies(nodes: DagNode[]): DagNode[] {
  const out = new Map<string, DagNode & { count: number }>();
  for (const n of nodes) {
    const id = declaredId(n.id);
    const box = out.get(id) ?? { id, type: n.type, from: [], count: 0 };
    box.count++;
    for (const f of n.from) { const u = declaredId(f); if (u !== id && !box.from.includes(u)) box.from.push(u); }
    out.set(id, box);
  }
  return [...out.values()];
}
