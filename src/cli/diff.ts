// flow diff A.json B.json [--table ID] [--json] [--format md]: runs both workflows on the
// cache (the scheduler of `flow run`, under the same lease; no out folder; on a warm cache
// most nodes are hits), then prints each table's changed cells, matched by row and column
// label (report/compare.ts), and the root param differences, with the nodes each one changed.
// Exit code: 0 when nothing differs, 1 when something does, 2 for bad input (or a failed run:
// then there is nothing sound to compare).
import { resolve } from 'node:path';
import { lastValueFrom, tap, filter } from 'rxjs';
import { FlowError } from '../errors.js';
import { flowVersion, gitCommit, openWorkflow, type WorkflowOpts } from './common.js';
import { printWarnings, warningsOf } from './warnings.js';
import { run } from '../graph/scheduler.js';
import { lease } from '../graph/lock.js';
import { decode } from '../graph/codec.js';
import { loadWorkflow, didYouMean, formatError, type Decl } from '../graph/load.js';
import { mdCell } from '../report/format.js';
import {
  attribute, compareGrids, formatCauses, formatCell, gridOf, paramDiffs, paramsAt, showValue, unchanged,
  type Cause, type NodeSides, type ParamDiff, type TableDiff,
} from '../report/compare.js';
import type { Plan } from '../graph/plan.js';
import type { Store, CacheRecord } from '../graph/store.js';
import type { Summary } from '../graph/events.js';
import type { Grid } from '../report/grid.js';

export interface DiffOpts extends WorkflowOpts { table?: string[]; json?: boolean; format?: string; jobs?: number; workers?: number }

interface Side { file: string; plan: Plan; store: Store; records: Map<string, CacheRecord>; summary: Summary; decls: Map<string, Decl> }

export interface TableResult extends Partial<TableDiff> {
  table: string;
  status: 'changed' | 'unchanged' | 'only in A' | 'only in B' | 'not comparable';
  causes: Cause[];
}

export async function diffCommand(fa: string, fb: string, o: DiffOpts): Promise<void> {
  const format = o.format ?? 'text';
  if (format !== 'text' && format !== 'md') throw new FlowError('validate', `--format ${format}: expected text or md`);
  // both plans (and the --table names) are checked before anything runs
  const pa = await openSide(fa, o);
  const pb = resolve(fa) === resolve(fb) ? pa : await openSide(fb, o);
  const wanted = selectTables([...new Set([...tableNodes(pa.plan), ...tableNodes(pb.plan)])], o.table ?? []);
  const a = await runSide(pa, o);
  const b = pb === pa ? a : await runSide(pb, o);
  const failed = [...new Set([...a.summary.failed, ...a.summary.skipped, ...b.summary.failed, ...b.summary.skipped])];

  const roots = paramDiffs(a.plan, b.plan);
  const causes = attribute(sidesOf(a, b), roots);
  const tables: TableResult[] = [];
  for (const t of wanted) tables.push(await compareTable(t, a, b, causes.get(t) ?? []));

  const changedNodes = [...causes.keys()];
  const changed = tables.some((t) => t.status !== 'unchanged') || (!o.table?.length && roots.length > 0);
  const result = {
    a: a.plan.rel, b: b.plan.rel, changed, params: roots.map((r) => ({ ...r, nodes: changedNodes.filter((n) => causes.get(n)!.some((c) => c.kind === 'param' && c.name === r.name)) })),
    tables, nodes: Object.fromEntries([...causes].map(([n, cs]) => [n, cs])),
  };
  if (o.json) process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else process.stdout.write((format === 'md' ? markdown : text)(result) + '\n');
  if (failed.length) {
    process.stderr.write(`error: ${failed.length} node${failed.length > 1 ? 's' : ''} failed or were skipped (${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', ...' : ''}); their tables cannot be compared: run \`flow run\` on each workflow to see why\n`);
    process.exitCode = 2;
  } else process.exitCode = changed ? 1 : 0;
}

type Opened = Pick<Side, 'file' | 'plan' | 'store' | 'decls'>;

async function openSide(file: string, o: DiffOpts): Promise<Opened> {
  const { plan, store } = await openWorkflow(file, o);
  // the declarations as written ("$delta"), to tell which workflow param a node param comes from
  const decls = (await loadWorkflow(resolve(file), { get: () => undefined, all: () => [] })).nodes;
  return { file, plan, store, decls };
}

