// Grid -> files by format (shared by the table and spec-curve nodes).
import type { Grid } from './grid.js';
import { toMarkdown } from './markdown.js';
import { toLatex } from './latex.js';
import { toHtmlPage } from './html.js';
import { toCsv } from './csv.js';

export const FORMATS = ['md', 'tex', 'html', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export function renderGrid(g: Grid, formats: readonly Format[], o: { se?: 'beside' | 'below' } = {}): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of formats) {
    switch (f) {
      case 'md': files[`${g.name}.md`] = toMarkdown(g, { se: o.se }); break;
      case 'tex': files[`${g.name}.tex`] = toLatex(g); break;
      case 'html': files[`${g.name}.html`] = toHtmlPage(g); break;
      case 'csv': files[`${g.name}.csv`] = toCsv(g); break;
      default: f satisfies never;
    }
  }
  return files;
}
