// Comparing two runs of a table, and two plans: the changed cells of each table (matched by
// row and column label, never by position, so an added control or a reordered column does not
// make every later cell "changed"), the effective params that differ, and which of them each
// changed node goes back to (through the fingerprints' cue table, fingerprint.ts). Pure: no
// cache, no printing; `flow diff` (src/cli/diff.ts) and the UI's branch comparison use it.
import type { Grid } from './grid.js';
import { isPart, type TablePart } from './grid.js';
import { canonical } from '../graph/hash.js';
import { reasons, diffJson, type Fingerprint } from '../graph/fingerprint.js';

// ---- tables ----

export interface CellChange { table: string; row: string; column: string; old: string; new: string }

export interface TableDiff {
  table: string;
  /** the title when it differs */
  title?: { old?: string; new?: string };
  /** cells present in both whose text differs, in B's row order, then column order */
  cells: CellChange[];
  rowsAdded: string[];
  rowsRemoved: string[];
  columnsAdded: string[];
  columnsRemoved: string[];
  /** note lines only in A (removed) or only in B (added) */
  notesRemoved: string[];
  notesAdded: string[];
}

/** The grid of a table output: a `report` port value (its table part) or a grid itself. */
export function gridOf(v: unknown, node?: string): Grid | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const g = v as Grid;
  if (Array.isArray(g.rows) && Array.isArray(g.columns)) return g;
  const parts = (v as { parts?: unknown }).parts;
  if (!Array.isArray(parts)) return undefined;
  const tables = parts.filter((p): p is TablePart => isPart(p) && p.kind === 'table');
  // a report node composes other nodes' parts: only a part this node made is its own table
  const own = node === undefined ? tables : tables.filter((p) => p.node === node || p.node === node.replace(/\[.*$/, ''));
  return own.length === 1 ? own[0].grid : undefined;
}

/**
 * Column labels: the header-row cells above each column ("RIS"; "large RIS"), or the column
 * header itself when there are no header rows; the column number is put first ("(1) RIS")
 * when that alone does not tell the columns apart.
 */
export function columnLabels(g: Grid): string[] {
  const heads = g.heads ?? [];
  const base = g.columns.map((c, j) => heads.map((h) => h.cells[j] ?? '').filter((x) => x !== '').join(' ') || c || `(${j + 1})`);
  const count = new Map<string, number>();
  for (const b of base) count.set(b, (count.get(b) ?? 0) + 1);
  return base.map((b, j) => {
    if (count.get(b) === 1) return b;
    const c = g.columns[j];
    return c && c !== b ? `${c} ${b}` : `${b} #${j + 1}`;
  });
}

/**
 * The cells of a grid by row label, then column label. Coefficient rows give two rows,
 * `label` (the estimate with its stars) and `label s.e.`; rows under a panel heading are
 * named `Panel: label` (a panel runs to the next rule); a data table's repeated first cell is
 * followed by the second (`LM lag RIS`); a label still seen twice is `label #2`; a spanning row has one cell, in
 * column "(all)". Header rows are `[label]` rows.
 */
export function cellsOf(g: Grid): Map<string, Map<string, string>> {
  const cols = columnLabels(g);
  const out = new Map<string, Map<string, string>>();
  const seen = new Map<string, number>();
  const add = (label: string, cells: Map<string, string>) => {
    const k = (seen.get(label) ?? 0) + 1;
    seen.set(label, k);
    out.set(k === 1 ? label : `${label} #${k}`, cells);
  };
  const byCol = (cells: string[]) => new Map(cols.map((c, j) => [c, cells[j] ?? '']));
  for (const h of g.heads ?? []) add(`[${h.label}]`, byCol(h.cells));
  // a data table's rows repeat their first column ("LM lag" for RIS and for AIS): such a
  // row is named by its first two cells ("LM lag RIS")
  const times = new Map<string, number>();
  if (g.plain) for (const r of g.rows) if (r.kind === 'stat') times.set(r.label, (times.get(r.label) ?? 0) + 1);
  let panel = '';
  for (const r of g.rows) {
    const own = r.kind === 'stat' && (times.get(r.label) ?? 0) > 1 && r.cells[0] ? `${r.label} ${r.cells[0]}` : (r as { label?: string }).label ?? '';
    const label = panel && r.kind !== 'panel' && r.kind !== 'rule' ? `${panel}: ${own}` : own;
    switch (r.kind) {
      case 'coef': add(label, byCol(r.est)); add(`${label} s.e.`, byCol(r.se)); break;
      case 'stat': add(label, byCol(r.cells)); break;
      case 'span': add(label, new Map([['(all)', r.text]])); break;
      case 'panel': panel = r.label; break;
      case 'rule': panel = ''; break; // a panel runs to the next rule (the effects panels: rule, heading, rows)
      default: r satisfies never;
    }
  }
  return out;
}

