// The one place that decides whether a result can be re-used. A fingerprint is everything a
// node's outputs depend on: engine format, node type, version, the hash of the code it runs,
// params, its inputs' artifact hashes, its files' content hashes, and its ancestors'
// provenance where it asks for that. Its canonical-JSON hash is the node's cache key. The cue
// table compares one field of the previous and current fingerprint per rule and names what
// changed; `why` takes them in order and follows input changes up to their root cause.
// Run (scheduler.ts), status and explain (assess, below) and any future executor use this
// module alone to key and judge a node.
import { ENGINE_VERSION, canonical, hashPath, hashPathKeep, sha256, type StatCache, type StatUse } from './hash.js';
import { FlowError } from '../errors.js';
import { InputRefused } from './inputs.js';
import { relative, sep } from 'node:path';
import type { Plan, PlanNode } from './plan.js';
import type { Provenance, ProvenanceNode } from './node.js';
import { aboutOf } from './about.js';
import type { Store, CacheRecord, NodeState } from './store.js';

export type InputHash = string | null; // null: upstream has not run yet (unknown output)
export interface GatherItem { branch: Record<string, unknown>; hash: InputHash }

export interface Fingerprint {
  engine: number;
  type: string;
  version: number;
  /** hash of the code the node type runs (src/graph/code.ts; a plugin's module hash) */
  code: string;
  /** params after $substitution and schema defaults */
  params: unknown;
  /** port -> artifact hash (one input), list (many), or branch-labelled list (a [*] gather) */
  inputs: Record<string, InputHash | InputHash[] | GatherItem[]>;
  /** project-relative path -> sha256 of content */
  files: Record<string, string>;
  /** sha256 of ctx.provenance (provenance nodes only; null while an ancestor's key is unknown) */
  provenance?: string | null;
  /** port -> "node.port" of each input, in order (node types with `sources: true` only) */
  sources?: Record<string, string[]>;
}

export type CueName = 'new' | 'forced' | 'engine' | 'node-type' | 'node-version' | 'code' | 'params' | 'files' | 'inputs' | 'provenance' | 'sources' | 'evicted';

export interface Reason {
  cue: CueName;
  /** e.g. params.delta, files.data/x.csv, inputs.investment */
  field?: string;
  text: string;
  /** for `inputs`: the upstream node ids whose output changed */
  upstream?: string[];
}

export const fingerprintKey = (fp: Fingerprint): string => sha256(canonical(fp));

// ---- composing a fingerprint ----

/** Content hashes of the files a node reads (see hashPath: `keep` collects the bytes read, `fresh` ignores the stat cache). */
export function fileHashes(n: PlanNode, stats: StatCache, dirty: StatUse, keep?: Map<string, Buffer>, fresh = false): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of n.files) {
    try { out[f.rel] = hashPath(f.abs, stats, dirty, keep, fresh); } catch (e) { throw cannotRead(n, f, e); }
  }
  return out;
}

/** fileHashes with reading and hashing overlapped (hashPathKeep). */
export async function fileHashesKeep(n: PlanNode, stats: StatCache, dirty: StatUse, keep?: Map<string, Buffer>, fresh = false): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of n.files) {
    try { out[f.rel] = await hashPathKeep(f.abs, stats, dirty, keep, fresh); } catch (e) { throw cannotRead(n, f, e); }
  }
  return out;
}

function cannotRead(n: PlanNode, f: PlanNode['files'][number], e: unknown): FlowError {
  if (e instanceof InputRefused) {
    const rel = e.path === f.abs ? f.rel : `${f.rel}/${relative(f.abs, e.path).split(sep).join('/')}`;
    return new FlowError('data', `${rel} ${e.reason}`, { node: n.id, file: f.abs }, e);
  }
  return new FlowError('data', `cannot read ${f.rel} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); it was there when the workflow was validated`, { node: n.id, file: f.abs }, e);
}

