// Writing a run's outputs to a folder (the workflow's "out", or --out DIR): every output of
// every node that ran or hit, as DIR/<node>.<port>.csv (tables, matrices) or .json (models,
// JSON, reports); a report's files also go to DIR/<node>/<file name>.
//
// Incremental: DIR/.flow-out.json (the manifest) records, per output, the artifact hash it
// was written from and the files written with their sizes. An output whose artifact hash is
// unchanged and whose files all still exist with the recorded sizes is skipped, so a warm
// run decodes nothing and writes nothing. Files are written to a temp file in DIR and
// renamed into place. Files of the manifest that the workflow no longer produces (a node
// removed, or one that failed or was skipped in this run) are removed; files of nodes this
// run did not cover (--only) are kept. Nothing outside the manifest is ever removed.
import { mkdirSync, readFileSync, readdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Plan } from '../graph/plan.js';
import type { Store, OutputRef } from '../graph/store.js';
import { decode, exportFiles, exportText } from '../graph/codec.js';

export const MANIFEST = '.flow-out.json';
const TMP_PREFIX = '.flow-tmp-';

interface OutputEntry { hash: string; files: Record<string, number> }
export interface OutManifest { version: 1; workflow: string; outputs: Record<string, OutputEntry> }

export interface ExportResult { dir: string; written: number; unchanged: number; removed: number; files: number; otherWorkflow?: string }

/** A file name from a node id (matrix copies: `fe[delta=0.09]`), with no path separators. */
const safe = (s: string) => s.replace(/[/\\\0]/g, '_');

function readManifest(dir: string): { m?: OutManifest; text?: string } {
  try {
    const text = readFileSync(join(dir, MANIFEST), 'utf8');
    const m = JSON.parse(text);
    return m && m.version === 1 && typeof m.outputs === 'object' ? { m, text } : {};
  } catch { return {}; }
}

/**
 * Writes the outputs of the nodes in `keys` (node id -> cache key, for nodes that ran or hit)
 * to `dir`. `covered`: the node ids this run was about (ran, hit, failed, skipped); entries of
 * other nodes still in the plan are kept as they are.
 */
export async function exportOutputs(plan: Plan, store: Store, keys: Map<string, string>, dir: string, covered?: Iterable<string>): Promise<ExportResult> {
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const { m: prev, text: prevText } = readManifest(dir);
  const sameWorkflow = !prev || prev.workflow === plan.rel;
  const old = prev?.outputs ?? {};
  const scope = new Set(covered ?? plan.order);
  const res: ExportResult = { dir, written: 0, unchanged: 0, removed: 0, files: 0, ...(sameWorkflow ? {} : { otherWorkflow: prev!.workflow }) };
  const next: Record<string, OutputEntry> = {};
  const inside = (rel: string) => { const r = relative(dir, resolve(dir, rel)); return r !== '' && !r.startsWith('..') && !r.startsWith(sep) && !r.includes('\0'); };

  const write = (rel: string, content: string | Uint8Array): number => {
    const target = join(dir, rel);
    const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    writeFileSync(tmp, bytes);
    try {
      mkdirSync(dirname(target), { recursive: true });
      renameSync(tmp, target);
    } catch (e) { rmSync(tmp, { force: true }); throw e; }
    return bytes.byteLength;
  };
  const upToDate = (e: OutputEntry | undefined, ref: OutputRef) => {
    if (!e || e.hash !== ref.hash || !e.files || typeof e.files !== 'object') return false;
    for (const [rel, size] of Object.entries(e.files)) {
      try { if (statSync(join(dir, rel)).size !== size) return false; } catch { return false; }
    }
    return true;
  };

  for (const id of plan.order) {
    const key = keys.get(id);
    const rec = key && store.getRecord(key);
    if (!rec) continue;
    for (const [port, ref] of Object.entries(rec.outputs)) {
      const name = `${id}.${port}`;
      const e = old[name];
      if (upToDate(e, ref)) { next[name] = e; res.unchanged += Object.keys(e.files).length; continue; }
      const v = await decode(ref.type, store.getObject(ref.hash));
      const { ext, text } = await exportText(ref.type, v);
      const files: Record<string, number> = {};
      const main = `${safe(id)}.${port}.${ext}`;
      files[main] = write(main, text);
      for (const [f, content] of Object.entries(exportFiles(ref.type, v))) {
        const rel = `${safe(id)}/${basename(f)}`;
        files[rel] = write(rel, content);
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
    for (const e of Object.values(old)) for (const rel of Object.keys(e.files ?? {})) {
      if (live.has(rel) || !inside(rel)) continue;
      try { rmSync(join(dir, rel)); res.removed++; } catch { /* already gone */ }
      if (rel.includes('/')) dirs.add(join(dir, dirname(rel)));
    }
    for (const d of dirs) { try { rmdirSync(d); } catch { /* not empty */ } }
  }
  res.files = live.size;
  // temp files left by a killed run (older than 10 minutes: a younger one may be in use)
  try {
    const old10 = Date.now() - 10 * 60_000;
    for (const f of readdirSync(dir)) if (f.startsWith(TMP_PREFIX)) { const p = join(dir, f); try { if (statSync(p).mtimeMs < old10) rmSync(p, { force: true }); } catch { /* gone */ } }
  } catch { /* unreadable: nothing to clean */ }
  const manifest: OutManifest = { version: 1, workflow: plan.rel, outputs: Object.fromEntries(Object.entries(next).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  const text = JSON.stringify(manifest, null, 1) + '\n';
  if (text !== prevText) write(MANIFEST, text);
  return res;
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