/** What changed from grid a to grid b of the table `table`. */
export function compareGrids(table: string, a: Grid, b: Grid): TableDiff {
  const ca = cellsOf(a), cb = cellsOf(b);
  const colsA = columnLabels(a), colsB = columnLabels(b);
  const cells: CellChange[] = [];
  for (const [row, cellsB] of cb) {
    const cellsA = ca.get(row);
    if (!cellsA) continue;
    for (const [column, nb] of cellsB) {
      const oa = cellsA.get(column);
      if (oa !== undefined && oa !== nb) cells.push({ table, row, column, old: oa, new: nb });
    }
  }
  const notesA = new Set(a.notes), notesB = new Set(b.notes);
  return {
    table,
    ...(a.title !== b.title ? { title: { old: a.title, new: b.title } } : {}),
    cells,
    rowsAdded: [...cb.keys()].filter((r) => !ca.has(r)),
    rowsRemoved: [...ca.keys()].filter((r) => !cb.has(r)),
    columnsAdded: colsB.filter((c) => !colsA.includes(c)),
    columnsRemoved: colsA.filter((c) => !colsB.includes(c)),
    notesRemoved: a.notes.filter((n) => !notesB.has(n)),
    notesAdded: b.notes.filter((n) => !notesA.has(n)),
  };
}

/** True when the diff shows no difference at all. */
export const unchanged = (d: TableDiff): boolean =>
  !d.title && !d.cells.length && !d.rowsAdded.length && !d.rowsRemoved.length && !d.columnsAdded.length && !d.columnsRemoved.length && !d.notesAdded.length && !d.notesRemoved.length;

/** `table2 lnINF RIS 0.036*** -> 0.035***` (an empty cell is shown as ""). */
export const formatCell = (c: CellChange): string => `${c.table} ${c.row} ${c.column} ${c.old || '""'} -> ${c.new || '""'}`;

// ---- params and root causes ----

export interface ParamDiff { name: string; old: unknown; new: unknown }

/** The effective params (after extends and --set) that differ, by name; `matrix.<name>` for matrix values. */
export function paramDiffs(a: { params: Record<string, unknown>; matrix?: Record<string, unknown[]> }, b: { params: Record<string, unknown>; matrix?: Record<string, unknown[]> }): ParamDiff[] {
  const out: ParamDiff[] = [];
  const cmp = (x: Record<string, unknown>, y: Record<string, unknown>, prefix: string) => {
    for (const name of [...new Set([...Object.keys(x), ...Object.keys(y)])]) {
      const ox = Object.hasOwn(x, name) ? x[name] : undefined, oy = Object.hasOwn(y, name) ? y[name] : undefined;
      if (canonical(ox ?? null) !== canonical(oy ?? null) || (ox === undefined) !== (oy === undefined)) out.push({ name: prefix + name, old: ox, new: oy });
    }
  };
  cmp(a.params, b.params, '');
  cmp(a.matrix ?? {}, b.matrix ?? {}, 'matrix.');
  return out;
}

export const showValue = (v: unknown): string => (v === undefined ? '(unset)' : typeof v === 'string' ? v : canonical(v));

/** A root cause of a changed node: what differs between the two plans, and the nodes where it enters the graph. */
export interface Cause {
  kind: 'param' | 'file' | 'code' | 'node' | 'added';
  /** the param name, file path, node type, or node id */
  name: string;
  text: string;
  /** the nodes whose own fingerprint it changed */
  at: string[];
}

/** One node of plan B as the attribution needs it (all plain data). */
export interface NodeSides {
  id: string;
  /** its fingerprint in run A (undefined: A has no such node) and in run B */
  a?: Fingerprint;
  b: Fingerprint;
  /** port -> upstream node ids, in plan B */
  upstream: Record<string, string[]>;
  /** provenance nodes: every ancestor */
  ancestors?: string[];
  /** the params that a node param field (e.g. "x.0") takes its value from, in A's and B's declarations */
  paramsOf?: (field: string) => string[];
}