/** The fingerprint of a node given its inputs' output hashes (null where unknown). */
export function fingerprint(n: PlanNode, outHash: (node: string, port: string) => InputHash, files: Record<string, string>, provenance?: string | null): Fingerprint {
  const inputs: Fingerprint['inputs'] = {};
  for (const [port, refs] of Object.entries(n.inputs)) {
    if (n.gathers.has(port)) inputs[port] = refs.map((r) => ({ branch: r.branch ?? {}, hash: outHash(r.node, r.port) }));
    else if (n.def.inputs[port]?.many) inputs[port] = refs.map((r) => outHash(r.node, r.port));
    else inputs[port] = refs.length ? outHash(refs[0].node, refs[0].port) : null;
  }
  const fp: Fingerprint = { engine: ENGINE_VERSION, type: n.type, version: n.def.version, code: n.code, params: n.params, inputs, files };
  if (n.def.provenance) fp.provenance = provenance ?? null;
  if (n.def.sources) fp.sources = Object.fromEntries(Object.entries(n.inputs).map(([port, refs]) => [port, refs.map((r) => `${r.node}.${r.port}`)]));
  return fp;
}

/** True when some input hash is unknown (an upstream node must run first). */
export function hasUnknownInputs(fp: Fingerprint): boolean {
  return fp.provenance === null || Object.values(fp.inputs).some(hasNull);
}

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some((x) => x === null || (x && typeof x === 'object' && (x as GatherItem).hash === null));
  return false;
}

/** Every ancestor of `n` (a provenance node): id, type, version, key, params, wiring and file hashes (keyOf/filesOf of this run), and the run's --set overrides, workflow params, matrix, and flow / Node versions and git commit (about.ts). */
export function provenanceOf(plan: Plan, n: PlanNode, keyOf: (id: string) => string, filesOf: (id: string) => Record<string, string>): Provenance {
  const nodes: ProvenanceNode[] = (n.ancestors ?? []).map((id) => {
    const a = plan.nodes.get(id)!;
    return {
      id, type: a.type, version: a.def.version, key: keyOf(id), params: a.params,
      inputs: Object.entries(a.inputs).flatMap(([port, refs]) => refs.map((r) => ({ port, from: `${r.node}.${r.port}` }))),
      files: Object.entries(filesOf(id)).map(([path, h]) => ({ path, sha256: h })),
    };
  });
  // the variant (--set overrides, effective params, matrix) and what it is made with (versions,
  // commit): in the key of the provenance node, so that its result may show them
  return { workflow: plan.rel, nodes, sets: plan.sets ?? {}, params: plan.params ?? {}, matrix: plan.matrix ?? {}, about: aboutOf(plan) };
}

/** The hash of a provenance for the fingerprint; null while some ancestor's key is unknown ('?'). */
export const provenanceHash = (p: Provenance): string | null => (p.nodes.some((x) => x.key === '?') ? null : sha256(canonical(p)));

// ---- the cue table ----

const show = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? v : canonical(v));

/** field-by-field differences of two JSON values, as [path, from, to] */
export function diffJson(a: unknown, b: unknown, path: string, out: [string, unknown, unknown][] = []): [string, unknown, unknown][] {
  const isObj = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
    for (const k of keys) diffJson((a as any)[k], (b as any)[k], `${path}.${k}`, out);
  } else if (canonical(a ?? null) !== canonical(b ?? null) || (a === undefined) !== (b === undefined)) {
    out.push([path, a, b]);
  }
  return out;
}

type Cue = (prev: Fingerprint, cur: Fingerprint, upstreamOf: (port: string) => string[]) => Reason[];

