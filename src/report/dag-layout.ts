// A small layered (Sugiyama-style) DAG drawing in plain SVG: longest-path layers top to
// bottom, a few barycentre sweeps against crossings, Bezier edges. A layer wider than the
// page wraps onto several rows, so that the drawing fits a report column (~940 px) at full
// size: paper.json's 19 layers hold up to 21 nodes, which drawn left to right gave a
// 2582 px wide SVG. The SVG has a viewBox: the report's CSS (max-width: 100%; height: auto)
// scales it down rather than letting it overflow. Graphviz via @viz-js/viz draws nicer
// graphs but its WebAssembly start costs ~90 ms on an idle machine and several hundred under
// load (measured); this takes about a millisecond, which matters for the 3 s cold-run
// budget. `report { dag: "graphviz" }` opts in.
import { escapeHtml } from './format.js';

export interface DagNode {
  id: string;
  type: string;
  from: string[];
  /** matrix copies drawn as this one box (dag-collapse.ts): shown as "x24" when > 1 */
  count?: number;
  /** link target of the box (e.g. "#node-fe_ris") */
  href?: string;
}

export interface DagLayoutOptions {
  /** wrap a layer into rows no wider than this (px) */
  maxWidth?: number;
}

const BOX_H = 34, GAP_Y = 12, LAYER_GAP = 30, GAP_X = 14, PAD = 10, CHAR = 6.4, MARGIN = 8;
const FONT = 'font-family="Helvetica,Arial,sans-serif"';

export const countLabel = (n: number | undefined) => (n && n > 1 ? ` \u00b7 x${n}` : '');

/** estimated box width of a node (11 px id, 10 px type line) */
export const boxWidth = (n: Pick<DagNode, 'id' | 'type' | 'count'>) =>
  Math.max(n.id.length * CHAR, (n.type.length + countLabel(n.count).length) * CHAR * 0.92) + 2 * PAD;

