// Fingerprints and the invalidation rules ("cues"). A fingerprint is everything that
// determines a node's outputs; its canonical-JSON hash is the node's cache key. Each cue
// compares one field of the previous and current fingerprint and names what changed.
// Deciding to run takes the first reason; `explain` lists them all.
import { canonical, sha256 } from './hash.js';

export type InputHash = string | null; // null: upstream has not run yet (unknown output)
export interface GatherItem { branch: Record<string, unknown>; hash: InputHash }

export interface Fingerprint {
  engine: number;
  type: string;
  version: number;
  /** params after $substitution and schema defaults */
  params: unknown;
  /** port -> artifact hash (one input), list (many), or branch-labelled list (a [*] gather) */
  inputs: Record<string, InputHash | InputHash[] | GatherItem[]>;
  /** project-relative path -> sha256 of content */
  files: Record<string, string>;
  /** sha256 of the plugin module that defines the node type (plugins only) */
  code?: string;
  /** sha256 of ctx.provenance (provenance nodes only) */
  provenance?: string;
}

export type CueName = 'new' | 'forced' | 'engine' | 'node-type' | 'node-version' | 'code' | 'params' | 'files' | 'inputs' | 'provenance' | 'evicted';

export interface Reason {
  cue: CueName;
  /** e.g. params.delta, files.data/x.csv, inputs.investment */
  field?: string;
  text: string;
  /** for `inputs`: the upstream node ids whose output changed */
  upstream?: string[];
}

export function fingerprintKey(fp: Fingerprint): string { return sha256(canonical(fp)); }

/** True when some input hash is unknown (an upstream node must run first). */
export function hasUnknownInputs(fp: Fingerprint): boolean {
  return Object.values(fp.inputs).some((v) => v === null || (Array.isArray(v) && v.some((x) => x === null || (typeof x === 'object' && x.hash === null))));
}

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

/** The ordered rule table. */
export const CUES: [CueName, Cue][] = [
  ['engine', (p, c) => (p.engine !== c.engine ? [{ cue: 'engine', text: `flow engine format ${p.engine} -> ${c.engine}` }] : [])],
  ['node-type', (p, c) => (p.type !== c.type ? [{ cue: 'node-type', field: 'uses', text: `node type ${p.type} -> ${c.type}` }] : [])],
  ['node-version', (p, c) => (p.version !== c.version ? [{ cue: 'node-version', text: `${c.type} version ${p.version} -> ${c.version}` }] : [])],
  ['code', (p, c) => (p.code !== c.code ? [{ cue: 'code', text: `plugin code of ${c.type} changed` }] : [])],
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
      const unknown = hasNull(b);
      out.push({ cue: 'inputs', field: `inputs.${port}`, upstream: ups,
        text: `input ${port} ${unknown ? 'will change (upstream must run)' : 'changed'} (${ups.join(', ') || 'unwired'})` });
    }
    return out;
  }],
  ['provenance', (p, c) => (p.provenance !== c.provenance ? [{ cue: 'provenance', text: 'provenance of ancestors changed' }] : [])],
];

function hasNull(v: unknown): boolean {
  if (v === null) return true;
  if (Array.isArray(v)) return v.some((x) => x === null || (x && typeof x === 'object' && (x as GatherItem).hash === null));
  return false;
}

/** Every reason the current fingerprint differs from the previous one (in cue order). */
export function reasons(prev: Fingerprint | null | undefined, cur: Fingerprint, upstreamOf: (port: string) => string[]): Reason[] {
  if (!prev) return [{ cue: 'new', text: 'no earlier run of this node in this workflow' }];
  const out: Reason[] = [];
  for (const [, cue] of CUES) out.push(...cue(prev, cur, upstreamOf));
  return out;
}

/**
 * Root causes of a node's reasons: its own non-input reasons ("params.delta 0.09 -> 0.096
 * changed node pim; deflate unchanged"), and for input reasons the root causes of the
 * upstream nodes, followed recursively (rootsOf gives an upstream node's roots).
 */
export function rootCauses(id: string, why: Reason[], rootsOf: (node: string) => string[], unchanged: string[] = []): string[] {
  const out = new Set<string>();
  const own = why.filter((r) => r.cue !== 'inputs');
  if (own.length) {
    const tail = unchanged.length ? `; ${unchanged.join(', ')} unchanged` : '';
    const special = own.find((r) => r.cue === 'new' || r.cue === 'forced' || r.cue === 'evicted');
    if (special?.cue === 'new') out.add(`${id} has no earlier run in this workflow${tail}`);
    else if (special?.cue === 'forced') out.add(`${id} was forced (--force)${tail}`);
    else if (special?.cue === 'evicted') out.add(`${id}: its cache entry is missing${tail}`);
    else out.add(`${own.map((r) => r.text).join(', ')} changed node ${id}${tail}`);
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
