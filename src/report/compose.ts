// Report parts -> one self-contained HTML page: inline CSS and SVG, no scripts.
import type { ModelJson } from '../ports/index.js';
import type { Provenance, ProvenanceNode } from '../graph/node.js';
import type { Part, TablePart } from './grid.js';
import { toHtmlTable, TABLE_CSS } from './html.js';
import { forestPlot, type PlotRow } from './svg-plot.js';
import { escapeHtml } from './format.js';
import { coefsOf, labelOf, type CoefRow } from './model-table.js';

export interface ComposeOptions {
  title: string;
  /** coefficient of the coefficient plot (default: first term of the first model) */
  term?: string;
  labels?: Record<string, string>;
  /** DAG as inline SVG (rendered by the caller: it is async) */
  dagSvg?: string;
  provenance?: Provenance;
}

const Z95 = 1.959963984540054;
const CONSTANT = /^(\(Intercept\)|_cons|const|constant|Intercept)$/;

function ci(r: CoefRow): [number | null, number | null] {
  if (r.conf_low != null && r.conf_high != null) return [r.conf_low, r.conf_high];
  if (r.std_error != null && r.estimate != null) return [r.estimate - Z95 * r.std_error, r.estimate + Z95 * r.std_error];
  return [null, null];
}

function uniqueModels(tables: TablePart[]): { label: string; model: ModelJson }[] {
  const seen = new Set<string>();
  const out: { label: string; model: ModelJson }[] = [];
  for (const t of tables) {
    for (const m of t.models) {
      const key = JSON.stringify(m.model.coefficients ?? null) + JSON.stringify(m.model.call ?? null);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ label: `${t.grid.name}: ${m.column}`, model: m.model });
    }
  }
  return out;
}

export function coefPlotRows(tables: TablePart[], term?: string): { term: string; rows: PlotRow[] } | null {
  const models = uniqueModels(tables);
  const t = term ?? models.flatMap((m) => coefsOf(m.model)).find((r) => !CONSTANT.test(r.term))?.term;
  if (!t) return null;
  const rows: PlotRow[] = [];
  for (const m of models) {
    const r = coefsOf(m.model).find((x) => x.term === t);
    if (!r || r.estimate == null) continue;
    const [lo, hi] = ci(r);
    rows.push({ label: m.label, est: r.estimate, lo, hi });
  }
  return rows.length ? { term: t, rows } : null;
}

/** Effects of `term` (default, or when no model has effects for it: the first effects term). */
export function effectsPlotRows(tables: TablePart[], term?: string): { term: string; rows: PlotRow[] } | null {
  const models = uniqueModels(tables);
  const withEffects = models.map((m) => m.model.effects as Record<string, CoefRow[]> | undefined).filter((e) => !!e);
  const has = (t: string) => withEffects.some((e) => (e!.direct ?? []).some((r) => r.term === t));
  if (!term || !has(term)) term = withEffects.flatMap((e) => e!.direct ?? []).find((r) => !CONSTANT.test(r.term))?.term;
  if (!term) return null;
  const rows: PlotRow[] = [];
  for (const m of models) {
    const eff = m.model.effects as Record<string, CoefRow[]> | undefined;
    if (!eff) continue;
    for (const kind of ['direct', 'indirect', 'total']) {
      for (const r of eff[kind] ?? []) {
        if (r.term !== term) continue;
        if (r.estimate == null) continue;
        const [lo, hi] = ci(r);
        rows.push({ label: `${m.label} \u00b7 ${kind}`, est: r.estimate, lo, hi, series: kind });
      }
    }
  }
  return rows.length ? { term, rows } : null;
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

function provenanceSection(parts: Part[], prov: Provenance): string {
  const byId = new Map(prov.nodes.map((n) => [n.id, n]));
  const out = [`<p>Workflow: <code>${escapeHtml(prov.workflow)}</code></p>`];
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

const PAGE_CSS = `
body{font-family:Georgia,'Times New Roman',serif;max-width:980px;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.05em}code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.figure{overflow-x:auto}
table.prov{border-collapse:collapse;font-size:.85em}table.prov td,table.prov th{border:1px solid #ddd;padding:.2em .5em;text-align:left}
`;

export function composeReport(parts: Part[], o: ComposeOptions): string {
  const tables = parts.filter((p): p is TablePart => p.kind === 'table');
  const plots = parts.filter((p) => p.kind === 'plot');
  const body: string[] = [`<h1>${escapeHtml(o.title)}</h1>`];
  if (o.dagSvg) body.push('<h2>Workflow</h2>', `<div class="figure">${o.dagSvg}</div>`);
  if (tables.length) {
    body.push('<h2>Tables</h2>');
    for (const t of tables) body.push(toHtmlTable(t.grid));
  }
  const coef = coefPlotRows(tables, o.term);
  const effects = effectsPlotRows(tables, o.term ?? coef?.term);
  if (coef || effects || plots.length) body.push('<h2>Figures</h2>');
  if (coef) {
    const l = labelOf(coef.term, o.labels);
    body.push(`<div class="figure">${forestPlot(coef.rows, { title: `Coefficient of ${l} across models (95% CI)`, xLabel: l })}</div>`);
  }
  if (effects) {
    body.push(`<div class="figure">${forestPlot(effects.rows, { title: `Spatial effects of ${labelOf(effects.term, o.labels)}: direct, indirect, total (95% CI)`, xLabel: 'effect' })}</div>`);
  }
  for (const p of plots) if (p.kind === 'plot') body.push(`<div class="figure">${p.svg}</div>`);
  if (o.provenance) body.push('<h2>Provenance</h2>', provenanceSection(parts, o.provenance));
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(o.title)}</title>` +
    `<style>${PAGE_CSS}${TABLE_CSS}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