export function layoutDagSvg(nodes: DagNode[], colour: (type: string) => string, o: DagLayoutOptions = {}): string {
  const maxW = o.maxWidth ?? 940;
  const ids = new Set(nodes.map((n) => n.id));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const preds = new Map(nodes.map((n) => [n.id, n.from.filter((f) => ids.has(f) && f !== n.id)]));
  const succs = new Map(nodes.map((n) => [n.id, [] as string[]]));
  for (const [id, ps] of preds) for (const p of ps) succs.get(p)!.push(id);

  // longest-path layering (the graph is a DAG: the engine refuses cycles)
  const layer = new Map<string, number>();
  const visit = (id: string, stack = new Set<string>()): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (stack.has(id)) return 0;
    stack.add(id);
    const l = Math.max(-1, ...preds.get(id)!.map((p) => visit(p, stack))) + 1;
    stack.delete(id);
    layer.set(id, l);
    return l;
  };
  for (const n of nodes) visit(n.id);
  const nLayers = nodes.length ? Math.max(...layer.values()) + 1 : 0;
  const layers: string[][] = Array.from({ length: nLayers }, () => []);
  for (const n of nodes) layers[layer.get(n.id)!].push(n.id);

  // barycentre ordering: alternate sweeps using neighbours' positions
  const pos = new Map<string, number>();
  layers.forEach((l) => l.forEach((id, i) => pos.set(id, i / Math.max(1, l.length - 1))));
  const bary = (id: string, nb: string[]) => (nb.length ? nb.reduce((s, x) => s + pos.get(x)!, 0) / nb.length : pos.get(id)!);
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of order) {
      const key = new Map(l.map((id) => [id, bary(id, down ? preds.get(id)! : succs.get(id)!)]));
      l.sort((a, b) => key.get(a)! - key.get(b)! || pos.get(a)! - pos.get(b)!);
      l.forEach((id, i) => pos.set(id, i / Math.max(1, l.length - 1)));
    }
  }

  // rows: each layer split where the next box would pass maxW; rows centred
  const width = new Map(nodes.map((n) => [n.id, boxWidth(n)]));
  const rows: string[][] = [];
  const rowLayer: number[] = [];
  layers.forEach((l, li) => {
    let row: string[] = [], w = 0;
    for (const id of l) {
      const bw = width.get(id)!;
      if (row.length && w + GAP_X + bw > maxW - 2 * MARGIN) { rows.push(row); rowLayer.push(li); row = []; w = 0; }
      w += (row.length ? GAP_X : 0) + bw;
      row.push(id);
    }
    if (row.length) { rows.push(row); rowLayer.push(li); }
  });
  const rowW = rows.map((r) => r.reduce((s, id) => s + width.get(id)!, 0) + GAP_X * (r.length - 1));
  const W = Math.max(120, ...rowW) + 2 * MARGIN;
  const xy = new Map<string, { x: number; y: number; w: number }>();
  let y = MARGIN;
  rows.forEach((r, ri) => {
    if (ri > 0) y += rowLayer[ri] === rowLayer[ri - 1] ? GAP_Y : LAYER_GAP;
    let x = (W - rowW[ri]) / 2;
    for (const id of r) { xy.set(id, { x, y, w: width.get(id)! }); x += width.get(id)! + GAP_X; }
    y += BOX_H;
  });
  const H = y + MARGIN;

  const f = (v: number) => v.toFixed(1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="flow-dag" width="${f(W)}" height="${f(H)}" viewBox="0 0 ${f(W)} ${f(H)}" ${FONT} font-size="11" role="img" aria-label="workflow DAG">`,
    '<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#888"/></marker></defs>',
  ];
  for (const n of nodes) {
    const b = xy.get(n.id)!;
    for (const p of preds.get(n.id)!) {
      const a = xy.get(p)!;
      const x1 = a.x + a.w / 2, y1 = a.y + BOX_H, x2 = b.x + b.w / 2, y2 = b.y, my = (y1 + y2) / 2;
      out.push(`<path d="M${f(x1)},${f(y1)} C${f(x1)},${f(my)} ${f(x2)},${f(my)} ${f(x2)},${f(y2)}" fill="none" stroke="#999" stroke-width="0.9" marker-end="url(#dag-arrow)"/>`);
    }
  }
  for (const n of nodes) {
    const b = xy.get(n.id)!;
    const copies = n.count && n.count > 1 ? `, ${n.count} matrix copies` : '';
    const box =
      `<g data-node="${escapeHtml(n.id)}" data-type="${escapeHtml(n.type)}"${n.count && n.count > 1 ? ` data-count="${n.count}"` : ''}>` +
      `<title>${escapeHtml(`${n.id} (${n.type}${copies})`)}</title>` +
      // copies: a second box behind, offset, as a stack
      (n.count && n.count > 1 ? `<rect x="${f(b.x + 3)}" y="${f(b.y + 3)}" width="${f(b.w)}" height="${BOX_H}" rx="7" fill="${colour(n.type)}" stroke="#444"/>` : '') +
      `<rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w)}" height="${BOX_H}" rx="7" fill="${colour(n.type)}" stroke="#444"/>` +
      `<text x="${f(b.x + b.w / 2)}" y="${f(b.y + 14)}" text-anchor="middle">${escapeHtml(n.id)}</text>` +
      `<text x="${f(b.x + b.w / 2)}" y="${f(b.y + 27)}" text-anchor="middle" fill="#555" font-size="10">${escapeHtml(n.type)}${n.count && n.count > 1 ? `<tspan font-weight="700" fill="#111">${escapeHtml(countLabel(n.count))}</tspan>` : ''}</text></g>`;
    out.push(n.href ? `<a href="${escapeHtml(n.href)}">${box}</a>` : box);
  }
  out.push('</svg>');
  return out.join('\n');
}
