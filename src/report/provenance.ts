// The report's provenance section: which variant of the workflow it is (its --set overrides,
// effective params, matrix), what made it (flow, Node, git commit), every node with its cache key
// (matrix copies under their declared node), and for each table the node, params, upstream
// nodes and data files it rests on. All of it is in the report's key (graph/about.ts).
import type { Provenance, ProvenanceNode } from '../graph/node.js';
import type { Part } from './grid.js';
import { escapeHtml } from './format.js';
import { declaredId } from './dag-collapse.js';

/** a link-safe id for an element: node ids may hold "[", "=", "," (matrix copies) */
export const anchorOf = (prefix: string, id: string) => `${prefix}-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** `--set a=1 --set b=x` as a user types it */
export const showSets = (sets: Record<string, unknown>) => Object.entries(sets).map(([k, v]) => `--set ${k}=${show(v)}`).join(' ');

/** The title's branch: the branch name, and the --set overrides when there are any (a
 * --set run of the baseline is not the baseline). */
export function branchLabel(branch: string | undefined, sets: Record<string, unknown> = {}): string | undefined {
  const named = typeof sets.branch === 'string' ? sets.branch : branch;
  const others = Object.fromEntries(Object.entries(sets).filter(([k]) => k !== 'branch'));
  const set = showSets(others);
  if (!set) return named;
  return named ? `${named}, with ${set}` : set;
}

/** the node and every ancestor, by walking the wired inputs */
function ancestors(nodes: ProvenanceNode[], id: string): ProvenanceNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out: ProvenanceNode[] = [];
  const todo = [id];
  const seen = new Set<string>();
  while (todo.length) {
    const cur = todo.pop()!;
    if (seen.has(cur)) continue;
    seen.add(cur);
    const n = byId.get(cur);
    if (!n) continue;
    out.push(n);
    for (const i of n.inputs) {
      const cut = i.from.lastIndexOf('.');
      todo.push(byId.has(i.from) || cut < 0 ? i.from : i.from.slice(0, cut));
    }
  }
  return out;
}

function variant(prov: Provenance): string[] {
  const sets = prov.sets ?? {};
  const out = [`<p>Workflow <code>${escapeHtml(prov.workflow)}</code>, ` +
    (Object.keys(sets).length ? `run with <code>${escapeHtml(showSets(sets))}</code>.` : 'with its own params (no <code>--set</code> overrides).') + '</p>'];
  const matrix = Object.entries(prov.matrix ?? {});
  if (matrix.length) {
    const n = matrix.reduce((k, [, v]) => k * v.length, 1);
    out.push(`<p>Matrix (${n} branches): ${matrix.map(([k, v]) => `<code>${escapeHtml(k)}</code> \u2208 {${v.map((x) => escapeHtml(show(x))).join(', ')}}`).join('; ')}.</p>`);
  }
  const params = Object.entries(prov.params ?? {});
  if (params.length) {
    out.push('<table class="prov params"><thead><tr><th>param</th><th>effective value</th></tr></thead><tbody>');
    for (const [k, v] of params) {
      const set = k in sets;
      out.push(`<tr${set ? ' class="set"' : ''}><td><code>${escapeHtml(k)}</code></td><td><code>${escapeHtml(show(v))}</code>${set ? ' <b>(--set)</b>' : ''}${k in (prov.matrix ?? {}) ? ' (varied by the matrix)' : ''}</td></tr>`);
    }
    out.push('</tbody></table>');
  }
  return out;
}

function aboutLines(a: NonNullable<Provenance['about']>): string[] {
  const date = a.commitDate ? ` of ${escapeHtml(a.commitDate.replace('T', ' '))}` : '';
  const commit = a.commit
    ? `<code>${escapeHtml(a.commit.slice(0, 12))}</code>${date}${a.dirty ? ', with uncommitted changes to tracked files (dirty)' : a.dirty === false ? ' (clean)' : ''}`
    : 'none (not a git checkout)';
  return [
    `<p class="stamp">Made with flow ${escapeHtml(a.flow)} on Node ${escapeHtml(a.node)}; git commit ${commit}.</p>`,
    '<p class="note">These are part of the report\'s cache key: it is rendered again after a commit, a change to the checkout or another flow or Node version. ' +
      'The date of each run is in <code>flow log</code> (a run date in the report would re-render it on every run).</p>',
  ];
}

/** every node: declared id (the DAG's link target), type, copies, cache keys */
function nodeTable(prov: Provenance, self?: { id: string; type: string }): string[] {
  const groups = new Map<string, ProvenanceNode[]>();
  for (const n of prov.nodes) groups.set(declaredId(n.id), [...(groups.get(declaredId(n.id)) ?? []), n]);
  const out = [
    '<p class="note">Runtimes are not shown: they are not part of a result\'s cache key, and a report that showed them would change on every run. ' +
      '<code>flow log</code> gives each run\'s per-node status and time; <code>flow status</code> what would run now.</p>',
    '<table class="prov nodes"><thead><tr><th>node</th><th>type</th><th>copies</th><th>cache key</th></tr></thead><tbody>',
  ];
  for (const [id, ns] of groups) {
    const keys = ns.length === 1
      ? `<code>${escapeHtml(ns[0].key.slice(0, 16))}</code>`
      : `<details><summary>${ns.length} keys</summary>${ns.map((n) => `<code>${escapeHtml(n.id.slice(id.length))}</code> <code>${escapeHtml(n.key.slice(0, 16))}</code>`).join('<br>')}</details>`;
    out.push(`<tr id="${anchorOf('node', id)}"><td><code>${escapeHtml(id)}</code></td><td>${escapeHtml(ns[0].type)} v${ns[0].version}</td><td>${ns.length}</td><td>${keys}</td></tr>`);
  }
  if (self && !groups.has(self.id)) out.push(`<tr id="${anchorOf('node', self.id)}"><td><code>${escapeHtml(self.id)}</code></td><td>${escapeHtml(self.type)}</td><td>1</td><td>this report</td></tr>`);
  out.push('</tbody></table>');
  return out;
}

export function provenanceSection(parts: Part[], prov: Provenance, o: { self?: { id: string; type: string } } = {}): string {
  const byId = new Map(prov.nodes.map((n) => [n.id, n]));
  const out = ['<h3>Run</h3>', ...variant(prov), ...(prov.about ? aboutLines(prov.about) : [])];
  out.push('<h3>Nodes and cache keys</h3>', ...nodeTable(prov, o.self));
  // one entry per producing node (a spec-curve gives a table and a plot)
  const names = new Map<string, string[]>();
  for (const p of parts) names.set(p.node, [...(names.get(p.node) ?? []), p.kind === 'table' ? p.grid.name : `${p.name} (plot)`]);
  for (const [id, what] of names) {
    const n = byId.get(id);
    out.push(`<h3>${escapeHtml([...new Set(what)].join(', '))}</h3>`);
    if (!n) { out.push(`<p>node <code>${escapeHtml(id)}</code> (not in this run's provenance)</p>`); continue; }
    out.push(`<p>node <code>${escapeHtml(n.id)}</code> (${escapeHtml(n.type)} v${n.version}), cache key <code>${escapeHtml(n.key)}</code></p>`);
    out.push(`<details><summary>params</summary><pre>${escapeHtml(JSON.stringify(n.params, null, 2))}</pre></details>`);
    const anc = ancestors(prov.nodes, n.id).filter((a) => a.id !== n.id);
    if (anc.length) {
      out.push('<details><summary>upstream nodes</summary><table class="prov"><thead><tr><th>node</th><th>type</th><th>cache key</th></tr></thead><tbody>');
      for (const a of anc) out.push(`<tr><td><code>${escapeHtml(a.id)}</code></td><td>${escapeHtml(a.type)} v${a.version}</td><td><code>${escapeHtml(a.key.slice(0, 16))}</code></td></tr>`);
      out.push('</tbody></table></details>');
    }
    const files = new Map<string, string>();
    for (const a of ancestors(prov.nodes, n.id)) for (const f of a.files) files.set(f.path, f.sha256);
    if (files.size) {
      out.push('<table class="prov"><thead><tr><th>data file</th><th>sha256</th></tr></thead><tbody>');
      for (const [path, sha] of [...files].sort()) out.push(`<tr><td><code>${escapeHtml(path)}</code></td><td><code>${escapeHtml(sha)}</code></td></tr>`);
      out.push('</tbody></table>');
    }
  }
  return out.join('\n');
}
