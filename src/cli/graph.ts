// flow graph <wf> --format mermaid|dot|json
import { FlowError } from '../errors.js';
import { openWorkflow, type WorkflowOpts } from './common.js';

export async function graphCommand(wf: string, o: WorkflowOpts & { format: string }): Promise<void> {
  if (!['mermaid', 'dot', 'json'].includes(o.format)) throw new FlowError('validate', `--format ${o.format}: use mermaid, dot or json`);
  const { plan } = await openWorkflow(wf, o);
  const nodes = plan.order.map((id) => plan.nodes.get(id)!);
  const edges = nodes.flatMap((n) => Object.entries(n.inputs).flatMap(([port, refs]) => refs.map((r) => ({ from: r.node, fromPort: r.port, to: n.id, toPort: port, type: r.type }))));
  const alias = new Map(nodes.map((n, i) => [n.id, `n${i}`]));
  const q = (s: string) => s.replace(/"/g, '\\"');
  let text: string;
  if (o.format === 'json') text = JSON.stringify({ nodes: nodes.map((n) => ({ id: n.id, type: n.type, base: n.base, branch: n.branch, params: n.params })), edges }, null, 2);
  else if (o.format === 'mermaid') {
    text = ['flowchart LR', ...nodes.map((n) => `  ${alias.get(n.id)}["${q(n.id)}<br/><small>${q(n.type)}</small>"]`),
      ...edges.map((e) => `  ${alias.get(e.from)} -->|"${q(e.fromPort === e.toPort ? e.toPort : `${e.fromPort} → ${e.toPort}`)}"| ${alias.get(e.to)}`)].join('\n');
  } else {
    text = ['digraph flow {', '  rankdir=LR; node [shape=box, fontname="Helvetica"];',
      ...nodes.map((n) => `  ${alias.get(n.id)} [label="${q(n.id)}\\n(${q(n.type)})"];`),
      ...edges.map((e) => `  ${alias.get(e.from)} -> ${alias.get(e.to)} [label="${q(e.fromPort === e.toPort ? e.toPort : `${e.fromPort} -> ${e.toPort}`)}"];`), '}'].join('\n');
  }
  process.stdout.write(text + '\n');
}
