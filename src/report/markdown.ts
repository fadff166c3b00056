// Grid -> Markdown, as paper-tables.md prints it: estimate and SE in one cell. The column
// numbers are the header; header rows (dependent variable, group, ...) come first in the body.
import type { Grid } from './grid.js';
import { mdCell } from './format.js';

export interface MdOptions {
  /** 'beside': "0.018*** (0.004)" in one cell (default); 'below': SE on its own row */
  se?: 'beside' | 'below';
}

export function toMarkdown(g: Grid, opts: MdOptions = {}): string {
  const k = g.columns.length;
  const line = (cells: string[]) => '| ' + cells.map(mdCell).join(' | ') + ' |';
  const out: string[] = [];
  if (g.title) out.push(`**${mdCell(g.title)}**`, '');
  out.push(line([g.stub, ...g.columns]));
  out.push('|' + '---|'.repeat(k + 1));
  for (const h of g.heads ?? []) out.push(line([h.label, ...h.cells]));
  for (const r of g.rows) {
    switch (r.kind) {
      case 'coef':
        if (opts.se === 'below') {
          out.push(line([r.label, ...r.est]));
          out.push(line(['', ...r.se.map((s) => (s ? `(${s})` : ''))]));
        } else {
          out.push(line([r.label, ...r.est.map((e, j) => (e && r.se[j] ? `${e} (${r.se[j]})` : e))]));
        }
        break;
      case 'stat':
        out.push(line([r.label, ...r.cells]));
        break;
      case 'panel':
        out.push(line([`*${r.label}*`, ...Array(k).fill('')]));
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
  // a blank line between notes: consecutive lines would merge into one paragraph
  for (const n of g.notes) out.push('', mdCell(n));
  return out.join('\n') + '\n';
}
