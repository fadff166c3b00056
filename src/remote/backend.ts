// A shared cache's storage: named blobs under a root, laid out as bazel-remote's is:
//   cas/<sha256>        artifacts (and the files nodes read), named by the sha256 of their bytes
//   ac/<key>.json       one node record per cache key (written after its objects)
//   runs/<id>.json      one entry per finished run (what `flow cache gc` keeps)
// Backends: a shared directory (file:///path: NFS and the like; temp file + rename) and an
// S3-compatible bucket (s3://bucket/prefix?endpoint=http://host:port). The S3 SDK is loaded
// only when an s3:// cache is asked for.
import { FlowError } from '../errors.js';

export interface Entry { name: string; size: number; mtimeMs: number }

export interface Backend {
  /** the URL without credentials, to name the cache in messages */
  readonly display: string;
  /** the bytes stored under name, or undefined when there is nothing */
  get(name: string): Promise<Uint8Array | undefined>;
  /** Stores bytes under name unless something is there already (for cas/ that is the same
   * bytes); `overwrite` replaces it (a corrupt object, a record). A store that refuses writes
   * (read-only credentials) throws ReadOnly. */
  put(name: string, bytes: Uint8Array, opts?: { overwrite?: boolean }): Promise<void>;
  has(name: string): Promise<boolean>;
  /** every entry whose name starts with prefix ('cas/', 'ac/', 'runs/') */
  list(prefix: string): AsyncIterable<Entry>;
  remove(name: string): Promise<void>;
  close(): Promise<void>;
}

/** The shared cache refuses writes (read-only credentials or a read-only mount). */
export class ReadOnly extends FlowError {
  constructor(display: string, cause?: unknown) { super('cache', `the shared cache ${display} is read-only for these credentials`, {}, cause); }
}

/** Whether a --cache value names a shared cache rather than a local folder. */
export const isRemoteUrl = (s: string | undefined): s is string => /^(s3|file):\/\//i.test(s ?? '');
