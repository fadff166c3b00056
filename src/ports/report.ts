// The `report` port type: the rendered output of the table / report / spec-curve nodes,
// named files by format; `flow run` writes each file to the out folder under <node>/.
import { jsonPortType } from '../graph/codec.js';

export interface Report {
  title: string;
  /** file name (e.g. "table2.md", "report.html") -> content */
  files: Record<string, string>;
  /** binary files (e.g. "table2.docx") -> base64 content (reports are JSON); written decoded */
  binary?: Record<string, string>;
  /** structured payload for the report node to compose (tables, plots, provenance) */
  parts: unknown[];
}

export const reportPort = jsonPortType<Report>('report', (v) => (v && typeof v === 'object' && typeof (v as Report).files === 'object' ? undefined : 'expected { title, files, parts }'), {
  module: import.meta.url,
  files: (r) => ({ ...(r.files ?? {}), ...Object.fromEntries(Object.entries(r.binary ?? {}).map(([f, b64]) => [f, Buffer.from(b64, 'base64')])) }),
});
