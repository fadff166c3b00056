// Report parts -> one self-contained HTML page: inline CSS and SVG, no scripts. Every figure
// scales to the column (and to the printed page); each table and plot sits in a section
// anchored by its node id (anchorOf), which the DAG's boxes link to.
import type { ModelJson } from '../ports/index.js';
import type { Provenance } from '../graph/node.js';
import { anchorOf, provenanceSection } from './provenance.js';
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
  /** DAG as inline SVG (rendered by the caller: it is async), and its legend (HTML) */
  dagSvg?: string;
  dagLegend?: string;
  provenance?: Provenance;
  /** the report node itself (listed with the nodes: the engine passes only its ancestors) */
  self?: { id: string; type: string };
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

const PAGE_CSS = `
body{font-family:Georgia,'Times New Roman',serif;max-width:980px;margin:2em auto;padding:0 1em;color:#111}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}
h3{font-size:1.05em}code,pre{font-family:Menlo,Consolas,monospace;font-size:.85em}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
.figure{margin:1em 0}.figure svg{display:block;max-width:100%;height:auto}
.table-wrap{max-width:100%;overflow-x:auto}
table.prov{border-collapse:collapse;font-size:.85em;max-width:100%}table.prov td,table.prov th{border:1px solid #ddd;padding:.2em .5em;text-align:left;overflow-wrap:anywhere}
table.prov tr.set td{background:#fff6d6}table.prov.params td:first-child,table.prov.nodes td:first-child{white-space:nowrap;overflow-wrap:normal}
.legend{font-family:Helvetica,Arial,sans-serif;font-size:.8em;color:#333;margin:.3em 0}.legend .key{margin-right:1.2em;white-space:nowrap}
.legend .swatch{display:inline-block;width:.9em;height:.9em;border:1px solid #444;border-radius:3px;vertical-align:-.1em;margin-right:.35em}
.legend .swatch.stack{box-shadow:2px 2px 0 #fff,3px 3px 0 #444}
.note,.stamp{font-size:.85em;color:#333}
svg a:hover rect{stroke-width:2.2}
@media print{body{max-width:none;margin:0}.figure svg{max-width:100%;height:auto}.figure{break-inside:avoid}.table-wrap{overflow:visible}h2{break-after:avoid}}
`;

export function composeReport(parts: Part[], o: ComposeOptions): string {
  const tables = parts.filter((p): p is TablePart => p.kind === 'table');
  const plots = parts.filter((p) => p.kind === 'plot');
  const body: string[] = [`<h1>${escapeHtml(o.title)}</h1>`];
  // the first part of each node carries its anchor (a spec-curve gives a table and a plot)
  const anchored = new Set<string>();
  const section = (node: string, html: string, cls: string) => {
    const id = anchored.has(node) ? '' : ` id="${anchorOf('part', node)}"`;
    anchored.add(node);
    return `<div class="${cls}"${id} data-node="${escapeHtml(node)}">${html}</div>`;
  };
  if (o.dagSvg) body.push('<h2 id="workflow">Workflow</h2>', `<div class="figure dag">${o.dagSvg}</div>`, o.dagLegend ?? '');
  if (tables.length) {
    body.push('<h2 id="tables">Tables</h2>');
    for (const t of tables) body.push(section(t.node, toHtmlTable(t.grid), 'table-wrap'));
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
  for (const p of plots) if (p.kind === 'plot') body.push(section(p.node, p.svg, 'figure plot'));
  if (o.provenance) body.push('<h2 id="provenance">Provenance</h2>', provenanceSection(parts, o.provenance, { self: o.self }));
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(o.title)}</title>` +
    `<style>${PAGE_CSS}${TABLE_CSS}</style></head><body>\n${body.join('\n')}\n</body></html>\n`;
}