/** The ordered rule table: each rule compares the field it is named after. */
export const CUES: [CueName, Cue][] = [
  ['engine', (p, c) => (p.engine !== c.engine ? [{ cue: 'engine', text: `flow engine format ${p.engine} -> ${c.engine}` }] : [])],
  ['node-type', (p, c) => (p.type !== c.type ? [{ cue: 'node-type', field: 'uses', text: `node type ${p.type} -> ${c.type}` }] : [])],
  ['node-version', (p, c) => (p.version !== c.version ? [{ cue: 'node-version', text: `${c.type} version ${p.version} -> ${c.version}` }] : [])],
  ['code', (p, c) => (p.type === c.type && p.code !== c.code ? [{ cue: 'code', field: 'code', text: `code of node type ${c.type} changed` }] : [])],
  ['params', (p, c) => diffJson(p.params, c.params, 'params').map(([f, a, b]) => ({ cue: 'params', field: f, text: `${f} ${show(a)} -> ${show(b)}` }))],
  ['files', (p, c) => diffJson(p.files, c.files, 'files').map(([f, a, b]) => ({
    cue: 'files', field: f, text: a === undefined ? `file ${f.slice(6)} added` : b === undefined ? `file ${f.slice(6)} no longer read` : `file ${f.slice(6)} changed`,
  }))],
  ['inputs', (p, c, upstreamOf) => {
    const out: Reason[] = [];
    for (const port of [...new Set([...Object.keys(p.inputs), ...Object.keys(c.inputs)])].sort()) {
      const a = p.inputs[port], b = c.inputs[port];
      if (canonical(a ?? null) === canonical(b ?? null) && !hasNull(b)) continue;
      const ups = upstreamOf(port);
      out.push({ cue: 'inputs', field: `inputs.${port}`, upstream: ups,
        text: `input ${port} ${hasNull(b) ? 'will change (upstream must run)' : 'changed'} (${ups.join(', ') || 'unwired'})` });
    }
    return out;
  }],
  ['provenance', (p, c) => (p.provenance !== c.provenance ? [{ cue: 'provenance', text: 'provenance of ancestors changed' }] : [])],
  ['sources', (p, c) => diffJson(p.sources, c.sources, 'sources').map(([f, a, b]) => ({ cue: 'sources', field: f, text: `${f} ${show(a)} -> ${show(b)}` }))],
];

/** Every reason the current fingerprint differs from the previous one (in cue order). */
export function reasons(prev: Fingerprint | undefined, cur: Fingerprint, upstreamOf: (port: string) => string[]): Reason[] {
  if (!prev) return [{ cue: 'new', text: 'no earlier run of this node in this workflow' }];
  const out: Reason[] = [];
  for (const [, cue] of CUES) out.push(...cue(prev, cur, upstreamOf));
  return out;
}

/** Upstream node ids wired to a port (for reasons). */
export const upstreamOf = (n: PlanNode) => (port: string) => [...new Set((n.inputs[port] ?? []).map((r) => r.node))];

/**
 * Root causes of a node's reasons: its own non-input reasons ("params.delta 0.09 -> 0.096
 * changed node pim; deflate unchanged"), and for input reasons the root causes of the
 * upstream nodes, followed recursively (rootsOf gives an upstream node's roots).
 */
export function rootCauses(id: string, why: Reason[], rootsOf: (node: string) => string[], unchanged: string[] = []): string[] {
  const out = new Set<string>();
  const own = why.filter((r) => r.cue !== 'inputs');
  if (own.length) {
    const special = own.find((r) => r.cue === 'new' || r.cue === 'forced' || r.cue === 'evicted');
    // with no earlier run nothing is "unchanged": an upstream node that is new too is "new"
    const isNew = (u: string) => special?.cue === 'new' && rootsOf(u).some((x) => x.startsWith(`${u} has no earlier run`));
    const parts = [unchanged.filter(isNew), unchanged.filter((u) => !isNew(u))];
    const tail = [parts[0].length ? `; ${parts[0].join(', ')} new` : '', parts[1].length ? `${parts[0].length ? ',' : ';'} ${parts[1].join(', ')} unchanged` : ''].join('');
    if (special?.cue === 'new') out.add(`${id} has no earlier run in this workflow${tail}`);
    else if (special?.cue === 'forced') out.add(`${id} was forced (--force)${tail}`);
    else if (special?.cue === 'evicted') out.add(`${id}: its cache entry is missing${tail}`);
    // "file x changed" / "code of node type t changed" read as "... changed node id"
    else out.add(`${own.map((r) => r.text.replace(/ changed$/, '')).join(', ')} changed node ${id}${tail}`);
  }
  for (const r of why) if (r.cue === 'inputs') for (const u of r.upstream ?? []) for (const x of rootsOf(u)) out.add(x);
  return [...out];
}

