// The DAG as `flow ui` draws it. Matrix copies of one declared node are collapsed into a
// single box (`fe_ris x24`) unless the page asked to expand that node; Graphviz (through
// @viz-js/viz, the path the report's `dag: "graphviz"` already uses) lays the boxes out and
// the page draws them itself as SVG in a viewBox that fits its viewport. Drawing on the page,
// not shipping Graphviz's SVG, is what lets every box carry data-node / data-status and
// change colour as run events arrive.
import type { Plan } from '../graph/plan.js';

export interface ViewBox {
  /** the node id, or the declared id of a collapsed group */
  id: string;
  type: string;
  /** plan node ids drawn by this box (one, or every copy of a collapsed group) */
  members: string[];
  /** a collapsed group of matrix copies */
  group: boolean;
  x: number; y: number; w: number; h: number;
}
export interface ViewEdge { from: string; to: string; d: string; end: [number, number] }
export interface ViewCluster { id: string; count: number; x: number; y: number; w: number; h: number }
export interface Layout { width: number; height: number; boxes: ViewBox[]; edges: ViewEdge[]; clusters: ViewCluster[] }

/** Boxes before layout: each plan node, or one box per declared node with several copies (unless expanded). */
export function collapse(plan: Plan, expanded: Set<string>): { boxes: Omit<ViewBox, 'x' | 'y' | 'w' | 'h'>[]; boxOf: Map<string, string>; groups: Map<string, string[]> } {
  const copies = new Map<string, string[]>();
  for (const id of plan.order) { const b = plan.nodes.get(id)!.base; copies.set(b, [...(copies.get(b) ?? []), id]); }
  const groups = new Map([...copies].filter(([, ids]) => ids.length > 1));
  const boxOf = new Map<string, string>();
  const boxes: Omit<ViewBox, 'x' | 'y' | 'w' | 'h'>[] = [];
  const seen = new Set<string>();
  for (const id of plan.order) {
    const n = plan.nodes.get(id)!;
    const g = groups.has(n.base) && !expanded.has(n.base);
    const box = g ? n.base : id;
    boxOf.set(id, box);
    if (seen.has(box)) continue;
    seen.add(box);
    boxes.push({ id: box, type: n.type, members: g ? groups.get(n.base)! : [id], group: g });
  }
  return { boxes, boxOf, groups };
}

const q = (s: string) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';

/** The DOT of the collapsed graph; expanded groups become clusters. */
export function toDot(plan: Plan, expanded: Set<string>, dir: 'LR' | 'TB'): string {
  const { boxes, boxOf, groups } = collapse(plan, expanded);
  const lines = [`digraph flow {`, `  rankdir=${dir}; nodesep=0.18; ranksep=0.45;`, `  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11, margin="0.12,0.04"];`];
  const inCluster = new Map<string, string[]>();
  for (const b of boxes) {
    const base = plan.nodes.get(b.members[0])!.base;
    if (!b.group && groups.has(base)) inCluster.set(base, [...(inCluster.get(base) ?? []), b.id]);
  }
  const clustered = new Set([...inCluster.values()].flat());
  for (const b of boxes) if (!clustered.has(b.id)) lines.push(`  ${q(b.id)} [label=${q(`${b.id}\n${b.group ? `${b.type}  x${b.members.length}` : b.type}`)}];`);
  let i = 0;
  for (const [base, ids] of inCluster) {
    lines.push(`  subgraph ${q(`cluster_${i++}`)} { label=${q(base)}; fontname="Helvetica"; fontsize=10; style="dashed,rounded";`);
    for (const id of ids) lines.push(`    ${q(id)} [label=${q(`${id}\n${plan.nodes.get(id)!.type}`)}];`);
    lines.push('  }');
  }
  const edges = new Set<string>();
  for (const id of plan.order) {
    const to = boxOf.get(id)!;
    for (const r of Object.values(plan.nodes.get(id)!.inputs).flat()) {
      const from = boxOf.get(r.node);
      if (from && from !== to) edges.add(`  ${q(from)} -> ${q(to)};`);
    }
  }
  lines.push(...edges, '}');
  return lines.join('\n');
}

let viz: Promise<{ renderJSON(dot: string): unknown }> | undefined;

type GvObject = { name: string; _gvid: number; pos?: string; width?: string; height?: string; bb?: string; label?: string; nodes?: number[] };
type GvGraph = { bb: string; objects?: GvObject[]; edges?: { tail: number; head: number; pos?: string }[] };

/** Positions of the boxes, edges and clusters (y downwards, in points). */
export async function layout(plan: Plan, expanded: Set<string>, dir: 'LR' | 'TB'): Promise<Layout> {
  viz ??= import('@viz-js/viz').then((m) => m.instance());
  const gv = (await viz).renderJSON(toDot(plan, expanded, dir)) as GvGraph;
  const [, , W, H] = gv.bb.split(',').map(Number);
  const { boxes } = collapse(plan, expanded);
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const objs = gv.objects ?? [];
  const nameOf = new Map(objs.map((o) => [o._gvid, o.name]));
  const out: Layout = { width: W, height: H, boxes: [], edges: [], clusters: [] };
  const r1 = (v: number) => Math.round(v * 10) / 10;
  for (const o of objs) {
    if (o.bb && o.name.startsWith('cluster_')) {
      const [x1, y1, x2, y2] = o.bb.split(',').map(Number);
      const members = (o.nodes ?? []).map((g) => nameOf.get(g)!).filter((n) => byId.has(n));
      out.clusters.push({ id: o.label ?? '', count: members.length, x: r1(x1), y: r1(H - y2), w: r1(x2 - x1), h: r1(y2 - y1) });
      continue;
    }
    const b = byId.get(o.name);
    if (!b || !o.pos) continue;
    const [cx, cy] = o.pos.split(',').map(Number);
    const w = Number(o.width) * 72, h = Number(o.height) * 72;
    out.boxes.push({ ...b, x: r1(cx - w / 2), y: r1(H - cy - h / 2), w: r1(w), h: r1(h) });
  }
  for (const e of gv.edges ?? []) {
    if (!e.pos) continue;
    let end: [number, number] | undefined;
    const pts: [number, number][] = [];
    for (const tok of e.pos.split(/\s+/)) {
      const p = tok.split(',');
      if (p[0] === 'e') end = [r1(Number(p[1])), r1(H - Number(p[2]))];
      else if (p[0] !== 's') pts.push([r1(Number(p[0])), r1(H - Number(p[1]))]);
    }
    if (!pts.length) continue;
    let d = `M${pts[0].join(',')}`;
    for (let i = 1; i + 2 < pts.length; i += 3) d += ` C${pts[i].join(',')} ${pts[i + 1].join(',')} ${pts[i + 2].join(',')}`;
    end ??= pts[pts.length - 1];
    out.edges.push({ from: nameOf.get(e.tail)!, to: nameOf.get(e.head)!, d: `${d} L${end.join(',')}`, end });
  }
  return out;
}
