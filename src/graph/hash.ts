// Hashing: canonical JSON, sha256, and content hashes of the files nodes read.
// File hashes are keyed on content; a stat cache (inputs.ts: trusted only when size, mtime,
// ctime, inode and device are unchanged and the entry is not racy) only saves re-reading a
// file that has not changed since it was last hashed.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { configure } from 'safe-stable-stringify';
import { readInput, readInputSync, statEntry, trusted, type InputBytes, type StatCache } from './inputs.js';

/** Bumped when the fingerprint or artifact format changes, or what nodes are handed for
 * an artifact (2: numeric table columns decode to typed arrays; 3: every fingerprint has the
 * code hash of its node type): every key changes with it. */
export const ENGINE_VERSION = 3;

const strict = configure({ strict: true, deterministic: true, circularValue: Error });
const lenient = configure({ deterministic: true, bigint: true });

/** Canonical JSON (sorted keys). Throws on NaN/Infinity/functions: used for params and fingerprints. */
export function canonical(value: unknown): string {
  return strict(value) ?? 'null';
}

/** Canonical JSON for artifacts: NaN/Infinity become null, as in JSON.stringify. */
export function canonicalLenient(value: unknown): string {
  return lenient(value) ?? 'null';
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export type { StatEntry, StatCache } from './inputs.js';

/**
 * Content hash of a declared input: a file, or a directory (sorted relative paths + content
 * hashes, recursively). Files are read through inputs.ts (special files and files over the
 * size limit refused). A file whose stat cache entry is trusted (inputs.ts) is not read,
 * unless `fresh`; otherwise its bytes are read whole and, with `keep`, kept under their path:
 * the exact bytes the returned hash is of, for the node to use (ctx.readFile). `stats` is
 * read and updated; `dirty.value` is set when it changed.
 */
export function hashPath(abs: string, stats: StatCache, dirty: StatUse, keep?: Map<string, Buffer>, fresh = false): string {
  if (statSync(abs).isDirectory()) return hashDir(abs, (f) => hashPath(f, stats, dirty, keep, fresh));
  const at = Date.now();
  if (!fresh) { const prev = stats[abs]; if (trusted(prev, statSync(abs, { bigint: true }))) { if (dirty.statHits !== undefined) dirty.statHits++; return prev.sha256; } }
  return remember(abs, readInputSync(abs), at, stats, dirty, keep);
}

/** hashPath with the reads on the thread pool, overlapping the hashing (inputs.ts readInput). */
export async function hashPathKeep(abs: string, stats: StatCache, dirty: StatUse, keep?: Map<string, Buffer>, fresh = false): Promise<string> {
  if (statSync(abs).isDirectory()) return hashDir(abs, (f) => hashPath(f, stats, dirty, keep, fresh));
  const at = Date.now();
  if (!fresh) { const prev = stats[abs]; if (trusted(prev, statSync(abs, { bigint: true }))) { if (dirty.statHits !== undefined) dirty.statHits++; return prev.sha256; } }
  return remember(abs, await readInput(abs), at, stats, dirty, keep);
}

/** Whether the stat cache changed (`value`), and how many hashes came from it (`statHits`, when counted). */
export interface StatUse { value: boolean; statHits?: number }

function remember(abs: string, r: InputBytes, at: number, stats: StatCache, dirty: StatUse, keep?: Map<string, Buffer>): string {
  keep?.set(abs, r.bytes);
  stats[abs] = statEntry(r.st, r.sha256, at);
  dirty.value = true;
  return r.sha256;
}

function hashDir(abs: string, hashOne: (f: string) => string): string {
  const h = createHash('sha256').update('dir\0');
  for (const f of listFiles(abs)) h.update(relative(abs, f).split(sep).join('/')).update('\0').update(hashOne(f)).update('\0');
  return h.digest('hex');
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue; // editor/OS litter must not change results
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