async function runSide({ file, plan, store, decls }: Opened, o: DiffOpts): Promise<Side> {
  const { summary, keys } = await runQuiet(plan, store, o);
  const records = new Map<string, CacheRecord>();
  for (const id of plan.order) {
    const key = keys.get(id), rec = key ? store.getRecord(key) : undefined;
    if (rec) records.set(id, rec);
  }
  return { file, plan, store, records, summary, decls };
}

/** What `flow run --no-out` does, without its per-node lines: the run under a lease on the cache, and its warnings. */
async function runQuiet(plan: Plan, store: Store, o: DiffOpts): Promise<{ summary: Summary; keys: Map<string, string> }> {
  const drop = await lease(store.dir, plan.rel, { onWait: () => process.stderr.write('waiting for flow cache gc to finish\n') });
  try {
    const keys = new Map<string, string>();
    const ev = await lastValueFrom(run(plan, { store, leased: true, concurrency: o.jobs ?? 4, workers: o.workers, about: { flow: flowVersion(), commit: gitCommit(plan.root) } }).pipe(
      tap((e) => {
        if (e.type === 'hit' || e.type === 'ran') keys.set(e.node, e.key);
        if (e.type === 'failed') process.stderr.write(`  FAILED ${formatError(e.error)}\n`);
      }),
      filter((e) => e.type === 'summary')));
    const s = (ev as { summary: Summary }).summary;
    printWarnings(plan, warningsOf(plan, store, keys), (m) => process.stderr.write(m));
    process.stderr.write(`${plan.rel}: ran ${s.ran.length}, hit ${s.hit.length}${s.failed.length ? `, failed ${s.failed.length}` : ''}${s.skipped.length ? `, skipped ${s.skipped.length}` : ''}\n`);
    return { summary: s, keys };
  } finally { drop(); }
}

/** The nodes whose output is a table: type `table` (a report port with its own table part). */
const tableNodes = (plan: Plan): string[] => plan.order.filter((id) => plan.nodes.get(id)!.type === 'table');