/**
 * The root causes of every node whose fingerprint differs between A and B (nodes in plan B's
 * topological order): a param reason goes back to the workflow params its field is declared
 * from (paramsOf), and to the differing root params; an input reason to the upstream node's
 * causes; a file or code change is a root itself. Nodes with equal fingerprints are absent.
 */
export function attribute(nodes: NodeSides[], roots: ParamDiff[]): Map<string, Cause[]> {
  const rootNames = new Set(roots.map((r) => r.name));
  const out = new Map<string, Cause[]>();
  for (const n of nodes) {
    if (n.a && canonical(n.a) === canonical(n.b)) continue;
    const causes = new Map<string, Cause>();
    const add = (c: Omit<Cause, 'at'>, at: string[]) => {
      const k = `${c.kind}:${c.name}`;
      const x = causes.get(k) ?? { ...c, at: [] };
      for (const a of at) if (!x.at.includes(a)) x.at.push(a);
      causes.set(k, x);
    };
    const inherit = (up: string[]) => { for (const u of up) for (const c of out.get(u) ?? []) add(c, c.at); };
    if (!n.a) { add({ kind: 'added', name: n.id, text: `node ${n.id} is only in B` }, [n.id]); out.set(n.id, [...causes.values()]); continue; }
    for (const r of reasons(n.a, n.b, (port) => n.upstream[port] ?? [])) {
      switch (r.cue) {
        case 'params': {
          const field = r.field!.slice('params.'.length);
          const named = (n.paramsOf?.(field) ?? []).filter((p) => rootNames.has(p));
          // no declaration to go by: a root param whose old and new values are the field's
          const guess = named.length ? named : roots.filter((p) => sameChange(p, n.a!.params, n.b.params, field)).map((p) => p.name);
          if (guess.length) for (const p of guess) add({ kind: 'param', name: p, text: `param ${p}` }, [n.id]);
          else add({ kind: 'node', name: n.id, text: `${n.id}: ${r.text}` }, [n.id]);
          break;
        }
        case 'files': add({ kind: 'file', name: r.field!.slice('files.'.length), text: r.text.replace(/^file /, 'file ') }, [n.id]); break;
        case 'code': case 'node-version': case 'node-type': case 'engine': add({ kind: 'code', name: n.b.type, text: r.text }, [n.id]); break;
        case 'inputs': inherit(r.upstream ?? []); break;
        case 'provenance': inherit(n.ancestors ?? []); break;
        default: add({ kind: 'node', name: n.id, text: `${n.id}: ${r.text}` }, [n.id]);
      }
    }
    out.set(n.id, [...causes.values()]);
  }
  return out;
}

/** Whether root param p changed from its old to its new value exactly where the node's field did. */
function sameChange(p: ParamDiff, a: unknown, b: unknown, field: string): boolean {
  const d = diffJson(a, b, 'params').find(([f]) => f === `params.${field}`);
  return !!d && canonical(d[1] ?? null) === canonical(p.old ?? null) && canonical(d[2] ?? null) === canonical(p.new ?? null);
}

const PARAM_RE = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
const INTERP_RE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * The workflow params a node param field takes its value from, read off the node's
 * declared `with`: the "$name" at the field or above it, the "${name}"s inside it, or every
 * reference below it. A field the declaration leaves to its default has none.
 */
export function paramsAt(declared: unknown, field: string): string[] {
  let v: unknown = declared;
  for (const k of field.split('.').filter(Boolean)) {
    if (typeof v === 'string') break;
    if (!v || typeof v !== 'object') return [];
    v = Array.isArray(v) ? v[Number(k)] : Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : undefined;
    if (v === undefined) return [];
  }
  const out = new Set<string>();
  const walk = (x: unknown) => {
    if (typeof x === 'string') {
      if (x.startsWith('$$')) return;
      const m = PARAM_RE.exec(x);
      if (m) out.add(m[1]);
      else for (const i of x.matchAll(INTERP_RE)) out.add(i[1]);
    } else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(v);
  return [...out];
}

/** "delta (at stock), branch (at table2)" */
export const formatCauses = (cs: Cause[]): string =>
  cs.map((c) => `${c.kind === 'param' ? c.name : c.text} (at ${c.at.length > 3 ? `${c.at.slice(0, 3).join(', ')} +${c.at.length - 3}` : c.at.join(', ')})`).join(', ');
