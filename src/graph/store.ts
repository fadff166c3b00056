// The cache directory. Every file is written once to tmp/ and renamed into place, so a
// crash (even SIGKILL) never leaves a half-written object or record, and two runs
// sharing the directory only ever race to write identical bytes under the same name.
//   objects/ab/cdef...      artifacts, named by the sha256 of their bytes
//   keys/ab/cdef....json    one record per node key: its fingerprint and output hashes
//   state/<sha>.json        the last run of each workflow (for status / explain / gc)
//   stat.json               size+mtime -> sha256 of input files (a hint, never a key)
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, write, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowError } from '../errors.js';
import { sha256, type StatCache } from './hash.js';
import type { PortType } from './ports.js';
import type { Fingerprint, Reason } from './fingerprint.js';
import { recordProblem, stateProblem, statsProblem } from './shapes.js';

export interface OutputRef { hash: string; type: PortType; size: number }

export interface CacheRecord {
  key: string;
  fingerprint: Fingerprint;
  outputs: Record<string, OutputRef>;
  /** how long the node took to run: the time a later hit saves */
  ms: number;
  /** node id and workflow that produced it (informative: keys are shared across workflows) */
  node: string;
  workflow: string;
  at: string;
  /** the host that ran it (a `flow worker`'s host:pid) */
  machine?: string;
}

/** The most recent time a node actually ran in a workflow (kept across later hits). */
export interface LastRan { at: string; key: string; why: Reason[]; roots: string[] }

/** What happened to a node in the last run of a workflow. */
export type NodeState =
  | {
    status: 'ran' | 'hit'; key: string; fingerprint: Fingerprint; why: Reason[]; roots: string[]; at: string;
    /** for a hit by early cut-off: the inputs that re-ran with byte-identical output, and their root causes */
    cutOff?: { upstream: string[]; roots: string[] };
    lastRan?: LastRan;
  }
  | { status: 'failed'; key: string | null; at: string; lastRan?: LastRan }
  | { status: 'skipped'; at: string; lastRan?: LastRan };

export interface WorkflowState { workflow: string; at: string; nodes: Record<string, NodeState> }

const shard = (h: string) => [h.slice(0, 2), h.slice(2)] as const;

export class Store {
  private made = new Set<string>();
  // temp file names: pid, a random tag per Store (worker threads share the pid), a counter
  private tag = `${process.pid}-${randomBytes(6).toString('hex')}-`;
  private seq = 0;
  constructor(readonly dir: string) {}

  private mkdir(d: string) {
    if (this.made.has(d)) return;
    // a shard directory's parent usually exists: one mkdir, not a recursive walk
    try { mkdirSync(d); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') mkdirSync(d, { recursive: true });
      else if (code !== 'EEXIST') throw e;
    }
    this.made.add(d);
  }

  private tmpPath(): string {
    const tmpDir = join(this.dir, 'tmp');
    this.mkdir(tmpDir);
    return join(tmpDir, this.tag + (this.seq++).toString(36));
  }

  /** Atomic write: unique temp file, then rename over the target. */
  writeAtomic(target: string, data: string | Uint8Array): void {
    const tmp = this.tmpPath();
    this.mkdir(join(target, '..'));
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  }

  /**
   * writeAtomic in the background: the bytes are copied to the temp file by one write() on
   * libuv's thread pool, so it proceeds while the main thread computes (fs.promises.writeFile
   * writes 512 KiB per round trip and would stall behind a busy main thread). The temp file
   * is opened here, and closed and renamed into place (both quick) in the write's callback:
   * one turn of the event loop, however busy the main thread is.
   */
  writeAtomicAsync(target: string, data: Uint8Array): Promise<void> {
    const tmp = this.tmpPath();
    this.mkdir(join(target, '..'));
    const fd = openSync(tmp, 'w');
    return new Promise<void>((resolve, reject) => {
      const from = (off: number) => write(fd, data, off, data.byteLength - off, null, (e, n) => {
        try {
          if (e) throw e;
          if (off + n < data.byteLength) return from(off + n);
          closeSync(fd);
          renameSync(tmp, target);
          resolve();
        } catch (err) {
          try { closeSync(fd); } catch { /* closed already */ }
          rmSync(tmp, { force: true });
          reject(err);
        }
      });
      from(0);
    });
  }

  objectPath(hash: string): string { const [a, b] = shard(hash); return join(this.dir, 'objects', a, b); }
  recordPath(key: string): string { const [a, b] = shard(key); return join(this.dir, 'keys', a, b + '.json'); }
  statePath(workflowRel: string): string { return join(this.dir, 'state', sha256(workflowRel).slice(0, 24) + '.json'); }

  /** Stores bytes under their hash; a no-op when the object is already there. */
  putObject(bytes: Uint8Array): { hash: string; size: number } {
    const hash = sha256(bytes);
    const p = this.objectPath(hash);
    if (!this.hasObject(hash)) { this.clearBroken(p); this.writeAtomic(p, bytes); }
    return { hash, size: bytes.byteLength };
  }

