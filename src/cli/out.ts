// Writing a run's outputs to a folder (the workflow's "out", or --out DIR): every output of
// every node that ran or hit, as DIR/<node>.<port>.csv (tables, matrices) or .json (models,
// JSON, reports); a report's files also go to DIR/<node>/<file name>.
//
// The folder is written as a unit. DIR/.flow-out.json (the manifest) records, per output, the
// artifact hash it was written from and each file's size, mtime and sha256. One export at a
// time per folder (the lock DIR/.flow-out.lock); before it changes anything, an export writes
// DIR/.flow-out.incomplete and removes it only after the new manifest is in place, so a
// manifest is trusted only when no marker is there. Trusted, a file whose size and mtime are
// those recorded is up to date (a warm run reads no file and takes no lock); otherwise (a
// marker left by a killed or failed export, an edited file) a file is up to date only when its
// content has the recorded sha256. Files are written to a temp file in DIR and renamed into
// place. Files of the manifest that the workflow no longer produces (a node removed, or one
// that failed or was skipped in this run) are removed; files of nodes this run did not cover
// (--only) are kept. Nothing outside the manifest is ever removed.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plan } from '../graph/plan.js';
import type { Store, OutputRef } from '../graph/store.js';
import { decode, exportFiles, exportText } from '../graph/codec.js';
import { sha256 } from '../graph/hash.js';
import { withLockAt } from '../graph/lock.js';
import { FlowError } from '../errors.js';

export const MANIFEST = '.flow-out.json';
export const INCOMPLETE = '.flow-out.incomplete';
const LOCK = '.flow-out';
const TMP_PREFIX = '.flow-tmp-';

interface FileEntry { size: number; mtimeMs: number; sha256: string }
interface OutputEntry { hash: string; files: Record<string, FileEntry> }
export interface OutManifest { version: 2; workflow: string; sets: Record<string, unknown>; outputs: Record<string, OutputEntry>;
  /** matrix copies: node id -> the file name its outputs have (fileBase) */
  names?: Record<string, string> }

export interface ExportResult { dir: string; written: number; unchanged: number; removed: number; files: number; otherWorkflow?: string }

/** A file name from a node id, with no path separators. */
const safe = (s: string) => s.replace(/[/\\\0]/g, '_');

/**
 * The file name of a node's outputs: its id, except that a matrix copy's `[k=v,...]` (which
 * shells glob and quote) becomes `--k-v...`: `fe_ris[delta=0.096]` -> `fe_ris--delta-0.096`,
 * `fe[delta=0.09,winsor=[0.01,0.99]]` -> `fe--delta-0.09--winsor-0.01-0.99`. The manifest's
 * "names" maps each such id to its name.
 */