function selectTables(all: string[], names: string[]): string[] {
  if (!names.length) return all;
  const out: string[] = [];
  const bases = [...new Set(all.map((t) => t.replace(/\[.*$/, '')))];
  for (const name of names) {
    const hits = all.filter((t) => t === name || t.replace(/\[.*$/, '') === name);
    if (!hits.length) throw new FlowError('validate', `--table ${name}: no table node of that name${didYouMean(name, bases)}; the tables: ${bases.join(', ')}`);
    for (const h of hits) if (!out.includes(h)) out.push(h);
  }
  return out;
}

/** Plan B's nodes with their fingerprints in both runs, for the attribution. */
function sidesOf(a: Side, b: Side): NodeSides[] {
  const out: NodeSides[] = [];
  for (const id of b.plan.order) {
    const rb = b.records.get(id);
    if (!rb) continue;
    const n = b.plan.nodes.get(id)!;
    const da = a.decls.get(n.base), db = b.decls.get(n.base);
    out.push({
      id, a: a.records.get(id)?.fingerprint, b: rb.fingerprint,
      upstream: Object.fromEntries(Object.entries(n.inputs).map(([p, refs]) => [p, [...new Set(refs.map((r) => r.node))]])),
      ancestors: n.ancestors,
      paramsOf: (field) => [...new Set([...paramsAt(da?.with, field), ...paramsAt(db?.with, field)])],
    });
  }
  return out;
}

async function gridIn(side: Side, id: string): Promise<Grid | undefined> {
  const rec = side.records.get(id);
  const ref = rec?.outputs.report;
  if (!ref) return undefined;
  return gridOf(await decode(ref.type, side.store.getObject(ref.hash)), id);
}

async function compareTable(t: string, a: Side, b: Side, causes: Cause[]): Promise<TableResult> {
  const inA = a.plan.nodes.has(t), inB = b.plan.nodes.has(t);
  if (!inA || !inB) return { table: t, status: inA ? 'only in A' : 'only in B', causes };
  const ra = a.records.get(t)?.outputs.report, rb = b.records.get(t)?.outputs.report;
  if (ra && rb && ra.hash === rb.hash) return { table: t, status: 'unchanged', causes: [] };
  const ga = await gridIn(a, t), gb = await gridIn(b, t);
  if (!ga || !gb) return { table: t, status: 'not comparable', causes };
  const d = compareGrids(t, ga, gb);
  return { ...d, table: t, status: unchanged(d) ? 'unchanged' : 'changed', causes };
}

// ---- output ----

interface Result { a: string; b: string; changed: boolean; params: (ParamDiff & { nodes: string[] })[]; tables: TableResult[] }

const nodesList = (ns: string[]) => (ns.length > 6 ? `${ns.slice(0, 6).join(', ')} +${ns.length - 6}` : ns.join(', '));

function text(r: Result): string {
  const out: string[] = [`flow diff ${r.a} -> ${r.b}`, ''];
  if (r.params.length) {
    out.push('root param differences:');
    const w = Math.max(...r.params.map((p) => p.name.length));
    for (const p of r.params) out.push(`  ${p.name.padEnd(w)}  ${showValue(p.old)} -> ${showValue(p.new)}${p.nodes.length ? `   (changed ${nodesList(p.nodes)})` : ''}`);
  } else out.push('root param differences: none');
  for (const t of r.tables) {
    if (t.status === 'unchanged') continue;
    out.push('');
    if (t.status !== 'changed') { out.push(`${t.table}: ${t.status}`); continue; }
    out.push(`${t.table}: ${t.cells!.length} cell${t.cells!.length === 1 ? '' : 's'} changed${t.causes.length ? `; root: ${formatCauses(t.causes)}` : ''}`);
    if (t.title) out.push(`  title: ${t.title.old ?? '(none)'} -> ${t.title.new ?? '(none)'}`);
    for (const c of t.cells!) out.push(`  ${formatCell(c)}`);
    for (const [what, xs] of [['row only in A', t.rowsRemoved], ['row only in B', t.rowsAdded], ['column only in A', t.columnsRemoved], ['column only in B', t.columnsAdded], ['note only in A', t.notesRemoved], ['note only in B', t.notesAdded]] as const)
      for (const x of xs ?? []) out.push(`  ${what}: ${x}`);
  }
  const changed = r.tables.filter((t) => t.status !== 'unchanged');
  const same = r.tables.filter((t) => t.status === 'unchanged');
  const cells = r.tables.reduce((n, t) => n + (t.cells?.length ?? 0), 0);
  if (same.length && changed.length) out.push('', `unchanged: ${same.map((t) => t.table).join(', ')}`);
  out.push('', r.changed
    ? `${changed.length} of ${r.tables.length} table${r.tables.length === 1 ? '' : 's'} differ${changed.length === 1 ? 's' : ''} (${cells} cell${cells === 1 ? '' : 's'})${r.params.length ? `; root params: ${r.params.map((p) => p.name).join(', ')}` : ''}`
    : `nothing changed: ${r.tables.length} table${r.tables.length === 1 ? '' : 's'} identical${r.params.length ? '' : ', no param differs'}`);
  return out.join('\n');
}

function markdown(r: Result): string {
  const c = (s: string) => mdCell(s) || ' ';
  const out: string[] = [`## flow diff \`${r.a}\` -> \`${r.b}\``, ''];
  if (r.params.length) {
    out.push('**Root param differences**', '', '| param | A | B | changed nodes |', '|---|---|---|---|');
    for (const p of r.params) out.push(`| ${c(p.name)} | ${c(showValue(p.old))} | ${c(showValue(p.new))} | ${c(nodesList(p.nodes))} |`);
  } else out.push('No param differs.');
  for (const t of r.tables) {
    out.push('');
    if (t.status === 'unchanged') continue;
    if (t.status !== 'changed') { out.push(`### ${c(t.table)}: ${t.status}`); continue; }
    out.push(`### ${c(t.table)}`, '');
    if (t.causes.length) out.push(`Root: ${c(formatCauses(t.causes))}`, '');
    if (t.title) out.push(`Title: ${c(t.title.old ?? '(none)')} -> ${c(t.title.new ?? '(none)')}`, '');
    if (t.cells!.length) {
      out.push('| row | column | A | B |', '|---|---|---|---|');
      for (const x of t.cells!) out.push(`| ${c(x.row)} | ${c(x.column)} | ${c(x.old)} | ${c(x.new)} |`);
    }
    const extra = [['row only in A', t.rowsRemoved], ['row only in B', t.rowsAdded], ['column only in A', t.columnsRemoved], ['column only in B', t.columnsAdded], ['note only in A', t.notesRemoved], ['note only in B', t.notesAdded]] as const;
    const lines = extra.flatMap(([what, xs]) => (xs ?? []).map((x) => `- ${what}: ${c(x)}`));
    if (lines.length) out.push('', ...lines);
  }
  const same = r.tables.filter((t) => t.status === 'unchanged').map((t) => c(t.table));
  if (same.length) out.push('', `Unchanged: ${same.join(', ')}.`);
  out.push('', r.changed ? `${r.tables.length - same.length} of ${r.tables.length} table${r.tables.length === 1 ? '' : 's'} differ${r.tables.length - same.length === 1 ? 's' : ''}.` : 'Nothing changed.');
  return out.join('\n');
}
