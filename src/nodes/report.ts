// `report`: table and plot parts -> one self-contained report.html: the DAG (matrix copies
// collapsed, scaled to the page, each box linked to its table or provenance entry), tables,
// coefficient and effects plots, and provenance (the run's --set overrides and effective
// params, flow / Node versions and git commit, every node's cache key, each table's inputs
// and data files: all in its key).
import { z } from 'zod';
import { defineNode } from '../graph/node.js';
import type { Report } from '../ports/index.js';
import { isPart, type Part } from '../report/grid.js';
import { composeReport } from '../report/compose.js';
import { renderDot, toDot, dagNodes, dagSvg as dagSvg_, dagLegend } from '../report/dag.js';
import { collapseCopies, declaredId } from '../report/dag-collapse.js';
import { anchorOf, branchLabel } from '../report/provenance.js';

export const reportParams = z.object({
  title: z.string().default('Report'),
  branch: z.string().optional().describe('the branch named in the title, "Title (branch)"; with --set overrides the title names them too'),
  name: z.string().regex(/^[A-Za-z0-9._-]+$/).default('report').describe('file stem of the HTML file'),
  term: z.string().optional().describe('coefficient of the coefficient plot (default: first non-constant term)'),
  labels: z.record(z.string(), z.string()).default({}),
  dag: z.union([z.boolean(), z.enum(['layered', 'graphviz'])]).default('layered')
    .describe('draw the workflow DAG: "layered" (built-in, ~1 ms), "graphviz" (nicer, @viz-js/viz WebAssembly, ~0.1-0.5 s), false to omit'),
});

export const reportNode = defineNode({
  type: 'report',
  version: 2,
  description: 'Tables and plots -> one self-contained HTML report with the DAG and provenance',
  params: reportParams,
  inputs: { parts: { type: 'report', many: true, description: 'outputs of table, spec-curve or report nodes' } },
  outputs: { report: { type: 'report' } },
  provenance: true,
  async run({ params, inputs, provenance, nodeId }) {
    const reports: Report[] = Array.isArray(inputs.parts) ? inputs.parts : [inputs.parts];
    const parts: Part[] = reports.flatMap((r) => (r?.parts ?? []).filter(isPart));
    const self = { id: nodeId, type: 'report', from: parts.map((p) => p.node) };
    // a box links to the first table or plot of its node, else to its row under Provenance
    const partOf = new Map<string, string>();
    for (const p of [...parts].reverse()) partOf.set(declaredId(p.node), p.node);
    const href = (id: string) => (partOf.has(id) ? `#${anchorOf('part', partOf.get(id)!)}` : `#${anchorOf('node', id)}`);
    const nodes = provenance ? dagNodes(provenance.nodes, self) : [];
    const dagSvg = !params.dag || !provenance
      ? undefined
      : params.dag === 'graphviz'
        ? await renderDot(toDot(provenance.nodes, self))
        : dagSvg_(nodes, href);
    const label = branchLabel(params.branch, provenance?.sets);
    const title = label ? `${params.title} (${label})` : params.title;
    const html = composeReport(parts, {
      title, term: params.term, labels: params.labels, dagSvg, dagLegend: dagSvg ? dagLegend(nodes.map((n) => n.type), Math.max(1, ...collapseCopies(nodes).map((n) => n.count ?? 1))) : undefined,
      provenance, self: { id: nodeId, type: 'report' },
    });
    const report: Report = { title, files: { [`${params.name}.html`]: html }, parts };
    return { report };
  },
});
