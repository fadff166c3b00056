// Grid -> LaTeX for a journal: booktabs rules, threeparttable notes, SE on the row
// below the estimate, $-$ minus signs and $^{***}$ stars.
import type { Grid } from './grid.js';
import { escapeLatex, latexData, latexLabel } from './format.js';

export function toLatex(g: Grid): string {
  const k = g.columns.length;
  const line = (label: string, cells: string[]) =>
    [latexLabel(label), ...cells.map(latexData)].join(' & ') + ' \\\\';
  const out: string[] = [
    '% requires \\usepackage{booktabs,threeparttable}',
    '\\begin{table}[htbp]',
    '\\centering',
    '\\begin{threeparttable}',
  ];
  if (g.title) out.push(`\\caption{${escapeLatex(g.title)}}`);
  out.push(`\\label{tab:${g.name.replace(/[^A-Za-z0-9:._-]/g, '-')}}`);
  out.push(`\\begin{tabular}{l${'c'.repeat(k)}}`, '\\toprule');
  out.push([latexLabel(g.stub), ...g.columns.map(latexLabel)].join(' & ') + ' \\\\', '\\midrule');
  let lastRule = true;
  for (const r of g.rows) {
    switch (r.kind) {
      case 'coef':
        out.push(line(r.label, r.est));
        out.push(line('', r.se.map((s) => (s ? `(${s})` : ''))));
        break;
      case 'stat':
        out.push(line(r.label, r.cells));
        break;
      case 'panel':
        out.push(`\\multicolumn{${k + 1}}{l}{\\textit{${escapeLatex(r.label)}}} \\\\`);
        break;
      case 'rule':
        if (!lastRule) out.push('\\midrule');
        break;
      default:
        r satisfies never;
    }
    lastRule = r.kind === 'rule';
  }
  out.push('\\bottomrule', '\\end{tabular}');
  if (g.notes.length) {
    out.push('\\begin{tablenotes}[flushleft]', '\\footnotesize');
    for (const n of g.notes) out.push(`\\item ${escapeLatex(n).replace(/(^|\s)(\*+)(?=\s)/g, '$1$^{$2}$')}`);
    out.push('\\end{tablenotes}');
  }
  out.push('\\end{threeparttable}', '\\end{table}');
  return out.join('\n') + '\n';
}
