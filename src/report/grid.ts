// The structured table every renderer reads: one grid, five formats (md, tex, html, csv, docx).
import type { ModelJson } from '../ports/index.js';

export type GridRow =
  /** a coefficient: estimate (with stars) and standard error per column */
  | { kind: 'coef'; label: string; est: string[]; se: string[] }
  /** a statistic or any one-line row (FE yes/no, R2, N, KP F {SY}) */
  | { kind: 'stat'; label: string; cells: string[] }
  /** a panel heading ("Direct effects"), rendered across the row */
  | { kind: 'panel'; label: string }
  /** a result that belongs to no column (a test across columns): label, then text across the columns */
  | { kind: 'span'; label: string; text: string }
  /** a horizontal rule between blocks */
  | { kind: 'rule' };

/** A header row above the column numbers; equal neighbouring cells are one merged cell where the format can merge. */
export interface HeadRow { label: string; cells: string[] }

/** How a LaTeX table is set: font size, shrink-to-fit, landscape page, or a longtable that breaks across pages. */
export interface LatexLayout {
  size: 'normalsize' | 'small' | 'footnotesize' | 'scriptsize';
  /** shrink the tabular to the text width when it is wider (\resizebox; never enlarges) */
  fit: boolean;
  landscape: boolean;
  /** a longtable (breaks across pages; not shrunk) */
  long: boolean;
}

export interface Grid {
  /** file stem: table2 -> table2.md, table2.tex, ... */
  name: string;
  title?: string;
  /** header rows above `columns` (dependent variable, estimator, group, branch values) */
  heads?: HeadRow[];
  /** column headers, without the stub column: the model numbers "(1)", "(2)", ... */
  columns: string[];
  /** header of the stub (label) column */
  stub: string;
  rows: GridRow[];
  notes: string[];
  /** true when the cells are plain values (a describe table), not estimates */
  plain?: boolean;
  latex?: Partial<LatexLayout>;
}

/** The symbols that mark a cell (blank or unreliable) and its note, in order of use. */
export const MARK_SYMBOLS = ['\u2020', '\u2021', '\u00a7', '\u00b6', '#'] as const;

/** Collects the notes of marked cells; one symbol per distinct note. */
export class Marks {
  private readonly notes: string[] = [];
  /** the symbol for a note (the same note, the same symbol) */
  mark(note: string): string {
    let i = this.notes.indexOf(note);
    if (i < 0) { i = this.notes.length; this.notes.push(note); }
    return MARK_SYMBOLS[i % MARK_SYMBOLS.length].repeat(1 + Math.floor(i / MARK_SYMBOLS.length));
  }
  /** "† note" lines, in order of first use */
  lines(): string[] {
    return this.notes.map((n, i) => `${MARK_SYMBOLS[i % MARK_SYMBOLS.length].repeat(1 + Math.floor(i / MARK_SYMBOLS.length))} ${n}`);
  }
}

/** "Table 2: Two-way FE" -> { number: "2", text: "Two-way FE" }; other titles have no number. */
export function splitTitle(title: string | undefined): { number?: string; text?: string } {
  if (!title) return {};
  const m = /^Table\s+([A-Za-z]?\d+[A-Za-z]?)\s*[:.]\s*(.*)$/s.exec(title);
  return m ? { number: m[1], text: m[2] } : { text: title };
}

/** Runs of equal neighbouring cells: [text, span] pairs (merged header cells). */
export function runs(cells: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (const c of cells) {
    const last = out[out.length - 1];
    if (last && last[0] === c) last[1]++;
    else out.push([c, 1]);
  }
  return out;
}

/** What the table node hands to the report node in `Report.parts`. */
export interface TablePart {
  kind: 'table';
  /** id of the table node (looked up in the report's provenance) */
  node: string;
  grid: Grid;
  /** the models behind the columns, in column order, for plots */
  models: { column: string; model: ModelJson }[];
}

export interface PlotPart {
  kind: 'plot';
  node: string;
  name: string;
  title: string;
  svg: string;
}

export type Part = TablePart | PlotPart;

export const isPart = (x: unknown): x is Part =>
  !!x && typeof x === 'object' && ((x as Part).kind === 'table' || (x as Part).kind === 'plot');
