// Grid -> LaTeX for a journal: booktabs rules, header rows merged with \multicolumn and
// \cmidrule, SE on the row below the estimate, $-$ minus signs and $^{***}$ stars, notes in
// a minipage under the tabular. Needs only texlive-latex-recommended (booktabs, graphicx,
// tabularx; pdflscape for `landscape`, longtable for `long`), not threeparttable (texlive-latex-extra).
// The table is numbered once: a "Table 7: ..." title sets \thetable to 7 inside the float
// and the caption carries the rest, so \input order does not renumber it.
import { runs, splitTitle, type Grid, type LatexLayout } from './grid.js';
import { escapeLatex, latexData, latexLabel } from './format.js';

export const LATEX_DEFAULTS: LatexLayout = { size: 'small', fit: true, landscape: false, long: false };

/** The packages a table needs, for the header comment and for a document that \inputs it. */
export function latexPackages(l: LatexLayout): string[] {
  return ['booktabs', 'graphicx', 'tabularx', ...(l.landscape ? ['pdflscape'] : []), ...(l.long ? ['longtable'] : [])];
}

export function toLatex(g: Grid): string {
  const l: LatexLayout = { ...LATEX_DEFAULTS, ...g.latex };
  const k = g.columns.length;
  const line = (label: string, cells: string[]) => [latexLabel(label), ...cells.map(latexData)].join(' & ') + ' \\\\';
  const { number, text } = splitTitle(g.title);

  // header: merged header rows, then the column numbers
  const head: string[] = ['\\toprule'];
  for (const h of g.heads ?? []) {
    let col = 2;
    const cells: string[] = [], rules: string[] = [];
    for (const [t, n] of runs(h.cells)) {
      cells.push(n > 1 ? `\\multicolumn{${n}}{c}{${latexLabel(t)}}` : latexLabel(t));
      if (t) rules.push(`\\cmidrule(lr){${col}-${col + n - 1}}`);
      col += n;
    }
    head.push(`${latexLabel(h.label)} & ${cells.join(' & ')} \\\\`);
    if (rules.length && h.cells.length > 1) head.push(rules.join(' '));
  }
  head.push([latexLabel(g.stub), ...g.columns.map(latexLabel)].join(' & ') + ' \\\\', '\\midrule');

  const body: string[] = [];
  let lastRule = true;
  for (const r of g.rows) {
    switch (r.kind) {
      case 'coef':
        body.push(line(r.label, r.est));
        body.push(line('', r.se.map((s) => (s ? `(${s})` : ''))));
        break;
      case 'stat':
        body.push(line(r.label, r.cells));
        break;
      case 'panel':
        body.push(`\\multicolumn{${k + 1}}{l}{\\textit{${escapeLatex(r.label)}}} \\\\`);
        break;
      case 'span':
        body.push(`${latexLabel(r.label)} & \\multicolumn{${k}}{l}{${latexData(r.text)}} \\\\`);
        break;
      case 'rule':
        if (!lastRule) body.push('\\midrule');
        break;
      default:
        r satisfies never;
    }
    lastRule = r.kind === 'rule';
  }
  // a column of long text (a list of cities) wraps in a tabularx X column across the text
  // width; the others are centred numbers
  const wide = g.columns.map((_, j) => g.rows.some((r) => r.kind === 'stat' && (r.cells[j]?.length ?? 0) > 40 && /[A-Za-z]{3}/.test(r.cells[j])));
  const tabx = wide.some(Boolean) && !l.long;
  const spec = `l${wide.map((w) => (w && tabx ? '>{\\raggedright\\arraybackslash}X' : 'c')).join('')}`;
  const label = `\\label{tab:${g.name.replace(/[^A-Za-z0-9:._-]/g, '-')}}`;
  const caption = text ? `\\caption{${escapeLatex(text)}}` : '';
  const numbering = number ? `\\renewcommand{\\thetable}{${number}}` : '';
  const notes = g.notes.length
    ? ['\\par\\smallskip', '\\begin{minipage}{\\linewidth}\\footnotesize\\raggedright', ...g.notes.map((n) => `${latexNote(n)}\\par`), '\\end{minipage}']
    : [];
  const size = l.size === 'normalsize' ? [] : [`\\${l.size}`];
  const out: string[] = [`% flow table ${g.name}: requires \\usepackage{${latexPackages(l).join(',')}} (all in texlive-latex-recommended)`];
  if (l.landscape) out.push('\\begin{landscape}');
  if (l.long) {
    // longtable: breaks across pages; the header repeats on each page
    out.push('{', ...size, numbering, `\\begin{longtable}{${spec}}`);
    if (caption) out.push(`${caption}${label} \\\\`);
    out.push(...head, '\\endfirsthead', ...head, '\\endhead', '\\bottomrule', '\\endfoot', ...body, '\\end{longtable}', ...notes.slice(1), '}');
  } else {
    out.push('\\begin{table}[htbp]', '\\centering', numbering, caption, label, ...size);
    const env = tabx ? 'tabularx' : 'tabular';
    const tabular = [`\\begin{${env}}${tabx ? '{\\linewidth}' : ''}{${spec}}`, ...head, ...body, '\\bottomrule', `\\end{${env}}`];
    if (l.fit && !tabx) out.push('\\resizebox{\\ifdim\\width>\\linewidth\\linewidth\\else\\width\\fi}{!}{%', ...tabular.slice(0, -1), `${tabular[tabular.length - 1]}}`);
    else out.push(...tabular);
    out.push(...notes, '\\end{table}');
  }
  if (l.landscape) out.push('\\end{landscape}');
  return out.filter((x) => x !== '').join('\n') + '\n';
}

/** A note line: escaped, stars and marks typeset. */
function latexNote(n: string): string {
  return latexData(n).replace(/(^|\s)(\*+)(?=\s)/g, '$1$^{$2}$');
}
