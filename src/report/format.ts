// Number formatting, stars and escaping shared by every renderer.
// Cells of a table grid carry plain text with an ASCII hyphen-minus for negative
// numbers; each renderer turns it into its own minus sign and escapes the rest, so
// the grid is one source of truth for all formats (and the Markdown parses back).

/** Stars for a p-value: one per threshold it is strictly below (Stata's convention). */
export function starsFor(p: number | null | undefined, thresholds: readonly number[] = [0.1, 0.05, 0.01]): string {
  if (p == null || !Number.isFinite(p)) return '';
  let n = 0;
  for (const t of thresholds) if (p < t) n++;
  return '*'.repeat(n);
}

/**
 * Fixed decimals; a non-zero value that would print as 0.000 gets up to two more
 * decimals so that one significant digit shows (the paper prints 0.0003).
 */
export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x == null || !Number.isFinite(x)) return '';
  let d = digits;
  while (d < digits + 2 && x !== 0 && Math.abs(x) < 0.5 * 10 ** -d) d++;
  // too small even then: the plain zero at the asked digits
  if (Math.abs(x) < 0.5 * 10 ** -d) d = digits;
  const s = x.toFixed(d);
  // "-0.000" says nothing a reader can use: print the zero unsigned
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** p-values: always fixed decimals (0.000 reads as p < 0.0005). */
export function fmtP(p: number | null | undefined, digits = 3): string {
  if (p == null || !Number.isFinite(p)) return '';
  return p.toFixed(digits);
}

/** Integers (N, clusters) without decimals, with no thousands separators (CSV-safe). */
export const fmtInt = (x: number | null | undefined): string =>
  x == null || !Number.isFinite(x) ? '' : String(Math.round(x));

export const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

// A data cell: optional sign, digits, optional stars, optionally wrapped/suffixed by
// bracketed numbers: "0.018***", "(0.004)", "64.240 {16.38}", "57.828 [0.000]".
const NEG = /(^|[\s([{])-(?=\d|\.\d)/g;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** the marks of blank or unreliable cells (grid.ts MARK_SYMBOLS) in LaTeX */
const LATEX_MARK: Record<string, string> = { '\u2020': '\\dag', '\u2021': '\\ddag', '\u00a7': '\\S', '\u00b6': '\\P' };
const MARK_RE = /[\u2020\u2021\u00a7\u00b6]+/g;

/** HTML text of a data cell: proper minus signs, stars and marks as superscript, arrows. */
export function htmlData(s: string): string {
  return escapeHtml(s)
    .replace(NEG, '$1\u2212')
    .replace(/(\d)(\*+)/g, '$1<sup>$2</sup>')
    .replace(MARK_RE, (m) => `<sup>${m}</sup>`)
    .replace(/ -&gt; /g, ' \u2192 ');
}

export function escapeLatex(s: string): string {
  return s.replace(/[\\{}$&#_%~^<>]/g, (c) => {
    switch (c) {
      case '\\': return '\\textbackslash{}';
      // text-mode < and > print as inverted marks in the default OT1 encoding
      case '<': return '\\textless{}';
      case '>': return '\\textgreater{}';
      case '~': return '\\textasciitilde{}';
      case '^': return '\\textasciicircum{}';
      default: return '\\' + c;
    }
  });
}

/** LaTeX text of a data cell: $-$ for minus, stars as $^{***}$, marks as \dag, braces escaped; ASCII only. */
export function latexData(s: string): string {
  return escapeLatex(s)
    .replace(NEG, '$1$-$')
    .replace(/(\d)(\*+)/g, '$1$^{$2}$')
    .replace(MARK_RE, (m) => `\\textsuperscript{${[...m].map((c) => LATEX_MARK[c]).join('')}}`)
    .replace(/ -\\textgreater\{\} /g, ' $\\rightarrow$ ')
    .replace(/[^\x00-\x7f]/g, (c) => `\\symbol{${c.codePointAt(0)}}`);
}

/** LaTeX text of a label: escaped, with R2 and "x" of interactions typeset. */
export function latexLabel(s: string): string {
  return latexData(s).replace(/\bR2\b/g, '$R^2$').replace(/ x /g, ' $\\times$ ');
}

export function htmlLabel(s: string): string {
  return htmlData(s).replace(/\bR2\b/g, 'R<sup>2</sup>').replace(/ x /g, ' \u00d7 ');
}

/** Markdown cell text: pipes escaped, newlines flattened. */
export const mdCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** RFC 4180 field. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
