// flow read [workflow] <node>[.<port>]: prints one output from the cache by node name, as
// targets' tar_read does: a table as CSV (--head N: its first N rows), a model as JSON, a
// table node's report as its Markdown (--file NAME: another of its files), a matrix as CSV;
// --json prints the value as JSON. Without a workflow, the workflow of the most recent run on
// the cache (with that run's --set overrides). The output read is the one the workflow gives
// now (a cache hit); a node that is stale shows its last run's output, saying so on stderr.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../errors.js';
import { openStore, openWorkflow, type WorkflowOpts } from './common.js';
import { assess, lastFingerprint } from '../graph/fingerprint.js';
import { ancestorsOf } from '../graph/scheduler.js';
import { decode, exportText } from '../graph/codec.js';
import { closest, projectRoot } from '../graph/load.js';
import { readJournal } from '../graph/journal.js';
import type { Plan, PlanNode } from '../graph/plan.js';
import type { CacheRecord, Store } from '../graph/store.js';
import type { Report } from '../ports/index.js';

export interface ReadOpts extends WorkflowOpts { head?: string; json?: boolean; file?: string }

const looksLikeWorkflow = (s: string) => s.endsWith('.json') || (s.includes('/') && !s.includes('[') && existsSync(s));

export async function readCommand(first: string, second: string | undefined, o: ReadOpts): Promise<void> {
  let wf: string, spec: string;
  if (second !== undefined) { wf = first; spec = second; }
  else if (looksLikeWorkflow(first)) throw new FlowError('validate', `name a node to read: flow read ${first} <node>[.<port>]`);
  else { spec = first; wf = await lastWorkflow(o); }
  const head = o.head === undefined ? undefined : Number(o.head);
  if (head !== undefined && !(Number.isInteger(head) && head >= 0)) throw new FlowError('validate', `--head ${o.head}: expected a whole number of rows, e.g. --head 5`);

  const { plan, store } = await openWorkflow(wf, o);
  const { node, port } = resolveSpec(plan, spec);
  const rec = await recordOf(plan, store, node, wf + (o.cache ? ` --cache ${o.cache}` : ''));
  const ref = rec.outputs[port];
  if (!ref) throw new FlowError('cache', `the cached result of ${node.id} has no output ${port}; run \`flow run ${wf}\` again`);
  const value = await decode(ref.type, store.getObject(ref.hash));
  if (head !== undefined && ref.type !== 'table') throw new FlowError('validate', `--head is for tables; ${node.id}.${port} is a ${ref.type}`);
  process.stdout.write(await show(value, ref.type, node, port, head, o));
}

/** The workflow of the most recent run on this cache (the journal's last entry), with its --set overrides. */
async function lastWorkflow(o: ReadOpts): Promise<string> {
  const store = openStore(o.cache, undefined, o.localCache);
  const runs = await readJournal(store.dir);
  const last = runs.at(-1);
  if (!last) throw new FlowError('validate', `no run is recorded in ${store.dir}, so there is no default workflow: name one, flow read <workflow> <node>`);
  const file = join(projectRoot(join(process.cwd(), 'x')), last.workflow);
  if (!o.set?.length) o.set = Object.entries(last.sets).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  const sets = o.set.length ? ` ${o.set.map((s) => `--set ${s}`).join(' ')}` : '';
  process.stderr.write(`reading from ${last.workflow}${sets} (the last run on this cache, ${last.at})\n`);
  return file;
}

