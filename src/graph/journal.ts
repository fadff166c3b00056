// The run journal: one entry per finished run of a workflow on this cache (time, workflow,
// --set overrides, flow version and git commit, what ran / hit / failed, and each node's
// status, time and key). `flow log` shows it, and gc keeps what the recent runs of each
// workflow variant used. A lowdb JSON file, cache/journal.json; lowdb writes through one
// temp file and would corrupt it with two writers, so every write holds the `journal` lock
// (lock.ts). Node details are kept for the last DETAIL_RUNS runs of each variant, and the
// journal for the last MAX_RUNS runs, so that it stays small enough to rewrite per run.
import { join } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { canonical } from './hash.js';
import { withLock, type LockWait } from './lock.js';
import type { NodeStatus } from './events.js';

export const DETAIL_RUNS = 20;
export const MAX_RUNS = 5000;

export interface JournalNode { status: NodeStatus; ms: number; key: string | null }

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
}

interface Data { version: 1; runs: JournalRun[] }

export const journalPath = (cacheDir: string) => join(cacheDir, 'journal.json');

/** A variant of a workflow: its path and its overrides (canonical JSON of both). */
export const variantOf = (r: Pick<JournalRun, 'workflow' | 'sets'>) => canonical([r.workflow, r.sets]);

async function open(cacheDir: string): Promise<Low<Data>> {
  const db = new Low<Data>(new JSONFile<Data>(journalPath(cacheDir)), { version: 1, runs: [] });
  try { await db.read(); } catch { db.data = { version: 1, runs: [] }; } // unreadable: start a new one (verify reports it)
  if (!db.data || !Array.isArray(db.data.runs)) db.data = { version: 1, runs: [] };
  return db;
}

/** Appends a run (holding the journal lock). */
export async function appendRun(cacheDir: string, run: JournalRun, wait: LockWait = {}): Promise<void> {
  await withLock(cacheDir, 'journal', async () => {
    const db = await open(cacheDir);
    const runs = db.data.runs;
    runs.push(run);
    // node details only for the last DETAIL_RUNS runs of this variant
    const v = variantOf(run);
    let seen = 0;
    for (let i = runs.length - 1; i >= 0; i--) if (variantOf(runs[i]) === v && ++seen > DETAIL_RUNS && runs[i].nodes) delete runs[i].nodes;
    if (runs.length > MAX_RUNS) runs.splice(0, runs.length - MAX_RUNS);
    await db.write();
  }, wait);
}

/** Every run in the journal, oldest first (a file being replaced is read whole: lowdb renames into place). */
export async function readJournal(cacheDir: string): Promise<JournalRun[]> {
  return (await open(cacheDir)).data.runs;
}
