// `flow cache verify --recompute N [--seed S]`: re-runs N sampled node records and compares the
// hashes of their outputs with the recorded ones. A difference is a non-deterministic node type
// or a poisoned record (outputs that its fingerprint did not produce: a shared cache is written
// by many machines). The sample is deterministic: records ordered by sha256(seed + ':' + key),
// the first N. A record is re-run only when this build can reproduce its fingerprint: a node
// type of this build's catalogue with the same code hash, every file it read unchanged (each is
// hashed again from the project root, and the node reads exactly those bytes), every input
// object present (re-hashed) and of a known port type. Provenance nodes are skipped (the
// provenance their key is of is not in the record). Nothing is written to any cache.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FlowError } from '../errors.js';
import { hashPath, sha256 } from '../graph/hash.js';
import { decode } from '../graph/codec.js';
import { executeNode } from '../graph/execute.js';
import { projectRoot } from '../graph/load.js';
import { Store, type CacheRecord } from '../graph/store.js';
import { fingerprintKey, type GatherItem, type Fingerprint } from '../graph/fingerprint.js';
import type { InputSource } from '../graph/node.js';
import type { PortType } from '../graph/ports.js';
import { isRemoteUrl } from '../remote/backend.js';
import { catalog } from './common.js';

export const MAX_RECOMPUTE = 10_000;

export type RecomputeOpts = { cache?: string; localCache?: string; recompute: string; seed?: string; json?: boolean };

/** Where the records and objects come from: a local store, or a shared cache (read-only). */
interface Source {
  display: string;
  records(): Promise<CacheRecord[]>;
  /** the object's bytes, re-hashed; undefined when absent or corrupt */
  object(hash: string): Promise<Uint8Array | undefined>;
  close(): Promise<void>;
}

function localSource(store: Store): Source {
  return {
    display: store.dir,
    records: async () => [...store.records()].flatMap((r) => (r.rec && r.rec.key === r.key ? [r.rec] : [])),
    object: async (h) => { if (!store.hasObject(h)) return undefined; try { return store.getObject(h); } catch { return undefined; } },
    close: async () => {},
  };
}

async function sharedSource(url: string, localDir: string | undefined): Promise<Source> {
  const { openRemote } = await import('../remote/open.js');
  const { sharedRecords } = await import('./remote-gc.js');
  // no local layer for the RemoteCache (a pull would write to it); the local cache, when there
  // is one, is only read, before asking the shared one
  const remote = await openRemote(url, undefined, { readOnly: true });
  const local = localDir && existsSync(localDir) ? localSource(new Store(localDir)) : undefined;
  return {
    display: remote.backend.display,
    records: async () => (await sharedRecords(remote.backend)).flatMap((r) => (r.rec ? [r.rec] : [])),
    object: async (h) => (await local?.object(h)) ?? remote.getObject(h),
    close: () => remote.close(),
  };
}

/** The first n records in the order of sha256(seed + ':' + key). */
export function sampleRecords<T extends { key: string }>(recs: T[], n: number, seed: string): T[] {
  return recs.map((r) => ({ r, o: sha256(`${seed}:${r.key}`) })).sort((a, b) => (a.o < b.o ? -1 : a.o > b.o ? 1 : 0)).slice(0, n).map((x) => x.r);
}

export function parseCount(s: string): number {
  const n = Number(s);
  if (!/^\s*\d+\s*$/.test(s) || !Number.isInteger(n) || n < 1 || n > MAX_RECOMPUTE) {
    throw new FlowError('validate', `--recompute ${s}: expected a whole number of records from 1 to ${MAX_RECOMPUTE}`);
  }
  return n;
}

/** why a record is not re-run: `what` counts it in the summary, `reason` says it on its line */
class Skip { constructor(readonly what: string, readonly reason: string) {} }

type Outcome =
  | { kind: 'same' }
  | { kind: 'different'; diffs: string[] }
  | { kind: 'failed'; error: string }
  | { kind: 'skipped'; what: string; reason: string };

const short = (h: string) => h.slice(0, 12);

export async function recomputeCommand(o: RecomputeOpts): Promise<void> {
  const n = parseCount(o.recompute);
  const seed = o.seed ?? '1';
  const root = projectRoot(join(process.cwd(), 'x'));
  const src = isRemoteUrl(o.cache)
    ? await sharedSource(o.cache, o.localCache ?? join(root, 'cache'))
    : localSource(openLocal(o.cache ?? join(root, 'cache')));
  try {
    const all = await src.records();
    // the port type of every artifact any record produced (an input's type, for decoding it)
    const types = new Map<string, PortType>();
    for (const r of all) for (const x of Object.values(r.outputs)) types.set(x.hash, x.type);
    const sample = sampleRecords(all, n, seed);
    const cat = await catalog();
    const codes = await cat.codeHashes?.(sample.map((r) => r.fingerprint.type)) ?? {};
    const counts = { same: 0, different: 0, failed: 0, skipped: 0 };
    const why = new Map<string, number>();
    for (const rec of sample) {
      const out = await recomputeOne(rec, { root, types, src, get: cat.get, codes });
      const head = `${rec.node} ${rec.fingerprint.type} ${short(rec.key)}`;
      counts[out.kind]++;
      if (out.kind === 'same') process.stdout.write(`same ${head}\n`);
      else if (out.kind === 'different') process.stdout.write(`DIFFERENT ${head}: ${out.diffs.join('; ')}\n`);
      else if (out.kind === 'failed') process.stdout.write(`FAILED ${head}: ${out.error}\n`);
      else {
        process.stdout.write(`skipped ${head}: ${out.reason}\n`);
        why.set(out.what, (why.get(out.what) ?? 0) + 1);
      }
    }
    const reasons = [...why].map(([k, c]) => `${c} ${k}`).join(', ');
    process.stdout.write(`re-ran ${counts.same + counts.different + counts.failed} of ${sample.length} sampled records (of ${all.length} in ${src.display}, seed ${seed}): `
      + `${counts.same} same, ${counts.different} different, ${counts.failed} failed, ${counts.skipped} skipped${reasons ? ` (${reasons})` : ''}\n`);
    if (counts.different || counts.failed) process.exitCode = 1;
  } finally { await src.close(); }
}

