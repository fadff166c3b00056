// A small layered (Sugiyama-style) DAG drawing in plain SVG: longest-path layers left
// to right, a few barycentre sweeps against crossings, Bezier edges. Graphviz via
// @viz-js/viz draws nicer graphs but its WebAssembly start costs ~90 ms on an idle
// machine and several hundred under load (measured); this takes about a millisecond,
// which matters for the 3 s cold-run budget. `report { dag: "graphviz" }` opts in.
import { escapeHtml } from './format.js';

export interface DagNode { id: string; type: string; from: string[] }

const BOX_H = 34, GAP_Y = 14, GAP_X = 56, PAD = 12, CHAR = 6.6;
const FONT = 'font-family="Helvetica,Arial,sans-serif"';

export function layoutDagSvg(nodes: DagNode[], colour: (type: string) => string): string {
  const ids = new Set(nodes.map((n) => n.id));
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
  const nLayers = Math.max(0, ...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: nLayers }, () => []);
  for (const n of nodes) layers[layer.get(n.id)!].push(n.id);

  // barycentre ordering: alternate sweeps using neighbours' positions
  const pos = new Map<string, number>();
  const index = () => layers.forEach((l) => l.forEach((id, i) => pos.set(id, i)));
  index();
  const bary = (id: string, nb: string[]) => (nb.length ? nb.reduce((s, x) => s + pos.get(x)!, 0) / nb.length : pos.get(id)!);
  for (let sweep = 0; sweep < 4; sweep++) {
    const down = sweep % 2 === 0;
    const order = down ? layers.slice(1) : layers.slice(0, -1).reverse();
    for (const l of order) {
      const key = new Map(l.map((id) => [id, bary(id, down ? preds.get(id)! : succs.get(id)!)]));
      l.sort((a, b) => key.get(a)! - key.get(b)! || pos.get(a)! - pos.get(b)!);
      l.forEach((id, i) => pos.set(id, i));
    }
  }

  const type = new Map(nodes.map((n) => [n.id, n.type]));
  const width = (id: string) => Math.max(id.length, type.get(id)!.length) * CHAR + 2 * PAD;
  const layerW = layers.map((l) => Math.max(60, ...l.map(width)));
  const layerX: number[] = [];
  layerW.reduce((x, w, i) => { layerX[i] = x; return x + w + GAP_X; }, 10);
  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const H = tallest * (BOX_H + GAP_Y) + 20;
  const W = (layerX[nLayers - 1] ?? 10) + (layerW[nLayers - 1] ?? 0) + 10;
  const xy = new Map<string, { x: number; y: number; w: number }>();
  layers.forEach((l, li) => {
    const top = (H - l.length * (BOX_H + GAP_Y) + GAP_Y) / 2;
    l.forEach((id, i) => xy.set(id, { x: layerX[li] + (layerW[li] - width(id)) / 2, y: top + i * (BOX_H + GAP_Y), w: width(id) }));
  });

  const f = (v: number) => v.toFixed(1);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${f(W)}" height="${f(H)}" viewBox="0 0 ${f(W)} ${f(H)}" ${FONT} font-size="11">`,
    '<defs><marker id="dag-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>',
  ];
  for (const n of nodes) {
    const b = xy.get(n.id)!;
    for (const p of preds.get(n.id)!) {
      const a = xy.get(p)!;
      const x1 = a.x + a.w, y1 = a.y + BOX_H / 2, x2 = b.x, y2 = b.y + BOX_H / 2, mx = (x1 + x2) / 2;
      out.push(`<path d="M${f(x1)},${f(y1)} C${f(mx)},${f(y1)} ${f(mx)},${f(y2)} ${f(x2)},${f(y2)}" fill="none" stroke="#666" marker-end="url(#dag-arrow)"/>`);
    }
  }
  for (const n of nodes) {
    const b = xy.get(n.id)!;
    out.push(
      `<g><rect x="${f(b.x)}" y="${f(b.y)}" width="${f(b.w)}" height="${BOX_H}" rx="8" fill="${colour(n.type)}" stroke="#333"/>` +
      `<text x="${f(b.x + b.w / 2)}" y="${f(b.y + 14)}" text-anchor="middle">${escapeHtml(n.id)}</text>` +
      `<text x="${f(b.x + b.w / 2)}" y="${f(b.y + 27)}" text-anchor="middle" fill="#555" font-size="10">${escapeHtml(n.type)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('\n');
}
