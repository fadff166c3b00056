// Hashing: canonical JSON, sha256, and content hashes of the files nodes read.
// File hashes are keyed on content; a stat cache (size + mtime + inode) only saves
// re-reading a file that has not changed since it was last hashed.
import { createHash } from 'node:crypto';
import { close, closeSync, fstatSync, open, openSync, read, readSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { configure } from 'safe-stable-stringify';
import { readWhole } from '../io/read.js';

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

export interface StatEntry { size: number; mtime: string; ino: number; sha256: string }
export type StatCache = Record<string, StatEntry>;

/** Files up to this size that are hashed with `keep` are read whole and their bytes kept
 * (2 GiB: a 10M-row CSV is ~700 MB, and its node reads it whole anyway). */
export const KEEP_MAX_BYTES = 2 ** 31;

/**
 * Content hash of a file, or of a directory (sorted relative paths + content hashes,
 * recursively). `stats` is read and updated; `dirty.value` is set when it changed.
 * `keep`: a file (not a directory's contents) of at most KEEP_MAX_BYTES that has to be read
 * is read whole (into shared memory, see readWhole) and its bytes stored under `abs`: the
 * exact bytes the returned hash is of, so a node can use them instead of reading again.
 */
export function hashPath(abs: string, stats: StatCache, dirty: { value: boolean }, keep?: Map<string, Buffer>): string {
  const st = statSync(abs, { bigint: true });
  if (st.isDirectory()) {
    const h = createHash('sha256').update('dir\0');
    for (const f of listFiles(abs)) {
      h.update(relative(abs, f).split(sep).join('/')).update('\0');
      h.update(hashPath(f, stats, dirty)).update('\0');
    }
    return h.digest('hex');
  }
  const size = Number(st.size);
  const mtime = st.mtimeNs.toString();
  const ino = Number(st.ino);
  const prev = stats[abs];
  if (prev && prev.size === size && prev.mtime === mtime && prev.ino === ino) return prev.sha256;
  let digest: string;
  if (keep && size <= KEEP_MAX_BYTES) {
    const bytes = readWhole(abs);
    digest = sha256(bytes);
    keep.set(abs, bytes);
  } else digest = hashFile(abs);
  stats[abs] = { size, mtime, ino, sha256: digest };
  dirty.value = true;
  return digest;
}

/**
 * hashPath with `keep`, for the scheduler: a file that has to be read (not a stat-cache hit,
 * not a directory, at most KEEP_MAX_BYTES) is read on libuv's thread pool in pieces while
 * this thread hashes the pieces already read, so reading and hashing overlap (a 68 MB CSV:
 * ~80 ms instead of ~125 ms one after the other). The bytes go into `keep` as in hashPath.
 */
export async function hashPathKeep(abs: string, stats: StatCache, dirty: { value: boolean }, keep: Map<string, Buffer>): Promise<string> {
  const st = statSync(abs, { bigint: true });
  const size = Number(st.size);
  if (st.isDirectory() || size > KEEP_MAX_BYTES) return hashPath(abs, stats, dirty);
  const mtime = st.mtimeNs.toString();
  const ino = Number(st.ino);
  const prev = stats[abs];
  if (prev && prev.size === size && prev.mtime === mtime && prev.ino === ino) return prev.sha256;
  const { digest, bytes } = await readAndHash(abs);
  keep.set(abs, bytes);
  stats[abs] = { size, mtime, ino, sha256: digest };
  dirty.value = true;
  return digest;
}

const PIECE = 4 << 20;

/** A whole file (as readWhole gives it) and its sha256, the reads on the thread pool (two
 * pieces in flight) overlapping the hashing of the pieces read. */
async function readAndHash(abs: string): Promise<{ digest: string; bytes: Buffer }> {
  const fd = await new Promise<number>((res, rej) => open(abs, 'r', (e, f) => (e ? rej(e) : res(f))));
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(new SharedArrayBuffer(size));
    const h = createHash('sha256');
    const readAt = (off: number) => new Promise<number>((res, rej) =>
      read(fd, out, off, Math.min(PIECE, size - off), off, (e, n) => (e ? rej(e) : res(n))));
    // pieces are fixed ranges; a short read (the file shrank) ends the content there
    const pending: Promise<number>[] = [];
    let next = 0;
    const issue = () => { if (next < size) { pending.push(readAt(next)); next += PIECE; } };
    issue(); issue();
    let off = 0;
    while (pending.length) {
      const got = await pending.shift()!;
      if (got <= 0) break;
      h.update(out.subarray(off, off + got));
      off += got;
      if (got < Math.min(PIECE, size - (off - got))) break;
      issue();
    }
    await Promise.allSettled(pending);
    return { digest: h.digest('hex'), bytes: Buffer.from(out.buffer, 0, off) };
  } finally {
    close(fd, () => {});
  }
}

let chunk: Buffer | undefined;

/** sha256 of a file's content, read in 1 MiB pieces into one reused buffer: no file-sized
 * allocation (a 68 MB CSV hashed this way takes ~2/3 of the time of readFileSync + hash). */
export function hashFile(abs: string): string {
  chunk ??= Buffer.allocUnsafe(1 << 20);
  const h = createHash('sha256');
  const fd = openSync(abs, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) h.update(chunk.subarray(0, n));
  } finally { closeSync(fd); }
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