  /** putObject whose write goes on in the background (`written` settles when the object is
   * in place); the hash is known at once. Objects under 1 MiB are written at once: a thread
   * pool round trip costs more than it saves there. */
  putObjectAsync(bytes: Uint8Array): { hash: string; size: number; written: Promise<void>; background: boolean } {
    const hash = sha256(bytes);
    const p = this.objectPath(hash);
    const size = bytes.byteLength;
    if (this.hasObject(hash)) return { hash, size, written: Promise.resolve(), background: false };
    this.clearBroken(p);
    if (size < 1 << 20) {
      try { this.writeAtomic(p, bytes); return { hash, size, written: Promise.resolve(), background: false }; } catch (e) { return { hash, size, written: Promise.reject(e), background: false }; }
    }
    return { hash, size, written: this.writeAtomicAsync(p, bytes), background: true };
  }

  getObject(hash: string): Uint8Array {
    let bytes: Buffer;
    try { bytes = readFileSync(this.objectPath(hash)); } catch (e) {
      throw new FlowError('cache', `artifact ${hash.slice(0, 12)} is missing from the cache; run \`flow cache verify\`, then run again`, {}, e);
    }
    if (sha256(bytes) !== hash) throw new FlowError('cache', `artifact ${hash.slice(0, 12)} is corrupt; run \`flow cache verify\` to find and remove broken entries`);
    return bytes;
  }

  /** Something that is not a file where an object goes (a directory): removed, so the object can be written. */
  private clearBroken(p: string): void { if (existsSync(p)) rmSync(p, { recursive: true, force: true }); }

  /** Whether the object is there (a file: a directory in its place is not an object). */
  hasObject(hash: string): boolean { return statSync(this.objectPath(hash), { throwIfNoEntry: false })?.isFile() ?? false; }

  /** A well-formed record (shapes.ts) for this key whose objects all exist, or undefined (a miss). */
  getRecord(key: string): CacheRecord | undefined {
    let rec: CacheRecord;
    try { rec = JSON.parse(readFileSync(this.recordPath(key), 'utf8')); } catch { return undefined; }
    if (recordProblem(rec) || rec.key !== key) return undefined;
    for (const o of Object.values(rec.outputs)) if (!this.hasObject(o.hash)) return undefined;
    return rec;
  }

  putRecord(rec: CacheRecord): void { this.writeAtomic(this.recordPath(rec.key), JSON.stringify(rec)); }

  /** The last run state of a workflow, if there is a well-formed one. */
  readState(workflowRel: string): WorkflowState | undefined {
    try { const s = JSON.parse(readFileSync(this.statePath(workflowRel), 'utf8')); return stateProblem(s) ? undefined : s; } catch { return undefined; }
  }

  writeState(s: WorkflowState): void { this.writeAtomic(this.statePath(s.workflow), JSON.stringify(s)); }

  /** The stat cache (a broken one is empty: every file is hashed again). */
  readStats(): StatCache {
    try { const s = JSON.parse(readFileSync(this.statsPath(), 'utf8')); return statsProblem(s) ? {} : s; } catch { return {}; }
  }

  statsPath(): string { return join(this.dir, 'stat.json'); }

  writeStats(s: StatCache): void { this.writeAtomic(this.statsPath(), JSON.stringify(s)); }

  // ---- maintenance: ls, verify, gc ----

  /** Every record file: the record, or why it is broken (unreadable, or not a record's shape). */
  *records(): Generator<{ path: string; key: string; rec?: CacheRecord; error?: string }> {
    for (const [path, name] of walk(join(this.dir, 'keys'))) {
      const key = name.replace(/\.json$/, '');
      let rec: unknown;
      try { rec = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { yield { path, key, error: (e as NodeJS.ErrnoException).code === 'EISDIR' ? 'a directory, not a file' : (e as Error).message }; continue; }
      const bad = recordProblem(rec);
      yield bad ? { path, key, error: bad } : { path, key, rec: rec as CacheRecord };
    }
  }

  *objects(): Generator<[path: string, hash: string]> { yield* walk(join(this.dir, 'objects')); }

  states(): WorkflowState[] { return this.stateFiles().flatMap((s) => (s.state ? [s.state] : [])); }

  /** Every run state file: the state, or why it is broken. */
  stateFiles(): { path: string; state?: WorkflowState; error?: string }[] {
    return [...walk(join(this.dir, 'state'))].map(([path]) => {
      try {
        const s = JSON.parse(readFileSync(path, 'utf8'));
        const bad = stateProblem(s);
        return bad ? { path, error: bad } : { path, state: s };
      } catch (e) { return { path, error: (e as Error).message }; }
    });
  }

  planFiles(): string[] {
    const d = join(this.dir, 'plans');
    return existsSync(d) ? readdirSync(d).map((f) => join(d, f)) : [];
  }

  tmpFiles(): string[] {
    const d = join(this.dir, 'tmp');
    return existsSync(d) ? readdirSync(d).map((f) => join(d, f)) : [];
  }

  /** Removes a file of the cache (or whatever is in its place: a directory too). */
  remove(p: string): void { rmSync(p, { force: true, recursive: true }); }

  size(p: string): number { try { return statSync(p).size; } catch { return 0; } }
}

/** Files two levels down (shard dir / name): [path, shard + name]. */
function* walk(root: string): Generator<[string, string]> {
  if (!existsSync(root)) return;
  for (const a of readdirSync(root, { withFileTypes: true })) {
    if (a.isFile()) { yield [join(root, a.name), a.name]; continue; }
    if (!a.isDirectory()) continue;
    for (const b of readdirSync(join(root, a.name))) yield [join(root, a.name, b), a.name + b];
  }
}
