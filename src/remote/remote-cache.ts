// The shared cache as the scheduler, the coordinator and `flow worker` use it, over any Backend.
// Nothing from the bucket is trusted: every object downloaded is re-hashed, and every record is
// shape-checked and must carry the key it is filed under. A bad entry is a miss (the node is
// recomputed, never used) and is remembered, so that this process's next push overwrites it.
// Writes follow bazel-remote's order: objects (cas/) first, the record (ac/) last, so a visible
// record always has its objects. A read-only cache (readonly=1, or a write refused) is used for
// hits only: results stay in the local cache, with one warning per process.
import { randomBytes } from 'node:crypto';
import { sha256 } from '../graph/hash.js';
import { recordProblem } from '../graph/shapes.js';
import type { SharedCache } from '../graph/remote.js';
import type { CacheRecord, Store } from '../graph/store.js';
import type { JournalRun } from '../graph/journal.js';
import { ReadOnly, type Backend } from './backend.js';

/** What crossed the wire: cas/ objects only (records and run entries are a few hundred bytes
 * each and not counted). A download is counted even when it then proves corrupt. */
export interface Moved { down: number; downBytes: number; up: number; upBytes: number }

export interface RemoteCacheOptions {
  /** use the cache for hits only: push and recordRun do nothing, putObject/putRecord/ensureObject throw ReadOnly */
  readOnly?: boolean;
  /** where warnings go (default: stderr, "warning: …") */
  warn?: (message: string) => void;
}

/** downloads of run entries at once (runs()) */
const PARALLEL = 16;

const short = (h: string) => h.slice(0, 12);
const unique = (xs: string[]) => [...new Set(xs)];

export class RemoteCache implements SharedCache {
  readonly moved: Moved = { down: 0, downBytes: 0, up: 0, upBytes: 0 };
  /** objects found missing or corrupt in the bucket: the next upload overwrites them */
  private corrupt = new Set<string>();
  /** objects known to be in the bucket (this process saw or wrote them) */
  private present = new Set<string>();
  // one transfer per object at a time (concurrent pulls and pushes share it)
  private uploads = new Map<string, Promise<void>>();
  private downloads = new Map<string, Promise<Uint8Array | 'missing' | 'corrupt'>>();
  private warned = new Set<string>();
  private readOnly: boolean;
  private warnFn: (message: string) => void;

  constructor(readonly backend: Backend, private local?: Store, opts: RemoteCacheOptions = {}) {
    this.readOnly = opts.readOnly ?? false;
    this.warnFn = opts.warn ?? ((m) => process.stderr.write(`warning: ${m}\n`));
  }

  get display(): string { return this.backend.display; }

  /** The record of key with its objects copied into the local store, or undefined (a miss). */
  async pull(key: string): Promise<CacheRecord | undefined> {
    const local = this.need('pull');
    const rec = await this.getRecord(key);
    if (!rec) return undefined;
    const wanted = unique(Object.values(rec.outputs).map((o) => o.hash)).filter((h) => !local.hasObject(h));
    const got = await Promise.all(wanted.map((h) => this.download(h)));
    for (const [i, b] of got.entries()) {
      if (b === 'missing') this.warnOnce(`missing ${wanted[i]}`, `artifact ${short(wanted[i])} (node ${rec.node}) is missing from the shared cache ${this.display}: the node runs again`);
    }
    if (got.some((b) => typeof b === 'string')) return undefined;
    for (const b of got as Uint8Array[]) local.putObject(b);
    local.putRecord(rec);
    return rec;
  }

  /** Publishes a record of the local store: its objects first, then the record (replacing any). */
  async push(rec: CacheRecord): Promise<void> {
    const local = this.need('push');
    if (this.readOnly) return this.readOnlyWarning();
    try {
      await Promise.all(unique(Object.values(rec.outputs).map((o) => o.hash)).map((h) => this.upload(h, () => local.getObject(h))));
      await this.backend.put(`ac/${rec.key}.json`, Buffer.from(JSON.stringify(rec)), { overwrite: true });
    } catch (e) {
      if (!(e instanceof ReadOnly)) throw e;
      this.refused(e);
    }
  }

  /** An object's bytes (re-hashed), or undefined when the bucket lacks it or holds a corrupt copy. */
  async getObject(hash: string): Promise<Uint8Array | undefined> {
    const b = await this.download(hash);
    return typeof b === 'string' ? undefined : b;
  }

  /** Uploads bytes under their sha256 (returned), unless the bucket is known to hold them. */
  async putObject(bytes: Uint8Array): Promise<string> {
    const hash = sha256(bytes);
    await this.writing(() => this.upload(hash, () => bytes));
    return hash;
  }

  /** Whether the bucket holds the object (one known to be corrupt counts as absent). */
  async hasObject(hash: string): Promise<boolean> {
    if (this.corrupt.has(hash)) return false;
    if (this.present.has(hash)) return true;
    const there = await this.backend.has(`cas/${hash}`);
    if (there) this.present.add(hash);
    return there;
  }

  /** Uploads an object of the local store unless the bucket has it (inputs made here, before a worker needs them). */
  async ensureObject(hash: string): Promise<void> {
    const local = this.need('ensureObject');
    await this.writing(() => this.upload(hash, () => local.getObject(hash)));
  }

