// Cross-process locks: the cache (gc, verify --fix, the run journal, run leases) and each out
// folder (one export at a time). One helper so that every writer takes them the same way.
//   withLock(dir, name, fn)  an exclusive lock, DIR/locks/<name>.lock, through proper-lockfile
//                            (an atomic mkdir, its mtime refreshed while held, so the lock of a
//                            process that died is taken over after STALE_MS, or at once when
//                            its owner file names a dead process on this host); withLockAt
//                            takes one at any path (the out folder's)
//   lease(dir)               a shared hold, taken by every run: a file in DIR/locks/leases,
//                            written first; then, if gc holds the `cache` lock, the run drops it,
//                            waits for gc and tries again
//   waitForLeases(dir)       gc, holding the `cache` lock, waits until no run holds a lease
// A run writes its lease before it looks at the lock, and gc takes the lock before it looks at
// the leases, so one of them always sees the other: gc and runs exclude each other (gc waits
// for the runs in progress, runs that start meanwhile wait for gc), and runs share the cache.
// Leases take no lock: a warm run does not load proper-lockfile (and graceful-fs) at all.
import { hostname } from 'node:os';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FlowError } from '../errors.js';

const STALE_MS = 10_000;

const alive = (pid: number) => {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
};

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
  return withLockAt(join(locksDir(dir), name), `the ${name} lock of ${dir}`, fn, wait);
}

/**
 * Runs fn holding the exclusive lock at `target` (the lock is the directory `target`.lock,
 * its owner's pid and host in `target`.owner); `label` names it in messages. The lock of a
 * process that died on this host is taken over at once (else after STALE_MS without refresh).
 */
export async function withLockAt<T>(target: string, label: string, fn: () => Promise<T> | T, wait: LockWait = {}): Promise<T> {
  const opts = { lockfilePath: `${target}.lock`, realpath: false, stale: STALE_MS, onCompromised: () => {} };
  const lockfile = (await import('proper-lockfile')).default;
  const owner = `${target}.owner`;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(target, { ...opts, retries: 0 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockError(label, e);
    if (!takeOverDead(opts.lockfilePath, owner)) wait.onWait?.();
    const timeout = wait.timeoutMs ?? Infinity;
    const retries = Number.isFinite(timeout) ? { retries: Math.max(1, Math.ceil(timeout / 200)), minTimeout: 50, maxTimeout: 200 } : { forever: true, minTimeout: 50, maxTimeout: 200 };
    try { release = await lockfile.lock(target, { ...opts, retries }); } catch (e2) { throw lockError(label, e2); }
  }
  try { writeFileSync(owner, JSON.stringify({ pid: process.pid, host: hostname() })); } catch { /* the lock still holds; only a faster take-over is lost */ }
  try { return await fn(); } finally { rmSync(owner, { force: true }); await release().catch(() => {}); }
}

/** Removes a lock whose owner (same host) is no longer alive; true when it did. (Two
 * waiters that both see the dead owner could race here only within the few microseconds
 * between the check and the removal; the take-over by age stays as a fallback.) */
function takeOverDead(lockDir: string, owner: string): boolean {
  const dead = () => {
    try { const o = JSON.parse(readFileSync(owner, 'utf8')); return o.host === hostname() && o.pid !== process.pid && !alive(o.pid); } catch { return false; }
  };
  if (!dead()) return false;
  rmSync(owner, { force: true });
  rmSync(lockDir, { recursive: true, force: true });
  return true;
}

const lockError = (label: string, e: unknown) => new FlowError('cache', (e as NodeJS.ErrnoException).code === 'ELOCKED'
  ? `${label} is held by another flow process; try again when it has finished`
  : `cannot take ${label}: ${(e as Error).message}`, {}, e);

// ---- leases: shared holds ----

interface LeaseFile { pid: number; host: string; at: string; what: string }
const mine = new Set<string>();
const leasesDir = (dir: string) => join(locksDir(dir), 'leases');

/** Whether a live process holds the exclusive lock `name` of dir (proper-lockfile refreshes its mtime). */
function held(dir: string, name: string): boolean {
  try { return Date.now() - statSync(join(locksDir(dir), `${name}.lock`)).mtimeMs < STALE_MS; } catch { return false; }
}

/** Registers a shared hold on dir (a run in progress); returns its release. Waits while gc runs. */
export async function lease(dir: string, what: string, wait: LockWait = {}): Promise<() => void> {
  const name = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const file = join(leasesDir(dir), name);
  const tmp = `${file}.tmp`;
  let told = false;
  for (;;) {
    try { mkdirSync(leasesDir(dir), { recursive: true }); } catch { /* exists */ }
    writeFileSync(tmp, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString(), what } satisfies LeaseFile));
    renameSync(tmp, file);
    mine.add(name);
    if (!held(dir, 'cache')) return () => { mine.delete(name); rmSync(file, { force: true }); };
    mine.delete(name);
    rmSync(file, { force: true });
    if (!told) { wait.onWait?.(); told = true; }
    while (held(dir, 'cache')) await new Promise((r) => setTimeout(r, 100));
  }
}

/** The leases held now (those of processes that died are removed). */
export function liveLeases(dir: string): LeaseFile[] {
  let names: string[];
  try { names = readdirSync(leasesDir(dir)); } catch { return []; }
  const out: LeaseFile[] = [];
  for (const name of names) {
    if (name.endsWith('.tmp')) continue;
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
