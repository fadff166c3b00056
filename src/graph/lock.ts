// Cross-process locks on a directory: the cache today (gc, the run journal, run leases), the
// out folder next. One helper so that every writer takes them the same way.
//   withLock(dir, name, fn)  an exclusive lock, DIR/locks/<name>.lock, through proper-lockfile
//                            (an atomic mkdir, its mtime refreshed while held, so the lock of a
//                            process that died is taken over after STALE_MS)
//   lease(dir)               a shared hold: runs take one each (under the `cache` lock, so none
//                            starts while gc holds it) and drop it when they end
//   waitForLeases(dir)       gc, holding the `cache` lock, waits until no run holds a lease
// So gc and runs exclude each other (gc waits for the runs in progress; runs that start
// meanwhile wait for gc), and any number of runs share the cache.
import lockfile from 'proper-lockfile';
import { hostname } from 'node:os';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowError } from '../errors.js';

const STALE_MS = 10_000;
const locksDir = (dir: string) => join(dir, 'locks');

export interface LockWait {
  /** called once if the lock is held by another process, before waiting for it */
  onWait?: () => void;
  /** give up after this long (ms); default: wait as long as it takes */
  timeoutMs?: number;
}

/** Runs fn holding the exclusive lock `name` of dir; waits while another process holds it. */
export async function withLock<T>(dir: string, name: string, fn: () => Promise<T> | T, wait: LockWait = {}): Promise<T> {
  mkdirSync(locksDir(dir), { recursive: true });
  const target = join(locksDir(dir), name);
  const opts = { lockfilePath: `${target}.lock`, realpath: false, stale: STALE_MS, onCompromised: () => {} };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, { ...opts, retries: 0 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockError(dir, name, e);
    wait.onWait?.();
    const timeout = wait.timeoutMs ?? Infinity;
    const retries = Number.isFinite(timeout) ? { retries: Math.max(1, Math.ceil(timeout / 200)), minTimeout: 50, maxTimeout: 200 } : { forever: true, minTimeout: 50, maxTimeout: 200 };
    try { release = await lockfile.lock(target, { ...opts, retries }); } catch (e2) { throw lockError(dir, name, e2); }
  }
  try { return await fn(); } finally { await release().catch(() => {}); }
}

const lockError = (dir: string, name: string, e: unknown) => new FlowError('cache', (e as NodeJS.ErrnoException).code === 'ELOCKED'
  ? `the ${name} lock of ${dir} is held by another flow process; try again when it has finished`
  : `cannot take the ${name} lock of ${dir}: ${(e as Error).message}`, {}, e);

// ---- leases: shared holds ----

interface LeaseFile { pid: number; host: string; at: string; what: string }
const mine = new Set<string>();
const leasesDir = (dir: string) => join(locksDir(dir), 'leases');

/** Registers a shared hold on dir (a run in progress); returns its release. Waits while gc runs. */
export async function lease(dir: string, what: string, wait: LockWait = {}): Promise<() => void> {
  const name = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const file = join(leasesDir(dir), name);
  await withLock(dir, 'cache', () => {
    mkdirSync(leasesDir(dir), { recursive: true });
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), what } satisfies LeaseFile));
    mine.add(name);
  }, wait);
  return () => { mine.delete(name); rmSync(file, { force: true }); };
}

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

/** The leases held now (those of processes that died are removed). */
export function liveLeases(dir: string): LeaseFile[] {
  let names: string[];
  try { names = readdirSync(leasesDir(dir)); } catch { return []; }
  const out: LeaseFile[] = [];
  for (const name of names) {
    const file = join(leasesDir(dir), name);
    let l: LeaseFile;
    try { l = JSON.parse(readFileSync(file, 'utf8')); } catch { continue; } // being written, or gone
    const dead = l.host === hostname() && (l.pid === process.pid ? !mine.has(name) : !alive(l.pid));
    if (dead) rmSync(file, { force: true }); else out.push(l);
  }
  return out;
}

/** Waits until no lease is held on dir (call holding the `cache` lock, so no new one appears). */
export async function waitForLeases(dir: string, onWait?: (held: LeaseFile[]) => void): Promise<void> {
  let told = false;
  for (let held = liveLeases(dir); held.length; held = liveLeases(dir)) {
    if (!told) { onWait?.(held); told = true; }
    await new Promise((r) => setTimeout(r, 100));
  }
}
