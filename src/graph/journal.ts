// The run journal: one entry per finished run of a workflow on this cache (time, workflow,
// --set overrides, flow version and git commit, what ran / hit / failed, and each node's
// status, time and key). `flow log` shows it, and gc keeps what the recent runs of each
// workflow variant used. A lowdb JSON file, cache/journal.json; lowdb writes through one
// temp file and would corrupt it with two writers, so every write holds the `journal` lock
// (lock.ts). A run does not wait for that lock: it writes its entry as a file of its own in
// journal.d/ (atomically, under a unique name), and whoever reads the journal (flow log, gc)
// first folds those entries into journal.json under the lock. Node details are kept for the
// last DETAIL_RUNS runs of each variant, and the journal for the last MAX_RUNS runs.
import { readdirSync, readFileSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { canonical } from './hash.js';
import { withLock, type LockWait } from './lock.js';
import type { NodeStatus } from './events.js';

export const DETAIL_RUNS = 20;
export const MAX_RUNS = 5000;

/** machine: where a node that ran was run (a host name, or a `flow worker`'s host:pid) */
export interface JournalNode { status: NodeStatus; ms: number; key: string | null; machine?: string }

export interface JournalRun {
  /** when the run started and how long it took */
  at: string;
  ms: number;
  /** workflow path relative to the project root, and its --set overrides */
  workflow: string;
  sets: Record<string, unknown>;
  flow: string;
  commit?: string;
  ran: string[];
  hit: string[];
  failed: string[];
  skipped: string[];
  /** node id -> what happened (dropped for all but the last DETAIL_RUNS runs of a variant) */
  nodes?: Record<string, JournalNode>;
  /** every node id of the plan (a --only run covers fewer): gc keeps no result of a node the
   * variant's latest run no longer has (dropped with `nodes`) */
  planned?: string[];
}

interface Data { version: 1; runs: JournalRun[] }

export const journalPath = (cacheDir: string) => join(cacheDir, 'journal.json');

/** For each result key, the latest run that used it (runs in order, oldest first): gc's listings. */
export function lastUses(journal: JournalRun[]): Map<string, JournalRun> {
  const out = new Map<string, JournalRun>();
  for (const r of journal) for (const n of Object.values(r.nodes ?? {})) if (n.key) out.set(n.key, r);
  return out;
}

/** A variant of a workflow: its path and its overrides (canonical JSON of both). */
export const variantOf = (r: Pick<JournalRun, 'workflow' | 'sets'>) => canonical([r.workflow, r.sets]);

async function open(cacheDir: string) {
  // loaded here: a run only records its entry (recordRun) and never needs lowdb
  const [{ Low }, { JSONFile }] = await Promise.all([import('lowdb'), import('lowdb/node')]);
  const db = new Low<Data>(new JSONFile<Data>(journalPath(cacheDir)), { version: 1, runs: [] });
  try { await db.read(); } catch { db.data = { version: 1, runs: [] }; } // unreadable: start a new one (verify reports it)
  if (!db.data || !Array.isArray(db.data.runs)) db.data = { version: 1, runs: [] };
  return db;
}

const pendingDir = (cacheDir: string) => join(cacheDir, 'journal.d');

/** Records a finished run: one file in journal.d/, renamed into place (no lock, no wait). */
export function recordRun(cacheDir: string, run: JournalRun): void {
  const dir = pendingDir(cacheDir);
  mkdirSync(dir, { recursive: true });
  const name = `${run.at.replace(/[:.]/g, '')}-${process.pid}-${randomBytes(4).toString('hex')}.json`;
  writeFileSync(join(dir, `.${name}.tmp`), JSON.stringify(run));
  renameSync(join(dir, `.${name}.tmp`), join(dir, name));
}

/** Folds the recorded runs into journal.json, holding the journal lock; returns every run, oldest first. */
export async function readJournal(cacheDir: string, wait: LockWait = {}): Promise<JournalRun[]> {
  return withLock(cacheDir, 'journal', async () => {
    const db = await open(cacheDir);
    let names: string[] = [];
    try { names = readdirSync(pendingDir(cacheDir)).filter((n) => n.endsWith('.json')).sort(); } catch { /* none */ }
    if (!names.length) return db.data.runs;
    const runs = db.data.runs;
    for (const n of names) {
      try { runs.push(JSON.parse(readFileSync(join(pendingDir(cacheDir), n), 'utf8'))); } catch { /* unreadable: dropped below */ }
    }
    runs.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    // node details only for the last DETAIL_RUNS runs of each variant
    const seen = new Map<string, number>();
    for (let i = runs.length - 1; i >= 0; i--) {
      const v = variantOf(runs[i]);
      const k = (seen.get(v) ?? 0) + 1;
      seen.set(v, k);
      if (k > DETAIL_RUNS) { delete runs[i].nodes; delete runs[i].planned; }
    }
    if (runs.length > MAX_RUNS) runs.splice(0, runs.length - MAX_RUNS);
    await db.write();
    for (const n of names) rmSync(join(pendingDir(cacheDir), n), { force: true });
    return runs;
  }, wait);
}
