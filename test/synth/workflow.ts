// Runs a workflow file's nodes in dependency order by calling the real node
// definitions (no engine or cache): enough to check what the data half builds.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { getNode } from '../../src/nodes/index.js';

type Wf = { params?: Record<string, unknown>; nodes: Record<string, { uses: string; with?: Record<string, unknown>; in?: Record<string, string> }> };

const subst = (v: unknown, p: Record<string, unknown>): unknown => {
  if (typeof v === 'string' && v.startsWith('$') && v.slice(1) in p) return p[v.slice(1)];
  if (Array.isArray(v)) return v.map((x) => subst(x, p));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, subst(x, p)]));
  return v;
};

export async function runWorkflowDirect(file: string, sets: Record<string, unknown> = {}): Promise<Record<string, Record<string, any>>> {
  const wf = JSON.parse(readFileSync(file, 'utf8')) as Wf;
  const params = { ...(wf.params ?? {}), ...sets };
  const out: Record<string, Record<string, any>> = {};
  const pending = new Set(Object.keys(wf.nodes));
  while (pending.size) {
    const ready = [...pending].filter((id) => Object.values(wf.nodes[id].in ?? {}).every((ref) => ref.split('.')[0] in out));
    if (!ready.length) throw new Error(`cycle or unknown input among ${[...pending].join(', ')}`);
    for (const id of ready) {
      const n = wf.nodes[id];
      const def = getNode(n.uses);
      if (!def) throw new Error(`unknown node type ${n.uses}`);
      const inputs = Object.fromEntries(Object.entries(n.in ?? {}).map(([port, ref]) => {
        const [src, p] = ref.split('.');
        return [port, out[src][p]];
      }));
      out[id] = await def.run({
        params: def.params.parse(subst(n.with ?? {}, params)), inputs, nodeId: id,
        resolvePath: (p: string) => resolve(dirname(file), p),
      });
      pending.delete(id);
    }
  }
  return out;
}