/** "node", "node.port", "node[delta=0.096].port" -> the plan node and port. */
export function resolveSpec(plan: Plan, spec: string): { node: PlanNode; port: string } {
  const close = spec.lastIndexOf(']');
  const dot = spec.indexOf('.', close < 0 ? 0 : close);
  const id = dot < 0 ? spec : spec.slice(0, dot);
  const portName = dot < 0 ? undefined : spec.slice(dot + 1);
  let node = plan.nodes.get(id);
  if (!node) {
    const copies = [...plan.nodes.values()].filter((n) => n.base === id);
    if (copies.length === 1) node = copies[0];
    else if (copies.length > 1) {
      throw new FlowError('validate', `${id} has ${copies.length} matrix copies; name one, quoted: ${copies.slice(0, 4).map((c) => `'${c.id}'`).join(', ')}${copies.length > 4 ? ', ...' : ''}`, { file: plan.file });
    } else {
      const bases = [...new Set([...plan.nodes.values()].map((n) => n.base))];
      const near = closest(id, [...new Set([...bases, ...plan.nodes.keys()])]);
      throw new FlowError('validate', `no node ${id}${near.length ? ` (did you mean ${near.map((x) => `"${x}"`).join(' or ')}?)` : ''}; \`flow graph ${plan.rel}\` shows every node`, { file: plan.file });
    }
  }
  const outs = Object.keys(node.def.outputs);
  if (portName === undefined) {
    if (outs.length === 1) return { node, port: outs[0] };
    throw new FlowError('validate', `${node.id} has outputs ${outs.join(', ')}: name one, e.g. flow read ${plan.rel} ${quote(node.id)}.${outs[0]}`, { file: plan.file });
  }
  if (!outs.includes(portName)) {
    const near = closest(portName, outs);
    throw new FlowError('validate', `${node.id} (${node.type}) has no output ${portName}${near.length ? ` (did you mean "${near[0]}"?)` : ''}; its outputs: ${outs.join(', ')}`, { file: plan.file });
  }
  return { node, port: portName };
}

const quote = (id: string) => (/[[\]=*?]/.test(id) ? `'${id}'` : id);

/** The node's result as the workflow gives it now, else its last run's result (stale), else an error saying how to run it. */
async function recordOf(plan: Plan, store: Store, node: PlanNode, wf: string): Promise<CacheRecord> {
  const a = assess(plan, store, await ancestorsOf(plan, [node.id])).get(node.id)!;
  if (a.fresh) return a.record;
  const runIt = `flow run ${wf}${Object.keys(plan.sets).length ? Object.entries(plan.sets).map(([k, v]) => ` --set ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join('') : ''} --only ${quote(node.id)}`;
  const last = lastFingerprint(a.last);
  const prev = a.last && (a.last.status === 'ran' || a.last.status === 'hit') ? store.getRecord(a.last.key) : undefined;
  if (last && prev) {
    process.stderr.write(`warning: ${node.id} is stale (${a.why.map((r) => r.text).join('; ')}); this is its output from the last run (${a.last!.at}); \`${runIt}\` brings it up to date\n`);
    return prev;
  }
  throw new FlowError('cache', `${node.id} has not been run on this cache (${store.dir}): run it with \`${runIt}\``, { file: plan.file, node: node.id });
}

async function show(value: unknown, type: string, node: PlanNode, port: string, head: number | undefined, o: ReadOpts): Promise<string> {
  if (type === 'table') {
    const t = value as { slice(a: number, b?: number): typeof t; toCSV(): string; numRows(): number; objects(o?: { limit?: number }): object[] };
    if (head !== undefined) process.stderr.write(`(the first ${Math.min(head, t.numRows())} of ${t.numRows()} rows)\n`);
    if (o.json) return JSON.stringify(head === undefined ? t.objects() : t.objects({ limit: head }), jsonSafe) + '\n';
    return (head === undefined ? t : t.slice(0, head)).toCSV().replace(/\n?$/, '\n');
  }
  if (type === 'report' && !o.json) {
    const r = value as Report;
    const files = Object.keys(r.files ?? {});
    const pick = o.file ?? files.find((f) => f.endsWith('.md'));
    if (pick && Object.hasOwn(r.files, pick)) return r.files[pick].replace(/\n?$/, '\n');
    const what = o.file ? `${node.id}.${port} has no file ${o.file}` : `${node.id}.${port} has no Markdown file`;
    throw new FlowError('validate', `${what}; its files: ${[...files, ...Object.keys(r.binary ?? {})].join(', ')}: choose one with --file NAME (or --json)`);
  }
  if (o.json) return JSON.stringify(value, jsonSafe, 2) + '\n';
  return (await exportText(type, value)).text;
}

/** NaN and infinities as null; typed arrays as lists. */
function jsonSafe(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  return v;
}
