// Grid -> CSV in the printed layout (SE on the row below), ASCII minus, RFC 4180.
import type { Grid } from './grid.js';
import { csvField } from './format.js';

export function toCsv(g: Grid): string {
  const k = g.columns.length;
  const line = (cells: string[]) => cells.map(csvField).join(',');
  const out = [line([g.stub, ...g.columns]), ...(g.heads ?? []).map((h) => line([h.label, ...h.cells]))];
  for (const r of g.rows) {
    switch (r.kind) {
      case 'coef':
        out.push(line([r.label, ...r.est]));
        out.push(line(['', ...r.se.map((s) => (s ? `(${s})` : ''))]));
        break;
      case 'stat':
        out.push(line([r.label, ...r.cells]));
        break;
      case 'panel':
        out.push(line([r.label, ...Array(k).fill('')]));
        break;
      case 'span':
        out.push(line([r.label, r.text, ...Array(k - 1).fill('')]));
        break;
      case 'rule':
        break;
      default:
        r satisfies never;
    }
  }
  return out.join('\r\n') + '\r\n';
}
