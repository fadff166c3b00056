// Grid -> an HTML <table> fragment (the report inlines it; the table node also writes
// it as a small standalone page).
import { runs, type Grid } from './grid.js';
import { escapeHtml, htmlData, htmlLabel } from './format.js';

export function toHtmlTable(g: Grid): string {
  const k = g.columns.length;
  const tr = (label: string, cells: string[], cls = '') =>
    `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${htmlLabel(label)}</th>` +
    cells.map((c) => `<td>${htmlData(c)}</td>`).join('') + '</tr>';
  const out: string[] = [`<table class="flow-table" id="${escapeHtml(g.name)}">`];
  if (g.title) out.push(`<caption>${escapeHtml(g.title)}</caption>`);
  out.push('<thead>');
  for (const h of g.heads ?? []) {
    out.push(`<tr class="head"><th scope="row">${htmlLabel(h.label)}</th>` + runs(h.cells).map(([t, n]) => `<th${n > 1 ? ` colspan="${n}"` : ''}>${htmlLabel(t)}</th>`).join('') + '</tr>');
  }
  out.push('<tr><th>' + htmlLabel(g.stub) + '</th>' + g.columns.map((c) => `<th>${htmlLabel(c)}</th>`).join('') + '</tr></thead>');
  out.push('<tbody>');
  let ruleNext = false;
  for (const r of g.rows) {
    const cls = ruleNext ? 'rule' : '';
    switch (r.kind) {
      case 'coef':
        out.push(tr(r.label, r.est, cls));
        out.push(tr('', r.se.map((s) => (s ? `(${s})` : '')), 'se'));
        break;
      case 'stat':
        out.push(tr(r.label, r.cells, cls));
        break;
      case 'panel':
        out.push(`<tr class="panel${cls ? ' rule' : ''}"><th colspan="${k + 1}">${escapeHtml(r.label)}</th></tr>`);
        break;
      case 'span':
        out.push(`<tr class="span${cls ? ' rule' : ''}"><th scope="row">${htmlLabel(r.label)}</th><td colspan="${k}">${htmlData(r.text)}</td></tr>`);
        break;
      case 'rule':
        break;
      default:
        r satisfies never;
    }
    ruleNext = r.kind === 'rule';
  }
  out.push('</tbody>');
  if (g.notes.length) {
    out.push(`<tfoot><tr><td colspan="${k + 1}">` + g.notes.map(htmlData).join('<br>') + '</td></tr></tfoot>');
  }
  out.push('</table>');
  return out.join('\n');
}

export const TABLE_CSS = `
.flow-table{border-collapse:collapse;margin:1em 0;font-variant-numeric:tabular-nums}
.flow-table caption{font-weight:600;text-align:left;margin-bottom:.4em}
.flow-table thead tr:first-child th{border-top:2px solid #000}
.flow-table thead tr:last-child th{border-bottom:1px solid #000}
.flow-table thead th{padding:.25em .8em}
.flow-table thead tr.head th[colspan]{border-bottom:1px solid #888}
.flow-table thead tr.head th[scope=row]{text-align:left;font-weight:normal}
.flow-table tr.span td{text-align:left}
.flow-table tbody tr:last-child th,.flow-table tbody tr:last-child td{border-bottom:2px solid #000}
.flow-table th[scope=row]{text-align:left;font-weight:normal;padding-right:1.2em}
.flow-table td{text-align:center;padding:.1em .8em}
.flow-table tr.se td{color:#444}
.flow-table tr.rule th,.flow-table tr.rule td{border-top:1px solid #000}
.flow-table tr.panel th{text-align:left;font-style:italic;font-weight:normal;padding-top:.4em}
.flow-table tfoot td{text-align:left;font-size:.85em;color:#333;padding-top:.4em}
`;

/** A standalone page around one table. */
export function toHtmlPage(g: Grid): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(g.title ?? g.name)}</title>` +
    `<style>body{font-family:Georgia,serif}${TABLE_CSS}</style></head><body>\n${toHtmlTable(g)}\n</body></html>\n`;
}
