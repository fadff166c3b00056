// The distributed executor (`flow run --executor bullmq`): each node whose inputs are known
// becomes one BullMQ job, id 'n-' + its cache key, on a Redis queue that `flow worker`s pull
// from (src/cli/worker.ts, src/remote/processor.ts). The job's data is the RemoteJob JSON only:
// hashes, params, the code hash. Artifact bytes go through the shared cache (cas/, ac/), never
// through Redis. A job resolves once its record (ac/<key>.json) is in the shared cache.
//
// Redis URL: redis://[user:pass@]host:port[/db][?prefix=NAME]. `prefix` namespaces every
// BullMQ key (default "bull"): coordinators and workers must use the same prefix and queue
// name (tests use a unique prefix per test). The queue is "flow-nodes" unless opts.queue.
//
// bullmq is loaded from node_modules at run time, not bundled into dist/: its sandboxed
// processors start `main-worker.js` found next to its own files (__filename), which a bundle
// does not have. Hence the non-literal import below (esbuild leaves it alone).
import { hostname } from 'node:os';
import type { Job, Queue, QueueEvents } from 'bullmq';
import { FlowError } from '../errors.js';
import { sha256 } from '../graph/hash.js';
import type { Executor, RemoteJob } from '../graph/remote.js';
import type { Store } from '../graph/store.js';
import type { RemoteCache } from './remote-cache.js';

export type Bullmq = typeof import('bullmq');

let bullmq: Promise<Bullmq> | undefined;
/** bullmq, imported from node_modules (not from the bundle: see above). */
export function loadBullmq(): Promise<Bullmq> {
  const name = 'bullmq';
  return (bullmq ??= import(/* @vite-ignore */ name).then((m) => ((m as Bullmq).Queue ? m : (m as { default: Bullmq }).default) as Bullmq));
}

export const DEFAULT_QUEUE = 'flow-nodes';
/** How long run() waits for one job to finish (FLOW_JOB_TIMEOUT_MS; default 6 h). */
export const jobTimeoutMs = (): number => {
  const v = Number(process.env.FLOW_JOB_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 6 * 3600_000;
};

export interface RedisTarget {
  /** the URL handed to ioredis (without ?prefix) */
  url: string;
  /** BullMQ key prefix (undefined: BullMQ's default "bull") */
  prefix?: string;
  /** the URL without a password, for messages */
  display: string;
}

/** Parses --redis: redis:// or rediss://, with an optional ?prefix=NAME. */
export function parseRedisUrl(raw: string, what = '--redis'): RedisTarget {
  let u: URL;
  try { u = new URL(raw); } catch { throw new FlowError('validate', `${what} ${raw}: not a URL; expected redis://host:port (e.g. redis://127.0.0.1:6379)`); }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new FlowError('validate', `${what} ${raw}: expected a redis:// or rediss:// URL`);
  const prefix = u.searchParams.get('prefix') ?? undefined;
  if (prefix !== undefined && (!prefix || prefix.includes(':'))) throw new FlowError('validate', `${what}: ?prefix= must be a non-empty name without ':'`);
  u.searchParams.delete('prefix');
  const url = u.toString();
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return { url, prefix, display: shown.toString() + (prefix ? `${shown.search ? '&' : '?'}prefix=${prefix}` : '') };
}

/** BullMQ connection options for a target (each Queue/QueueEvents/Worker opens its own). */
export const connectionOf = (t: RedisTarget) => ({ url: t.url, maxRetriesPerRequest: null, enableOfflineQueue: true });

/** Resolves p, or rejects with `onTimeout()` after ms. */
export async function within<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(onTimeout()), ms); })]);
  } finally { clearTimeout(timer); }
}

/** What a worker returns for a job (processor.ts). */
export interface JobResult {
  machine: string;
  ms: number;
  /** the record was in the shared cache when the job started (an earlier attempt wrote it): not run again */
  already?: boolean;
  /** bytes this job downloaded from and uploaded to the shared cache's cas/ */
  downBytes?: number;
  upBytes?: number;
}

export interface ExecutorStats {
  /** jobs added to the queue (a deduplicated add, same id, counts too) */
  submitted: number;
  /** run() calls answered by an existing ac/<key> without a job */
  already: number;
  /** per job: wall time of run() and the worker's own time (run + upload); the difference is the overhead */
  jobs: { key: string; node: string; totalMs: number; workerMs: number }[];
}

export class BullExecutor implements Executor {
  readonly stats: ExecutorStats = { submitted: 0, already: 0, jobs: [] };
  private closed = false;

  constructor(
    readonly queue: Queue,
    readonly events: QueueEvents,
    readonly remote: RemoteCache,
    readonly local: Store,
    private readonly builtinTypes: Set<string>,
    readonly redis: RedisTarget,
  ) {}

  accepts(type: string): boolean { return this.builtinTypes.has(type); }

  /** Mean overhead per job (ms): run()'s wall time minus the worker's own time. */
  overheadMs(): number {
    const j = this.stats.jobs;
    return j.length ? j.reduce((s, x) => s + (x.totalMs - x.workerMs), 0) / j.length : 0;
  }

