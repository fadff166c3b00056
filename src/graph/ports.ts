// The value types that flow between nodes. The engine only needs to know how to
// hash and store each; what they mean is the nodes' business.
import type { ColumnTable } from 'arquero';

export type PortType = 'table' | 'matrix' | 'model' | 'models' | 'json' | 'report';

/** A dense n x n matrix over a list of unit ids (spatial weights). Row-major. */
export interface IdMatrix {
  ids: string[];
  n: number;
  data: Float64Array;
  /** how it was built, e.g. { method: 'knn', k: 5, standardize: 'row' } */
  meta: Record<string, unknown>;
}

/** A fitted model: plain JSON (broom convention, see NODES.md). No NaN/Infinity: use null. */
export type ModelJson = { estimator: string; [key: string]: unknown };

/** Rendered output of the `table` / `report` nodes: named files by format. */
export interface Report {
  title: string;
  /** file name (e.g. "table2.md", "report.html") -> content */
  files: Record<string, string>;
  /** binary files (e.g. "table2.docx") -> base64 content; written decoded */
  binary?: Record<string, string>;
  /** structured payload for the report node to compose (tables, plots, provenance) */
  parts: unknown[];
}

export interface PortValueMap {
  table: ColumnTable;
  matrix: IdMatrix;
  model: ModelJson;
  models: ModelJson[];
  json: unknown;
  report: Report;
}
