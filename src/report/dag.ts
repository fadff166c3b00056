// The workflow DAG as Graphviz DOT, rendered to SVG by @viz-js/viz (Graphviz compiled
// to WebAssembly: ~20 ms import + ~35 ms instance + ~30 ms render, measured on Node 20).
// Imported lazily so that workflows without a report never pay for it.
import type { ProvenanceNode } from '../graph/node.js';

type DagNode = Pick<ProvenanceNode, 'id' | 'type' | 'inputs'>;

const KIND_COLOUR: [RegExp, string][] = [
  [/^(load|filter|derive|clean|deflate|pim|allocate|ict|structure|pca|location|solow|w-matrix)/, '#e0ecf8'],
  [/^(fe|iv|sar|sdm|mediation|subgroup|describe)$/, '#fdebd3'],
  [/^(table|report|spec-curve)$/, '#e3f4e1'],
];

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

/** `self` adds the rendering node when the engine lists only its ancestors; `from` are the ids feeding it. */
export function toDot(nodes: ProvenanceNode[], self?: { id: string; type: string; from?: string[] }): string {
  const all: DagNode[] =
    self && !nodes.some((n) => n.id === self.id)
      ? [...nodes, { id: self.id, type: self.type, inputs: [...new Set(self.from ?? [])].map((f) => ({ port: '', from: f })) }]
      : nodes;
  const lines = ['digraph flow {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9, color="#666"];'];
  for (const n of all) {
    const fill = KIND_COLOUR.find(([re]) => re.test(n.type))?.[1] ?? '#eeeeee';
    lines.push(`  ${q(n.id)} [label=${q(`${n.id}\n${n.type}`)}, fillcolor=${q(fill)}];`);
  }
  const ids = new Set(all.map((n) => n.id));
  for (const n of all) {
    for (const inp of n.inputs) {
      // "upstreamId.port": ids may themselves contain dots
      const cut = inp.from.lastIndexOf('.');
      const from = cut > 0 && !ids.has(inp.from) ? inp.from.slice(0, cut) : inp.from;
      if (ids.has(from)) lines.push(`  ${q(from)} -> ${q(n.id)}${inp.port ? ` [label=${q(inp.port)}]` : ''};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

/** DOT -> inline SVG (no XML prolog or doctype, so it embeds in HTML). */
export async function renderDot(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  const svg = viz.renderString(dot, { format: 'svg' });
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '').replace(/<!--[\s\S]*?-->\s*/g, '');
}
