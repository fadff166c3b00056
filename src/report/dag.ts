// The workflow DAG: drawn by the built-in layered layout (default), or as Graphviz
// DOT rendered by @viz-js/viz (Graphviz compiled to WebAssembly: ~20 ms import +
// ~35 ms instance + ~30 ms render on an idle machine, several times that under load;
// imported lazily so that only `dag: "graphviz"` pays for it).
import type { ProvenanceNode } from '../graph/node.js';
import { layoutDagSvg, type DagNode as LayoutNode } from './dag-layout.js';

type DagNode = Pick<ProvenanceNode, 'id' | 'type' | 'inputs'>;

const KIND_COLOUR: [RegExp, string][] = [
  [/^(load|filter|derive|clean|deflate|pim|allocate|ict|structure|pca|location|solow|w-matrix)/, '#e0ecf8'],
  [/^(fe|iv|sar|sdm|mediation|subgroup|describe)$/, '#fdebd3'],
  [/^(table|report|spec-curve)$/, '#e3f4e1'],
];

export const typeColour = (type: string) => KIND_COLOUR.find(([re]) => re.test(type))?.[1] ?? '#eeeeee';

/** upstream node id of an input reference "upstreamId.port" (ids may contain dots) */
function upstream(from: string, ids: Set<string>): string {
  const cut = from.lastIndexOf('.');
  return cut > 0 && !ids.has(from) ? from.slice(0, cut) : from;
}

/** Nodes (+ the rendering node itself when the engine lists only ancestors) for drawing. */
export function dagNodes(nodes: ProvenanceNode[], self?: { id: string; type: string; from?: string[] }): LayoutNode[] {
  const ids = new Set(nodes.map((n) => n.id));
  const out: LayoutNode[] = nodes.map((n) => ({ id: n.id, type: n.type, from: [...new Set(n.inputs.map((i) => upstream(i.from, ids)))] }));
  if (self && !ids.has(self.id)) out.push({ id: self.id, type: self.type, from: [...new Set(self.from ?? [])] });
  return out;
}

/** The built-in drawing: no WebAssembly, about a millisecond. */
export const dagSvg = (nodes: LayoutNode[]): string => layoutDagSvg(nodes, typeColour);

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

/** `self` adds the rendering node when the engine lists only its ancestors; `from` are the ids feeding it. */
export function toDot(nodes: ProvenanceNode[], self?: { id: string; type: string; from?: string[] }): string {
  const all: DagNode[] =
    self && !nodes.some((n) => n.id === self.id)
      ? [...nodes, { id: self.id, type: self.type, inputs: [...new Set(self.from ?? [])].map((f) => ({ port: '', from: f })) }]
      : nodes;
  const lines = ['digraph flow {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9, color="#666"];'];
  for (const n of all) {
    const fill = typeColour(n.type);
    lines.push(`  ${q(n.id)} [label=${q(`${n.id}\n${n.type}`)}, fillcolor=${q(fill)}];`);
  }
  const ids = new Set(all.map((n) => n.id));
  for (const n of all) {
    for (const inp of n.inputs) {
      const from = upstream(inp.from, ids);
      if (ids.has(from)) lines.push(`  ${q(from)} -> ${q(n.id)}${inp.port ? ` [label=${q(inp.port)}]` : ''};`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}

let viz: Promise<{ renderString(dot: string, o: { format: string }): string }> | null = null;

/** DOT -> inline SVG (no XML prolog or doctype, so it embeds in HTML). */
export async function renderDot(dot: string): Promise<string> {
  // one WebAssembly instance per process: creating it is the expensive part
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const v = await viz;
  const svg = v.renderString(dot, { format: 'svg' });
  return svg.replace(/^<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '').replace(/<!--[\s\S]*?-->\s*/g, '');
}
