// A shared cache in a directory (file:///abs/path: an NFS or Lustre mount that several machines
// see). Names map to files under the root; cas/ and ac/ are sharded by the first two characters
// of the name after the prefix (cas/abcdef… -> cas/ab/cdef…, as the local store does) so no
// folder holds millions of files; runs/ and anything else is flat. Every write goes to
// <root>/tmp/<unique> and is then linked or renamed into place, so a crash never leaves a half
// file and readers on other machines see a file whole or not at all. A write refused by the
// file system (EACCES, EROFS, EPERM: a read-only mount or someone else's folder) throws ReadOnly.
import { link, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowError } from '../errors.js';
import { ReadOnly, type Backend, type Entry } from './backend.js';

const SHARDED = ['cas/', 'ac/'];
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
/** deepest folder nesting list() follows below a prefix's top folder (names are 2 or 3 deep) */
const MAX_DEPTH = 8;

const code = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;
const refused = (e: unknown) => ['EACCES', 'EROFS', 'EPERM'].includes(code(e) ?? '');

export class SharedDirBackend implements Backend {
  readonly display: string;
  // temp file names: pid, a random tag per backend, a counter (unique across machines too)
  private tag = `${process.pid}-${randomBytes(6).toString('hex')}-`;
  private seq = 0;
  private made = new Set<string>();

  constructor(readonly root: string, private opts: { readOnly?: boolean } = {}) {
    this.display = pathToFileURL(root).href;
  }

  /** The file a name is stored in (names are checked: no `..`, no absolute paths). */
  path(name: string): string {
    const parts = name.split('/');
    if (!parts.every((p) => SEGMENT.test(p))) throw new Error(`not a cache entry name: ${JSON.stringify(name)}`);
    const pre = SHARDED.find((p) => name.startsWith(p));
    if (pre && parts.length === 2 && parts[1].length > 2) return join(this.root, pre, parts[1].slice(0, 2), parts[1].slice(2));
    return join(this.root, ...parts);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try { return await readFile(this.path(name)); } catch (e) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(code(e) ?? '')) return undefined;
      throw new FlowError('cache', `cannot read ${name} from the shared cache ${this.display}: ${(e as Error).message}`, {}, e);
    }
  }

  async has(name: string): Promise<boolean> {
    return (await stat(this.path(name)).catch(() => undefined))?.isFile() ?? false;
  }

  async put(name: string, bytes: Uint8Array, opts: { overwrite?: boolean } = {}): Promise<void> {
    if (this.opts.readOnly) throw new ReadOnly(this.display);
    const target = this.path(name);
    if (!opts.overwrite && await this.has(name)) return;
    const tmp = join(this.root, 'tmp', this.tag + (this.seq++).toString(36));
    try {
      await this.mkdir(dirname(tmp));
      await this.mkdir(dirname(target));
      await writeFile(tmp, bytes);
      if (opts.overwrite) await rename(tmp, target);
      else await placeNew(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if (refused(e)) throw new ReadOnly(this.display, e);
      throw new FlowError('cache', `cannot write ${name} to the shared cache ${this.display}: ${(e as Error).message}`, {}, e);
    }
  }

  private async mkdir(d: string): Promise<void> {
    if (this.made.has(d)) return;
    await mkdir(d, { recursive: true });
    this.made.add(d);
  }

  async *list(prefix: string): AsyncIterable<Entry> {
    // the top folder of the prefix ('cas/' -> cas); a prefix without a slash walks the root
    const slash = prefix.indexOf('/');
    const top = slash < 0 ? '' : prefix.slice(0, slash);
    for await (const [abs, rel] of walk(join(this.root, top), top, 0)) {
      if (rel.startsWith('tmp/')) continue;
      const name = SHARDED.some((p) => rel.startsWith(p)) ? unshard(rel) : rel;
      if (!name.startsWith(prefix)) continue;
      const st = await stat(abs).catch(() => undefined); // removed meanwhile
      if (st?.isFile()) yield { name, size: st.size, mtimeMs: st.mtimeMs };
    }
  }

  async remove(name: string): Promise<void> {
    if (this.opts.readOnly) throw new ReadOnly(this.display);
    try { await rm(this.path(name), { force: true }); } catch (e) {
      if (refused(e)) throw new ReadOnly(this.display, e);
      throw new FlowError('cache', `cannot remove ${name} from the shared cache ${this.display}: ${(e as Error).message}`, {}, e);
    }
  }

  async close(): Promise<void> { /* nothing held open */ }
}

/** Moves tmp to target unless target exists: a hard link fails with EEXIST when another writer
 * got there first (atomic, also over NFS); where links are not supported, a rename (a racing
 * writer of cas/ has written the same bytes). */
async function placeNew(tmp: string, target: string): Promise<void> {
  try {
    await link(tmp, target);
    await rm(tmp, { force: true });
  } catch (e) {
    if (code(e) === 'EEXIST') { await rm(tmp, { force: true }); return; }
    if (refused(e) && code(e) !== 'EPERM') throw e;
    await rename(tmp, target); // EPERM, ENOTSUP, ENOSYS: a file system without hard links
  }
}

/** cas/ab/cdef -> cas/abcdef (a file directly under cas/ keeps its name). */
function unshard(rel: string): string {
  const parts = rel.split('/');
  return parts.length === 3 ? `${parts[0]}/${parts[1]}${parts[2]}` : rel;
}

/** Files below dir: [absolute path, path relative to the root with '/']. */
async function* walk(dir: string, rel: string, depth: number): AsyncGenerator<[string, string]> {
  if (depth > MAX_DEPTH) return;
  let entries;
  try { entries = await readdir(dir, { withFileTypes: true }); } catch { return; }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) yield* walk(join(dir, e.name), r, depth + 1);
    else if (e.isFile()) yield [join(dir, e.name), r];
  }
}
