// What the scheduler needs from a shared cache and from a distributed executor, as interfaces:
// the engine knows no backend (S3, a shared folder) and no queue (BullMQ); src/remote/
// implements these and the CLI passes them in. Without them a run is embedded: the local
// cache and this process's threads.
import type { Fingerprint } from './fingerprint.js';
import type { Provenance } from './node.js';
import type { CacheRecord, OutputRef } from './store.js';
import type { JournalRun } from './journal.js';

/** A shared cache layered under the local one: misses of the local cache are looked up here. */
export interface SharedCache {
  /** The record of `key` with every output object copied into the local store (downloaded and
   * re-hashed), or undefined: a miss (absent, malformed, or an object missing or corrupt). */
  pull(key: string): Promise<CacheRecord | undefined>;
  /** Publishes a record of the local store: its objects first, the record last. */
  push(rec: CacheRecord): Promise<void>;
  /** Adds a finished run to the shared run list (gc keeps what recent runs used). */
  recordRun(entry: JournalRun): Promise<void>;
}

/** One node execution, as sent to a worker: no artifact bytes, only hashes. */
export interface RemoteJob {
  key: string;
  fingerprint: Fingerprint;
  type: string;
  code: string;
  nodeId: string;
  /** the workflow file the node is declared in, relative to the project root */
  file: string;
  /** the workflow's path (informative, for the record) */
  workflow: string;
  params: unknown;
  sources: Record<string, unknown>;
  provenance?: Provenance;
  inputs: Record<string, { many: boolean; refs: OutputRef[] }>;
  /** project-relative path -> sha256 of each file the node reads (the bytes are in the shared cache) */
  files: Record<string, string>;
}

export interface Executor {
  /** Whether this node type can run there (a plugin, which workers do not have, runs here). */
  accepts(type: string): boolean;
  /** Runs the job elsewhere; resolves once its record is in the shared cache. `files` holds the
   * bytes of job.files (project-relative path -> bytes) for the executor to publish. */
  run(job: RemoteJob, files: Map<string, Buffer>): Promise<{ machine: string }>;
  close(): Promise<void>;
}