/** The local cache as it is: nothing is created (a missing folder has no records). */
function openLocal(dir: string): Store {
  if (!existsSync(dir)) throw new FlowError('validate', `--cache ${dir}: no such cache folder`);
  return new Store(dir);
}

interface Ctx {
  root: string;
  types: Map<string, PortType>;
  src: Source;
  get: (type: string) => import('../graph/node.js').NodeDef<any> | undefined;
  codes: Record<string, string>;
}

async function recomputeOne(rec: CacheRecord, c: Ctx): Promise<Outcome> {
  const fp: Fingerprint = rec.fingerprint;
  let call: Awaited<ReturnType<typeof prepare>>;
  try { call = await prepare(rec, fp, c); } catch (e) {
    if (e instanceof Skip) return { kind: 'skipped', what: e.what, reason: e.reason };
    throw e;
  }
  let encoded;
  try { encoded = await executeNode(call); } catch (e) { return { kind: 'failed', error: ((e as Error)?.message ?? String(e)).split('\n')[0] }; }
  const diffs: string[] = [];
  for (const port of [...new Set([...Object.keys(rec.outputs), ...Object.keys(encoded)])].sort()) {
    const was = rec.outputs[port]?.hash, now = encoded[port] ? sha256(encoded[port].bytes) : undefined;
    if (was === now) continue;
    diffs.push(`port ${port} recorded ${was ? short(was) + '…' : '(none)'}, now ${now ? short(now) + '…' : '(none)'}`);
  }
  return diffs.length ? { kind: 'different', diffs } : { kind: 'same' };
}

async function prepare(rec: CacheRecord, fp: Fingerprint, c: Ctx) {
  if (fingerprintKey(fp) !== rec.key) throw new Skip('broken record', 'its fingerprint does not hash to its key (a broken record: `flow cache verify` names it)');
  if (fp.provenance !== undefined) throw new Skip('provenance node', 'a provenance node (the provenance its key is of is not in the record)');
  const def = c.get(fp.type);
  if (!def) throw new Skip('not in this build', `node type ${fp.type} is not in this build's catalogue (a plugin?)`);
  if (c.codes[fp.type] !== fp.code) throw new Skip('other code', `other code (recorded with another build of ${fp.type})`);
  // the files, from the project root: the node reads the bytes just hashed
  const files = new Map<string, Buffer>();
  for (const [rel, h] of Object.entries(fp.files ?? {})) {
    let now: string;
    try { now = hashPath(join(c.root, rel), {}, { value: false }, files, true); } catch (e) {
      throw new Skip('file unreadable', `file ${rel} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    if (now !== h) throw new Skip('file changed', `file ${rel} changed since`);
  }
  const value = async (port: string, h: string | null) => {
    if (h === null) throw new Skip('input unknown', `input ${port} has no recorded hash`);
    // the type it was recorded with as some record's output, else the port's when it takes one type
    const declared = (def.inputs as Record<string, { type: PortType | PortType[] }>)[port]?.type;
    const type = c.types.get(h) ?? (typeof declared === 'string' ? declared : undefined);
    if (!type) throw new Skip('input type unknown', `input ${port} ${short(h)}: its type is unknown (no record here has it as an output)`);
    const bytes = await c.src.object(h);
    if (!bytes) throw new Skip('input missing', `input ${port} ${short(h)}: object missing or corrupt`);
    return decode(type, bytes);
  };
  const inputs: Record<string, unknown> = {};
  const branches: Record<string, (Record<string, unknown> | undefined)[]> = {};
  for (const [port, v] of Object.entries(fp.inputs ?? {})) {
    if (!Array.isArray(v)) { inputs[port] = v === null ? undefined : await value(port, v); branches[port] = [undefined]; continue; }
    const items = v.map((x) => (x !== null && typeof x === 'object' ? x as GatherItem : { hash: x as string | null, branch: undefined }));
    inputs[port] = await Promise.all(items.map((x) => value(port, x.hash)));
    branches[port] = items.map((x) => x.branch);
  }
  // where each input came from: recorded for `sources: true` types, else placeholders (those
  // types may name them in error messages only)
  const sources: Record<string, InputSource[]> = {};
  for (const [port, bs] of Object.entries(branches)) {
    const named = fp.sources?.[port];
    sources[port] = bs.map((branch, i) => {
      const s = named?.[i];
      const dot = s ? s.lastIndexOf('.') : -1;
      const at = s && dot > 0 ? { node: s.slice(0, dot), port: s.slice(dot + 1) } : { node: `(input ${i + 1} of ${port})`, port };
      return branch && Object.keys(branch).length ? { ...at, branch } : at;
    });
  }
  return { def, nodeId: rec.node, file: join(c.root, rec.workflow), root: c.root, params: fp.params, inputs, sources, files };
}