  async run(job: RemoteJob, files: Map<string, Buffer>): Promise<{ machine: string }> {
    const start = performance.now();
    const ctx = { node: job.nodeId, file: job.file };
    // already in the shared cache (another coordinator, an earlier attempt): no job
    const had = await this.remote.getRecord(job.key);
    if (had) { this.stats.already++; return { machine: had.machine ?? 'the shared cache' }; }

    // the job's inputs and files must be in the bucket before any worker looks
    const uploads: Promise<unknown>[] = [];
    for (const [port, { refs }] of Object.entries(job.inputs)) {
      for (const r of refs) {
        uploads.push(this.remote.ensureObject(r.hash).catch((e) => {
          throw new FlowError('cache', `input ${port} (${r.hash.slice(0, 12)}) could not be put in the shared cache: ${(e as Error)?.message ?? e}`, ctx, e);
        }));
      }
    }
    for (const [rel, want] of Object.entries(job.files)) {
      const bytes = files.get(rel);
      if (!bytes) throw new FlowError('run', `the bytes of ${rel} were not handed to the executor (it has ${files.size} file(s))`, ctx);
      if (sha256(bytes) !== want) throw new FlowError('data', `${rel} changed while the run was being prepared (its hash is not the one in the node's key); run again`, ctx);
      uploads.push(this.remote.putObject(bytes).then((h) => {
        if (h !== want) throw new FlowError('cache', `the shared cache stored ${rel} as ${h.slice(0, 12)}, expected ${want.slice(0, 12)}`, ctx);
      }));
    }
    await Promise.all(uploads);

    const id = 'n-' + job.key;
    const opts = { jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: { age: 600 } };
    // a finished job under this id would answer at once: a failed one (its error is old) or a
    // completed one whose record is not in the bucket (removed since) is removed and added again
    const old = await this.queue.getJob(id);
    if (old) {
      const state = await old.getState();
      if (state === 'failed' || state === 'completed') await old.remove().catch(() => { /* removed by another coordinator */ });
    }
    const added: Job = await this.queue.add(job.type, job, opts);
    this.stats.submitted++;

    let result: JobResult;
    const limit = jobTimeoutMs();
    try {
      result = await added.waitUntilFinished(this.events, limit);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      if (/timed out before finishing/.test(msg)) {
        const workers = await this.queue.getWorkersCount().catch(() => -1);
        throw new FlowError('run', `no flow worker finished job ${id.slice(0, 14)} within ${Math.round(limit / 1000)} s (FLOW_JOB_TIMEOUT_MS)` +
          `${workers === 0 ? `; no worker is connected to ${this.redis.display}: start one with flow worker --redis URL --cache URL` : ''}`, ctx, e);
      }
      throw new FlowError('run', msg, ctx, e);
    }
    // ground truth is the record: the scheduler pulls it next (and fails the node clearly when a
    // job said it finished without one), so it is not fetched twice here
    const machine = result?.machine ?? 'a flow worker';
    this.stats.jobs.push({ key: job.key, node: job.nodeId, totalMs: performance.now() - start, workerMs: typeof result?.ms === 'number' ? result.ms : 0 });
    return { machine };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }
}

/**
 * A BullExecutor on the Redis at redisUrl (see the top of this file for ?prefix=), publishing
 * through `remote`. Fails clearly (after 10 s) when Redis cannot be reached.
 */
export async function openExecutor(redisUrl: string, remote: RemoteCache, local: Store, opts?: { queue?: string; prefix?: string; builtinTypes: Set<string> }): Promise<BullExecutor> {
  const target = parseRedisUrl(redisUrl);
  const prefix = opts?.prefix ?? target.prefix;
  const { Queue, QueueEvents } = await loadBullmq();
  const name = opts?.queue ?? DEFAULT_QUEUE;
  const base = { connection: connectionOf(target), ...(prefix ? { prefix } : {}) };
  const queue = new Queue(name, base);
  const events = new QueueEvents(name, base);
  // one listener pair per job waiting (waitUntilFinished): many at once is normal here
  queue.setMaxListeners(0);
  events.setMaxListeners(0);
  const errors: Error[] = [];
  const onError = (e: Error) => { errors.push(e); };
  queue.on('error', onError);
  events.on('error', onError);
  try {
    await within(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), 10_000, () =>
      new FlowError('run', `cannot reach Redis at ${target.display}${errors.length ? ` (${errors[errors.length - 1].message})` : ''}: is redis-server running there?`));
  } catch (e) {
    await Promise.allSettled([events.close(), queue.close()]);
    throw e;
  }
  return new BullExecutor(queue, events, remote, local, opts?.builtinTypes ?? new Set(), { ...target, prefix });
}

/** How a worker names itself in records and messages: FLOW_WORKER_NAME, else host:pid. */
export const machineName = (): string => process.env.FLOW_WORKER_NAME || `${hostname()}:${process.pid}`;
