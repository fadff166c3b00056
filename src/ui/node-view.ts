// A node's panel in `flow ui`: what `flow explain` says (fingerprint.ts assess: fresh or
// why it would run, down to the root cause; the last run state: why it ran), its params,
// fingerprint fields, cache key and runtime, and a preview of its outputs decoded from the
// cache (codec.ts): a table's first rows with column types, a model's coefficients, a
// report's rendered files (HTML / Markdown / SVG). Kept to what a page can show at once.
import { assess } from '../graph/fingerprint.js';
import { ancestorsOf, selectNodes } from '../graph/scheduler.js';
import { decode } from '../graph/codec.js';
import type { Plan } from '../graph/plan.js';
import type { Store, CacheRecord, OutputRef } from '../graph/store.js';

export const PREVIEW_ROWS = 20;
const MAX_TEXT = 2_000_000;

export interface OutputPreview {
  port: string; type: string; hash: string; size: number;
  table?: { rows: number; columns: { name: string; type: string }[]; head: unknown[][] };
  model?: { estimator: string; coefficients?: Record<string, unknown>[]; stats?: Record<string, unknown>; rest: Record<string, unknown> };
  report?: { title?: string; files: string[]; html?: { name: string; text: string }; md?: { name: string; text: string }; svg?: { name: string; text: string }[] };
  json?: string;
  error?: string;
}

/** One column's type: the typed array it is, else the JS type of its first non-null values. */
function columnType(t: any, name: string): string {
  const c = t.column(name);
  if (ArrayBuffer.isView(c)) return c.constructor.name.replace(/Array$/, '').toLowerCase();
  const n = Math.min(t.numRows(), 200);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const v = c.at ? c.at(i) : t.get(name, i);
    if (v === null || v === undefined) continue;
    seen.add(v instanceof Date ? 'date' : typeof v === 'bigint' ? 'int64' : typeof v === 'number' ? 'float64' : typeof v);
  }
  return [...seen].join('|') || 'null';
}

const cell = (v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v ?? null);

/** The output of one port, decoded and cut to a preview. */
export async function previewOutput(store: Store, port: string, ref: OutputRef): Promise<OutputPreview> {
  const p: OutputPreview = { port, type: ref.type, hash: ref.hash, size: ref.size };
  try {
    const v: any = await decode(ref.type, store.getObject(ref.hash));
    if (ref.type === 'table') {
      const names: string[] = v.columnNames();
      const head: unknown[][] = [];
      for (let i = 0; i < Math.min(v.numRows(), PREVIEW_ROWS); i++) head.push(names.map((n) => cell(v.get(n, i))));
      p.table = { rows: v.numRows(), columns: names.map((name) => ({ name, type: columnType(v, name) })), head };
    } else if (ref.type === 'model' || (ref.type === 'models' && Array.isArray(v))) {
      const m = ref.type === 'models' ? v[0] ?? {} : v;
      const { estimator, coefficients, stats, vcov: _vcov, ...rest } = m;
      const scalars = stats && typeof stats === 'object' ? Object.fromEntries(Object.entries(stats).filter(([, x]) => x === null || typeof x !== 'object')) : undefined;
      p.model = { estimator, coefficients: Array.isArray(coefficients) ? coefficients : undefined, stats: scalars, rest: clip(rest) as Record<string, unknown> };
      if (ref.type === 'models') p.json = `${v.length} models; the first is shown`;
    } else if (ref.type === 'report') {
      const files: Record<string, string> = v.files ?? {};
      const names = Object.keys(files);
      const pick = (ext: string) => names.find((n) => n.endsWith(ext));
      const html = pick('.html'), md = pick('.md');
      p.report = {
        title: v.title, files: [...names, ...Object.keys(v.binary ?? {})],
        html: html && files[html].length < MAX_TEXT ? { name: html, text: files[html] } : undefined,
        md: md ? { name: md, text: files[md].slice(0, MAX_TEXT) } : undefined,
        svg: names.filter((n) => n.endsWith('.svg')).slice(0, 4).map((name) => ({ name, text: files[name] })),
      };
    } else {
      p.json = JSON.stringify(clip(v), null, 2).slice(0, 20_000);
    }
  } catch (e) { p.error = (e as Error).message; }
  return p;
}

/** Long arrays and deep values cut, for showing (a vcov matrix, a weights matrix). */
function clip(v: unknown, depth = 0): unknown {
  if (Array.isArray(v)) return v.length > 30 ? [...v.slice(0, 30).map((x) => clip(x, depth + 1)), `... ${v.length - 30} more`] : v.map((x) => clip(x, depth + 1));
  if (ArrayBuffer.isView(v)) return `(${(v as unknown as ArrayLike<number>).length} numbers)`;
  if (v && typeof v === 'object') return depth > 4 ? '{...}' : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clip(x, depth + 1)]));
  return v;
}

/** Everything the panel shows for one node of a plan. */
export async function nodePanel(plan: Plan, store: Store, id: string) {
  selectNodes(plan, [id], 'node');
  const n = plan.nodes.get(id)!;
  const a = assess(plan, store, await ancestorsOf(plan, [id])).get(id)!;
  const l = a.last;
  // the outputs: this key's, else (stale) those of the node's last run, marked as such
  const lastKey = l && 'key' in l ? l.key : null;
  let rec: CacheRecord | undefined = a.fresh ? a.record : undefined;
  let outputsOf: 'current' | 'last run (stale)' | undefined = rec ? 'current' : undefined;
  if (!rec && lastKey) { rec = store.getRecord(lastKey); if (rec) outputsOf = 'last run (stale)'; }
  const outputs = rec ? await Promise.all(Object.entries(rec.outputs).map(([port, ref]) => previewOutput(store, port, ref))) : [];
  return {
    id, type: n.type, base: n.base, branch: n.branch, version: n.def.version, code: n.code,
    params: n.params,
    inputs: Object.fromEntries(Object.entries(n.inputs).map(([port, refs]) => [port, refs.map((r) => `${r.node}.${r.port}`)])),
    fingerprint: a.fingerprint,
    fresh: a.fresh, key: a.key,
    why: a.fresh ? [] : a.why.map((r) => r.text),
    roots: a.fresh ? [] : a.roots,
    last: l && {
      status: l.status, at: l.at,
      why: 'why' in l ? l.why.map((r) => r.text) : [], roots: 'roots' in l ? l.roots : [],
      cutOff: 'cutOff' in l ? l.cutOff : undefined,
      lastRan: l.lastRan && { at: l.lastRan.at, why: l.lastRan.why.map((r) => r.text), roots: l.lastRan.roots },
    },
    record: rec && { key: rec.key, ms: rec.ms, at: rec.at, node: rec.node, workflow: rec.workflow, machine: rec.machine },
    outputsOf, outputs,
  };
}
