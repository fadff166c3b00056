// `report`: table and plot parts -> one self-contained report.html (DAG, tables,
// coefficient and effects plots, provenance of every table).
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { Report } from '../ports/index.js';
import { isPart, type Part } from '../report/grid.js';
import { composeReport } from '../report/compose.js';
import { renderDot, toDot, dagNodes, dagSvg as dagSvg_ } from '../report/dag.js';

export const reportParams = z.object({
  title: z.string().default('Report'),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).default('report').describe('file stem of the HTML file'),
  term: z.string().optional().describe('coefficient of the coefficient plot (default: first non-constant term)'),
  labels: z.record(z.string(), z.string()).default({}),
  dag: z.union([z.boolean(), z.enum(['layered', 'graphviz'])]).default('layered')
    .describe('draw the workflow DAG: "layered" (built-in, ~1 ms), "graphviz" (nicer, @viz-js/viz WebAssembly, ~0.1-0.5 s), false to omit'),
});

export const reportNode = defineNode({
  type: 'report',
  version: 1,
  description: 'Tables and plots -> one self-contained HTML report with the DAG and provenance',
  params: reportParams,
  inputs: { parts: { type: 'report', many: true, description: 'outputs of table, spec-curve or report nodes' } },
  outputs: { report: { type: 'report' } },
  provenance: true,
  async run({ params, inputs, provenance, nodeId }) {
    const reports: Report[] = Array.isArray(inputs.parts) ? inputs.parts : [inputs.parts];
    const parts: Part[] = reports.flatMap((r) => (r?.parts ?? []).filter(isPart));
    const self = { id: nodeId, type: 'report', from: parts.map((p) => p.node) };
    const dagSvg = !params.dag || !provenance
      ? undefined
      : params.dag === 'graphviz'
        ? await renderDot(toDot(provenance.nodes, self))
        : dagSvg_(dagNodes(provenance.nodes, self));
    const html = composeReport(parts, { title: params.title, term: params.term, labels: params.labels, dagSvg, provenance });
    const report: Report = { title: params.title, files: { [`${params.name}.html`]: html }, parts };
    return { report };
  },
});