export function fileBase(id: string): string {
  const i = id.indexOf('[');
  if (i <= 0 || !id.endsWith(']')) return safe(id);
  const inner = id.slice(i + 1, -1);
  const pairs: string[] = [];
  let depth = 0, cur = '';
  for (const ch of inner) {
    if (ch === '[' || ch === '{') depth++;
    if (ch === ']' || ch === '}') depth--;
    if (ch === ',' && depth === 0) { pairs.push(cur); cur = ''; } else cur += ch;
  }
  pairs.push(cur);
  const clean = (v: string) => v.replace(/[[\]{}"'\s]/g, '').replace(/[,=:]+/g, '-').replace(/[^A-Za-z0-9._+-]/g, '_') || '_';
  return safe(id.slice(0, i)) + pairs.map((p) => { const j = p.indexOf('='); return `--${clean(p.slice(0, j))}-${clean(p.slice(j + 1))}`; }).join('');
}

/** Node id -> file name for a plan; two ids with one name (values that differ only in the dropped characters) get a hash suffix. */
export function fileNames(ids: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>(), taken = new Set<string>();
  for (const id of ids) {
    let b = fileBase(id);
    if (taken.has(b)) b = `${b}--${sha256(Buffer.from(id, 'utf8')).slice(0, 8)}`;
    taken.add(b); out.set(id, b);
  }
  return out;
}

const isObj = (x: unknown): x is Record<string, any> => !!x && typeof x === 'object' && !Array.isArray(x);

/** The manifest, if readable. A version 1 manifest (sizes only) gives the names of the files
 * it wrote (for removal) but no entry it could be trusted for. */
function readManifest(dir: string): { m?: OutManifest; text?: string } {
  try {
    const text = readFileSync(join(dir, MANIFEST), 'utf8');
    const m = JSON.parse(text);
    if (!isObj(m) || !isObj(m.outputs) || typeof m.workflow !== 'string') return {};
    const outputs: Record<string, OutputEntry> = {};
    for (const [name, e] of Object.entries(m.outputs)) {
      if (!isObj(e) || typeof e.hash !== 'string' || !isObj(e.files)) continue;
      const files: Record<string, FileEntry> = {};
      for (const [rel, f] of Object.entries(e.files)) files[rel] = m.version === 2 && isObj(f) ? f as FileEntry : { size: -1, mtimeMs: -1, sha256: '' };
      outputs[name] = { hash: e.hash, files };
    }
    return { m: { version: 2, workflow: m.workflow, sets: isObj(m.sets) ? m.sets : {}, outputs }, text };
  } catch { return {}; }
}

const fileSha = (p: string) => { try { return sha256(readFileSync(p)); } catch { return ''; } };

/**
 * Writes the outputs of the nodes in `keys` (node id -> cache key, for nodes that ran or hit)
 * to `dir`. `covered`: the node ids this run was about (ran, hit, failed, skipped); entries of
 * other nodes still in the plan are kept as they are. When the folder is already up to date
 * (the common warm run) nothing is written and no lock taken; otherwise the export runs again
 * under the folder's lock.
 */
export async function exportOutputs(plan: Plan, store: Store, keys: Map<string, string>, dir: string, covered?: Iterable<string>, wait: { onWait?: () => void } = {}): Promise<ExportResult> {
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const scope = new Set(covered ?? plan.order);
  const dry = await exportTo(plan, store, keys, dir, scope, false);
  if (dry) return dry;
  return withLockAt(join(dir, LOCK), `the out folder ${dir}`, async () => (await exportTo(plan, store, keys, dir, scope, true))!, wait);
}

/** One export; with `write` false, the result when there is nothing to write, else undefined. */
async function exportTo(plan: Plan, store: Store, keys: Map<string, string>, dir: string, scope: Set<string>, write: boolean): Promise<ExportResult | undefined> {
  const marker = join(dir, INCOMPLETE);
  const trust = !existsSync(marker);
  if (!trust && !write) return undefined;
  const { m: prev, text: prevText } = readManifest(dir);
  const sameWorkflow = !prev || prev.workflow === plan.rel;
  const old = prev?.outputs ?? {};
  const res: ExportResult = { dir, written: 0, unchanged: 0, removed: 0, files: 0, ...(sameWorkflow ? {} : { otherWorkflow: prev!.workflow }) };
  const next: Record<string, OutputEntry> = {};
  const inside = (rel: string) => { const r = relative(dir, resolve(dir, rel)); return r !== '' && !r.startsWith('..') && !r.startsWith(sep) && !r.includes('\0'); };

  let marked = false;
  /** before the first change: the marker (the manifest is not to be trusted until it is gone) */
  const mark = () => { if (!marked) { writeFile(dir, INCOMPLETE, `${process.pid}\n`); marked = true; } };
  const put = (rel: string, content: string | Uint8Array): FileEntry => {
    mark();
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    writeFile(dir, rel, bytes);
    return { size: bytes.byteLength, mtimeMs: statSync(join(dir, rel)).mtimeMs, sha256: sha256(bytes) };
  };
  const upToDate = (e: OutputEntry | undefined, ref: OutputRef) => {
    if (!e || e.hash !== ref.hash) return false;
    for (const [rel, f] of Object.entries(e.files)) {
      let st;
      try { st = statSync(join(dir, rel)); } catch { return false; }
      if (st.size !== f.size) return false;
      if (trust && st.mtimeMs === f.mtimeMs) continue;
      if (fileSha(join(dir, rel)) !== f.sha256) return false;
    }
    return true;
  };

  const names = fileNames(plan.order);
  for (const id of plan.order) {
    const key = keys.get(id);
    if (!key) continue;
    const rec = store.getRecord(key);
    if (!rec) throw new FlowError('cache', `the result of ${id} is no longer in the cache (removed while this run was writing its outputs?); run again`, { node: id });
    for (const [port, ref] of Object.entries(rec.outputs)) {
      const name = `${id}.${port}`;
      const e = old[name];
      const base = names.get(id)!;
      // up to date, and under the file name it has now (a folder written before matrix names were made safe is renamed)
      if (upToDate(e, ref) && Object.keys(e!.files).every((f) => f.startsWith(`${base}.`) || f.startsWith(`${base}/`))) { next[name] = e!; res.unchanged += Object.keys(e!.files).length; continue; }
      if (!write) return undefined;
      const v = await decode(ref.type, store.getObject(ref.hash));
      const { ext, text } = await exportText(ref.type, v);
      const files: Record<string, FileEntry> = {};
      const main = `${names.get(id)!}.${port}.${ext}`;
      files[main] = put(main, text);
      for (const [f, content] of Object.entries(exportFiles(ref.type, v))) {
        const rel = `${names.get(id)!}/${basename(f)}`;
        files[rel] = put(rel, content);
      }
      res.written += Object.keys(files).length;
      next[name] = { hash: ref.hash, files };
    }
  }
  // entries of nodes still in the workflow that this run did not cover (--only): kept
  for (const [name, e] of Object.entries(old)) {
    if (name in next) continue;
    const id = name.slice(0, name.lastIndexOf('.'));
    if (sameWorkflow && plan.nodes.has(id) && !scope.has(id)) next[name] = e;
  }
  // files the workflow no longer produces (never outside the manifest, nor another workflow's)
  const live = new Set(Object.values(next).flatMap((e) => Object.keys(e.files)));
  if (sameWorkflow) {
    const dirs = new Set<string>();
    for (const e of Object.values(old)) for (const rel of Object.keys(e.files)) {
      if (live.has(rel) || !inside(rel) || !existsSync(join(dir, rel))) continue;
      if (!write) return undefined;
      mark();
      try { rmSync(join(dir, rel)); res.removed++; } catch { /* already gone */ }
      if (rel.includes('/')) dirs.add(join(dir, dirname(rel)));
    }
    for (const d of dirs) { try { rmdirSync(d); } catch { /* not empty */ } }
  }
  res.files = live.size;
  const renamed = Object.fromEntries([...names].filter(([id, b]) => id !== b && Object.keys(next).some((n) => n.startsWith(`${id}.`))));
  const manifest: OutManifest = { version: 2, workflow: plan.rel, sets: plan.sets, outputs: Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    ...(Object.keys(renamed).length ? { names: renamed } : {}) };
  const text = JSON.stringify(manifest, null, 1) + '\n';
  if (text !== prevText) {
    if (!write) return undefined;
    mark();
    writeFile(dir, MANIFEST, text);
  }
  if (!write) return res;
  // temp files left by a killed run (older than 10 minutes: a younger one may be in use)
  try {
    const old10 = Date.now() - 10 * 60_000;
    for (const f of readdirSync(dir)) if (f.startsWith(TMP_PREFIX)) { const p = join(dir, f); try { if (statSync(p).mtimeMs < old10) rmSync(p, { force: true }); } catch { /* gone */ } }
  } catch { /* unreadable: nothing to clean */ }
  rmSync(marker, { force: true }); // last: the folder and its manifest agree
  return res;
}

/** Writes DIR/rel through a temp file in DIR, renamed into place. */
function writeFile(dir: string, rel: string, content: string | Uint8Array): void {
  const target = join(dir, rel);
  const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  writeFileSync(tmp, content);
  try {
    mkdirSync(dirname(target), { recursive: true });
    renameSync(tmp, target);
  } catch (e) { rmSync(tmp, { force: true }); throw e; }
}

/** One line for the terminal: what was written where. */
export function describeExport(r: ExportResult): string {
  const where = relative(process.cwd(), r.dir) || '.';
  const parts = [r.written ? `wrote ${r.written} file${r.written === 1 ? '' : 's'} to ${where}` : `${where}: ${r.files} file${r.files === 1 ? '' : 's'} up to date`];
  if (r.written && r.unchanged) parts.push(`${r.unchanged} unchanged`);
  if (r.removed) parts.push(`removed ${r.removed} no longer produced`);
  let s = parts.length > 1 ? `${parts[0]} (${parts.slice(1).join(', ')})` : parts[0];
  if (r.otherWorkflow) s += `; the folder was last written by ${r.otherWorkflow}: its other files were left in place`;
  return s;
}
