// The workflow DAG: drawn by the built-in layered layout (default), or as Graphviz
// DOT rendered by @viz-js/viz (Graphviz compiled to WebAssembly: ~20 ms import +
// ~35 ms instance + ~30 ms render on an idle machine, several times that under load;
// imported lazily so that only `dag: "graphviz"` pays for it).
import type { ProvenanceNode } from '../graph/node.js';
import { countLabel, layoutDagSvg, type DagNode as LayoutNode } from './dag-layout.js';
import { collapseCopies, declaredId } from './dag-collapse.js';
import { escapeHtml } from './format.js';

type DagNode = Pick<ProvenanceNode, 'id' | 'type' | 'inputs'>;

/** Node kinds by type (the report's colours: it cannot know run status, see dagLegend). */
export const KINDS: { name: string; re: RegExp; colour: string }[] = [
  { name: 'data: load, clean, derive', re: /^(load|read|filter|derive|clean|deflate|pim|allocate|ict|structure|pca|location|solow|w-matrix|aggregate|append|join|rename|reshape|check|group|synth)/, colour: '#e0ecf8' },
  { name: 'model or test', re: /^(fe|re|iv|sar|sdm|sac|sem|mediation|subgroup|describe|moran|hausman|spatial-lm|spatial-lr-wald|monte-carlo)$/, colour: '#fdebd3' },
  { name: 'table, figure, report', re: /^(table|report|spec-curve)$/, colour: '#e3f4e1' },
];
const OTHER = '#eeeeee';

export const typeColour = (type: string) => KINDS.find((k) => k.re.test(type))?.colour ?? OTHER;

/**
 * The legend under the drawing. Colours are node kinds, not run status: the report is a cached
 * result, so a ran / hit drawn into it would be the status of the run that rendered it, shown
 * unchanged by every later run that hits. `flow status` and `flow log` give the status.
 */
export function dagLegend(types: string[], maxCopies = 1): string {
  const used = KINDS.filter((k) => types.some((t) => k.re.test(t)));
  const other = types.some((t) => !KINDS.some((k) => k.re.test(t)));
  const item = (colour: string, name: string) => `<span class="key"><span class="swatch" style="background:${colour}"></span>${escapeHtml(name)}</span>`;
  return `<p class="legend">${[...used.map((k) => item(k.colour, k.name)), ...(other ? [item(OTHER, 'other')] : [])].join(' ')}` +
    (maxCopies > 1 ? ` <span class="key"><span class="swatch stack"></span><b>x${maxCopies}</b>: one declared node run as ${maxCopies} matrix copies (one per combination of the matrix params it depends on)</span>` : '') + '</p>' +
    '<p class="legend note">Colours show the kind of node, not whether it ran or hit: this report is a cached result, so a status drawn here ' +
    'would be that of the run that rendered it. <code>flow status</code> shows what would run now, <code>flow log</code> what each run ran and hit. ' +
    'Each box links to its table, or to its entry under Provenance.</p>';
}

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

/** The built-in drawing: no WebAssembly, about a millisecond. Matrix copies are drawn as one
 * box per declared node (collapseCopies); `href` gives each box its link. */
export const dagSvg = (nodes: LayoutNode[], href?: (id: string) => string | undefined): string =>
  layoutDagSvg(collapseCopies(nodes).map((n) => ({ ...n, href: href?.(n.id) })), typeColour);

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

/** `self` adds the rendering node when the engine lists only its ancestors; `from` are the ids
 * feeding it. Matrix copies are one node per declared id, labelled with their number. */
export function toDot(nodes: ProvenanceNode[], self?: { id: string; type: string; from?: string[] }): string {
  const all: DagNode[] =
    self && !nodes.some((n) => n.id === self.id)
      ? [...nodes, { id: self.id, type: self.type, inputs: [...new Set(self.from ?? [])].map((f) => ({ port: '', from: f })) }]
      : nodes;
  const lines = ['digraph flow {', '  rankdir=LR;', '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=9, color="#666"];'];
  const ids = new Set(all.map((n) => n.id));
  const count = new Map<string, { type: string; n: number }>();
  for (const n of all) { const d = declaredId(n.id); count.set(d, { type: n.type, n: (count.get(d)?.n ?? 0) + 1 }); }
  for (const [id, { type, n }] of count) lines.push(`  ${q(id)} [label=${q(`${id}\n${type}${countLabel(n)}`)}, fillcolor=${q(typeColour(type))}];`);
  const edges = new Set<string>();
  for (const n of all) {
    for (const inp of n.inputs) {
      const from = upstream(inp.from, ids);
      if (!ids.has(from)) continue;
      const e = `  ${q(declaredId(from))} -> ${q(declaredId(n.id))}${inp.port ? ` [label=${q(inp.port)}]` : ''};`;
      if (!edges.has(e)) { edges.add(e); lines.push(e); }
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
