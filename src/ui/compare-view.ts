// Two results of one node side by side for `flow ui`: from two branch files (each brought up
// to date first, as `flow run` would) or two runs of the journal. The chosen output becomes a
// grid of labelled rows (a table node's rendered cells, a model's coefficients, a table's
// first rows); cells that differ are flagged, and the param differences are listed: the
// workflows' params, and each node whose own fingerprint fields (params, files, code...)
// differ: the root causes. A table node's cells are labelled as `flow diff` labels them
// (src/report/compare.ts); models, tables and other JSON are compared here.
import { decode } from '../graph/codec.js';
import { cellsOf, columnLabels, gridOf as tableGrid } from '../report/compare.js';
import { diffJson, reasons } from '../graph/fingerprint.js';
import type { Store, OutputRef } from '../graph/store.js';

/** A side's result: label, the workflow params (branches), and a key per node. */
export interface Side { label: string; params?: Record<string, unknown>; sets?: Record<string, unknown>; keys: Record<string, string | null> }

export interface Grid { columns: string[]; rows: { key: string; label: string; cells: string[] }[] }

const fmtNum = (v: unknown) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : v === null || v === undefined ? '' : String(v));

/** The grid of one output value. */
export function gridOf(type: string, v: any): Grid {
  if (type === 'report') {
    // a table node's grid, by row and column label as flow diff compares it (report/compare.ts)
    const g = tableGrid(v);
    if (g) {
      const columns = columnLabels(g);
      return { columns, rows: [...cellsOf(g)].map(([label, cells]) => ({ key: label, label, cells: cells.has('(all)') ? [cells.get('(all)')!] : columns.map((c) => cells.get(c) ?? '') })) };
    }
    return { columns: ['file'], rows: Object.keys(v.files ?? {}).map((f) => ({ key: f, label: f, cells: [String((v.files[f] as string).length)] })) };
  }
  if (type === 'model' || type === 'models') {
    const m = type === 'models' ? v[0] : v;
    const cols = ['estimate', 'std_error', 'p_value'];
    return { columns: cols, rows: (m?.coefficients ?? []).map((c: any) => ({ key: `term:${c.term}`, label: String(c.term), cells: cols.map((k) => fmtNum(c[k])) })) };
  }
  if (type === 'table') {
    const names: string[] = v.columnNames();
    const rows: Grid['rows'] = [];
    for (let i = 0; i < Math.min(v.numRows(), 50); i++) rows.push({ key: `row:${i}`, label: String(i + 1), cells: names.map((n) => fmtNum(v.get(n, i))) });
    return { columns: names, rows };
  }
  return { columns: ['value'], rows: diffJson({}, v, '').map(([path, , b]) => ({ key: path, label: path.slice(1), cells: [fmtNum(b)] })) };
}

/** Which cells differ: "rowKey\tcolumnIndex" for each (a row or column only one side has: all its cells). */
export function changedCells(a: Grid, b: Grid): string[] {
  const out: string[] = [];
  const bRows = new Map(b.rows.map((r) => [r.key, r]));
  const aRows = new Map(a.rows.map((r) => [r.key, r]));
  for (const r of a.rows) {
    const o = bRows.get(r.key);
    r.cells.forEach((c, i) => { const j = o ? b.columns.indexOf(a.columns[i] ?? '') : -1; if (!o || (j < 0 ? o.cells[i] : o.cells[j]) !== c) out.push(`${r.key}\t${i}`); });
  }
  for (const r of b.rows) if (!aRows.has(r.key)) r.cells.forEach((_, i) => out.push(`${r.key}\t${i}`));
  return [...new Set(out)];
}

const load = async (store: Store, ref: OutputRef) => decode(ref.type, store.getObject(ref.hash));

/** The comparison of one node's output (`port`, else its first) between two sides. */
export async function compareSides(store: Store, a: Side, b: Side, node: string, port?: string) {
  const recA = a.keys[node] ? store.getRecord(a.keys[node]!) : undefined;
  const recB = b.keys[node] ? store.getRecord(b.keys[node]!) : undefined;
  const missing = [...(recA ? [] : [a.label]), ...(recB ? [] : [b.label])];
  // the effective params of both sides, else (a run whose workflow is gone) their --set overrides
  const params = (a.params && b.params ? diffJson(a.params, b.params, 'params') : diffJson(a.sets ?? {}, b.sets ?? {}, 'set'))
    .map(([field, x, y]) => ({ field, a: x, b: y }));
  // each node both sides have whose own fingerprint differs (not through its inputs)
  const roots: { node: string; what: string[] }[] = [];
  for (const id of Object.keys(a.keys)) {
    const ka = a.keys[id], kb = b.keys[id];
    if (!ka || !kb || ka === kb) continue;
    const fa = store.getRecord(ka)?.fingerprint, fb = store.getRecord(kb)?.fingerprint;
    if (!fa || !fb) continue;
    const own = reasons(fa, fb, () => []).filter((r) => r.cue !== 'inputs');
    if (own.length) roots.push({ node: id, what: own.map((r) => r.text) });
  }
  if (!recA || !recB) return { node, missing, params, roots };
  const p = port ?? Object.keys(recA.outputs)[0];
  const ra = recA.outputs[p], rb = recB.outputs[p];
  if (!ra || !rb) return { node, missing: [`port ${p}`], params, roots };
  const ga = gridOf(ra.type, await load(store, ra)), gb = gridOf(rb.type, await load(store, rb));
  return { node, port: p, type: ra.type, same: ra.hash === rb.hash, a: { label: a.label, key: recA.key, grid: ga }, b: { label: b.label, key: recB.key, grid: gb }, changedA: changedCells(ga, gb), changedB: changedCells(gb, ga), params, roots };
}
