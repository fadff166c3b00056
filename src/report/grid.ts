// The structured table every renderer reads: one grid, four formats.
import type { ModelJson } from '../ports/index.js';

export type GridRow =
  /** a coefficient: estimate (with stars) and standard error per column */
  | { kind: 'coef'; label: string; est: string[]; se: string[] }
  /** a statistic or any one-line row (FE yes/no, R2, N, KP F {SY}) */
  | { kind: 'stat'; label: string; cells: string[] }
  /** a panel heading ("Direct effects"), rendered across the row */
  | { kind: 'panel'; label: string }
  /** a horizontal rule between blocks */
  | { kind: 'rule' };

export interface Grid {
  /** file stem: table2 -> table2.md, table2.tex, ... */
  name: string;
  title?: string;
  /** column headers, without the stub column */
  columns: string[];
  /** header of the stub (label) column */
  stub: string;
  rows: GridRow[];
  notes: string[];
  /** true when the cells are plain values (a describe table), not estimates */
  plain?: boolean;
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