  /** The record filed under key when it is well-formed and carries that key (its objects are not checked). */
  async getRecord(key: string): Promise<CacheRecord | undefined> {
    const bytes = await this.backend.get(`ac/${key}.json`);
    if (!bytes) return undefined;
    let rec: unknown;
    let problem: string | undefined;
    try { rec = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')); problem = recordProblem(rec); } catch { problem = 'not JSON'; }
    if (!problem && (rec as CacheRecord).key !== key) problem = `it is the record of ${short((rec as CacheRecord).key)}`;
    if (problem) {
      this.warnOnce(`record ${key}`, `the shared cache ${this.display} has a broken record for key ${short(key)} (${problem}): not used`);
      return undefined;
    }
    return rec as CacheRecord;
  }

  /** Writes a record (replacing any); its objects must be in the bucket already. */
  async putRecord(rec: CacheRecord): Promise<void> {
    await this.writing(() => this.backend.put(`ac/${rec.key}.json`, Buffer.from(JSON.stringify(rec)), { overwrite: true }));
  }

  /** Adds a finished run to runs/ (nothing when the cache is read-only). */
  async recordRun(entry: JournalRun): Promise<void> {
    if (this.readOnly) return;
    const name = `runs/${entry.at.replace(/[^A-Za-z0-9._-]/g, '-')}-${randomBytes(4).toString('hex')}.json`;
    try { await this.backend.put(name, Buffer.from(JSON.stringify(entry))); } catch (e) {
      if (!(e instanceof ReadOnly)) throw e;
      this.refused(e);
    }
  }

  /** Every well-formed run entry in runs/, oldest first (malformed ones are skipped). */
  async runs(): Promise<JournalRun[]> {
    const names: string[] = [];
    for await (const e of this.backend.list('runs/')) if (e.name.endsWith('.json')) names.push(e.name);
    const out: JournalRun[] = [];
    for (let i = 0; i < names.length; i += PARALLEL) {
      await Promise.all(names.slice(i, i + PARALLEL).map(async (n) => {
        const b = await this.backend.get(n);
        if (!b) return; // removed meanwhile
        try { const r: unknown = JSON.parse(Buffer.from(b).toString('utf8')); if (isRun(r)) out.push(r); } catch { /* not JSON: skipped */ }
      }));
    }
    return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.uploads.values(), ...this.downloads.values()]);
    await this.backend.close();
  }

  // ---- internals ----

  private need(what: string): Store {
    if (!this.local) throw new Error(`RemoteCache.${what} needs a local store, and this one has none (a flow worker keeps nothing locally)`);
    return this.local;
  }

  /** Downloads and re-hashes an object; a missing or corrupt one is remembered (and a corrupt one warned of). */
  private download(hash: string): Promise<Uint8Array | 'missing' | 'corrupt'> {
    const running = this.downloads.get(hash);
    if (running) return running;
    const p = (async () => {
      const bytes = await this.backend.get(`cas/${hash}`);
      if (bytes) { this.moved.down++; this.moved.downBytes += bytes.byteLength; }
      if (bytes && sha256(bytes) === hash) { this.present.add(hash); this.corrupt.delete(hash); return bytes; }
      this.present.delete(hash);
      this.corrupt.add(hash);
      if (!bytes) return 'missing' as const;
      this.warnOnce(`corrupt ${hash}`, `artifact ${short(hash)} in the shared cache ${this.display} is corrupt (its bytes do not hash to its name): not used; the next upload of it replaces it`);
      return 'corrupt' as const;
    })().finally(() => this.downloads.delete(hash));
    this.downloads.set(hash, p);
    return p;
  }

  /** Uploads an object unless the bucket has it (asked once per process). A remembered corrupt
   * copy is overwritten. An absent one is written with overwrite too: under cas/ a racing writer
   * writes the same bytes, so this saves the HEAD a put without overwrite would repeat. */
  private upload(hash: string, bytes: () => Uint8Array): Promise<void> {
    const running = this.uploads.get(hash);
    if (running) return running;
    const p = (async () => {
      if (await this.hasObject(hash)) return;
      const b = bytes();
      await this.backend.put(`cas/${hash}`, b, { overwrite: true });
      this.moved.up++;
      this.moved.upBytes += b.byteLength;
      this.corrupt.delete(hash);
      this.present.add(hash);
    })().finally(() => this.uploads.delete(hash));
    this.uploads.set(hash, p);
    return p;
  }

  /** A write the caller asked for explicitly: ReadOnly when the cache is read-only (and remembered). */
  private async writing(write: () => Promise<void>): Promise<void> {
    if (this.readOnly) throw new ReadOnly(this.display);
    try { await write(); } catch (e) {
      if (e instanceof ReadOnly) this.readOnly = true;
      throw e;
    }
  }

  private refused(e: ReadOnly): void {
    this.readOnly = true;
    this.warnOnce('read-only', `${e.message}: results stay in the local cache`);
  }

  private readOnlyWarning(): void {
    this.warnOnce('read-only', `the shared cache ${this.display} is used read-only: results stay in the local cache`);
  }

  private warnOnce(id: string, message: string): void {
    if (this.warned.has(id)) return;
    this.warned.add(id);
    this.warnFn(message);
  }
}

/** Whether a parsed runs/ entry has a run's shape (what gc and flow log read of it). */
function isRun(x: unknown): x is JournalRun {
  if (!x || typeof x !== 'object' || Array.isArray(x)) return false;
  const r = x as Record<string, unknown>;
  const strs = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  return typeof r.at === 'string' && typeof r.workflow === 'string' && typeof r.ms === 'number' && typeof r.flow === 'string'
    && !!r.sets && typeof r.sets === 'object' && strs(r.ran) && strs(r.hit) && strs(r.failed) && strs(r.skipped);
}