/** Upstream nodes wired to ports that no `inputs` reason names. */
export function unchangedInputs(inputs: Record<string, { node: string }[]>, why: Reason[]): string[] {
  const changed = new Set(why.filter((r) => r.cue === 'inputs').map((r) => r.field!.slice('inputs.'.length)));
  const out = new Set<string>();
  for (const [port, refs] of Object.entries(inputs)) if (!changed.has(port)) for (const r of refs) out.add(r.node);
  return [...out];
}

/** The last fingerprint a node had in a workflow's run state (none after a failure or a skip). */
export const lastFingerprint = (s: NodeState | undefined): Fingerprint | undefined => (s && (s.status === 'ran' || s.status === 'hit') ? s.fingerprint : undefined);

/** Why a node that is not a hit must run, and the root causes (rootsOf: upstream nodes' roots). */
export function whyRun(n: PlanNode, prev: NodeState | undefined, fp: Fingerprint, forced: boolean, rootsOf: (node: string) => string[]): { why: Reason[]; roots: string[] } {
  let why: Reason[] = forced ? [{ cue: 'forced', text: `--force ${n.base}` }] : reasons(lastFingerprint(prev), fp, upstreamOf(n));
  if (!why.length) why = [{ cue: 'evicted', text: 'its cache entry is missing (gc or a new cache dir)' }];
  return { why, roots: rootCauses(n.id, why, rootsOf, unchangedInputs(n.inputs, why)) };
}

// ---- status without running ----

export type Assessment = {
  id: string;
  fingerprint: Fingerprint;
  /** what happened to this node in the last run of this workflow */
  last?: NodeState;
} & ({ fresh: true; key: string; record: CacheRecord } | { fresh: false; key: string | null; why: Reason[]; roots: string[] });

/**
 * Which nodes would hit and which would run, and why, without running anything. A node is
 * fresh when its key (from fresh inputs' recorded outputs) has a record. A node below a stale
 * one has unknown inputs: it is stale "because upstream must run" (it may still turn out a hit
 * by early cut-off), and its root causes are upstream's.
 */
export function assess(plan: Plan, store: Store, only?: Set<string>): Map<string, Assessment> {
  const prev = store.readState(plan.rel);
  const stats = store.readStats();
  const dirty = { value: false };
  const out = new Map<string, Assessment>();
  const files = new Map<string, Record<string, string>>();
  const recordOf = (u: string) => { const a = out.get(u); return a?.fresh ? a.record : undefined; };
  for (const id of plan.order) {
    if (only && !only.has(id)) continue;
    const n = plan.nodes.get(id)!;
    const fh = fileHashes(n, stats, dirty);
    files.set(id, fh);
    const prov = n.def.provenance ? provenanceHash(provenanceOf(plan, n, (u) => out.get(u)?.key ?? '?', (u) => files.get(u) ?? {})) : undefined;
    const fp = fingerprint(n, (u, port) => recordOf(u)?.outputs[port]?.hash ?? null, fh, prov);
    const key = hasUnknownInputs(fp) ? null : fingerprintKey(fp);
    const record = key ? store.getRecord(key) : undefined;
    const last = prev?.nodes[id];
    if (key && record) { out.set(id, { id, fresh: true, key, fingerprint: fp, record, last }); continue; }
    const { why, roots } = whyRun(n, last, fp, false, (u) => { const a = out.get(u); return a && !a.fresh ? a.roots : []; });
    out.set(id, { id, fresh: false, key, fingerprint: fp, why, roots, last });
  }
  if (dirty.value) store.writeStats(stats);
  return out;
}
