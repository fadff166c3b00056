// flow worker --redis URL --cache URL: pulls node jobs from the queue that `flow run
// --executor bullmq` fills (src/remote/bullmq-executor.ts) and runs each in a sandboxed
// worker thread (src/remote/processor.ts), reading inputs from and writing results to the
// shared cache. Prints one line per job on stdout:
//   ran <nodeId> <type> <key12> <ms> ms
//   had <nodeId> <type> <key12>            (its record was in the shared cache already)
//   refused <nodeId> <type> <key12>: <why> (other code / unknown type: no retry)
//   failed <nodeId> <type> <key12> (attempt n/3): <why>
//   failed <nodeId> <type> <key12> (data error, not retried): <why>  (the node's verdict on its data or params)
// and its own notices on stderr. Runs from the build only (the processor must be JS).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Job, Worker } from 'bullmq';
import { FlowError } from '../errors.js';
import type { RemoteJob } from '../graph/remote.js';
import { isRemoteUrl } from '../remote/backend.js';
import { connectionOf, DEFAULT_QUEUE, loadBullmq, machineName, parseRedisUrl, within, type JobResult } from '../remote/bullmq-executor.js';
import { reportError } from './common.js';
import { parseAge } from './cache.js';

export interface WorkerCmdOpts {
  redis: string;
  cache: string;
  concurrency?: string | number;
  exitWhenIdle?: string;
  lockMs?: string | number;
  queue?: string;
}

/** "60" (seconds), or an age as for gc ("60s", "5m", "1h") -> seconds. */
export function parseSeconds(v: string, what: string): number {
  return /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : parseAge(v, what) / 1000;
}

function intIn(v: string | number | undefined, dflt: number, lo: number, hi: number, what: string): number {
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new FlowError('validate', `${what} ${v}: expected a whole number from ${lo} to ${hi}`);
  return n;
}

export async function workerCommand(o: WorkerCmdOpts): Promise<void> {
  try {
    await runWorker(o);
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

async function runWorker(o: WorkerCmdOpts): Promise<void> {
  if (import.meta.url.endsWith('.ts')) throw new FlowError('validate', 'flow worker runs from the build: npm run build, then node bin/flow.js worker …');
  const target = parseRedisUrl(o.redis);
  if (!isRemoteUrl(o.cache)) {
    throw new FlowError('validate', `--cache ${o.cache}: a worker needs the shared cache the coordinator uses (s3://bucket/prefix?endpoint=… or file:///shared/dir), not a local folder`);
  }
  const concurrency = intIn(o.concurrency, 1, 1, 64, '--concurrency');
  const lockMs = intIn(o.lockMs, 30_000, 200, 3_600_000, '--lock-ms');
  const idleSecs = o.exitWhenIdle === undefined ? undefined : parseSeconds(o.exitWhenIdle, '--exit-when-idle');
  const processor = new URL('../remote/processor.js', import.meta.url);
  if (!existsSync(processor)) throw new FlowError('run', `${fileURLToPath(processor)} is missing: rebuild flow (npm run build)`);

  // the cache must open here (URL, credentials) before jobs are taken; the processor's
  // threads open their own (FLOW_WORKER_CACHE: worker threads inherit the environment)
  const { openBackend, parseCacheUrl } = await import('../remote/open.js');
  if (parseCacheUrl(o.cache).readOnly) throw new FlowError('validate', `--cache ${o.cache}: read-only, but a worker writes its results there: drop readonly=1`);
  const backend = await openBackend(o.cache);
  const display = backend.display;
  await backend.close();
  process.env.FLOW_WORKER_CACHE = o.cache;

  const { Worker: BullWorker } = await loadBullmq();
  const queue = o.queue ?? DEFAULT_QUEUE;
  const worker: Worker<RemoteJob, JobResult> = new BullWorker(queue, processor, {
    connection: connectionOf(target),
    ...(target.prefix ? { prefix: target.prefix } : {}),
    concurrency,
    useWorkerThreads: true,
    lockDuration: lockMs,
    stalledInterval: Math.max(100, Math.floor(lockMs / 2)),
    maxStalledCount: 2,
    autorun: false,
  });

  const moved = { jobs: 0, down: 0, up: 0 }; // cas/ bytes of the jobs finished here
  const active = new Set<string>();
  let lastBusy = Date.now();
  const line = (s: string) => process.stdout.write(s + '\n');
  const what = (j: Job<RemoteJob> | undefined) => j?.data ? `${j.data.nodeId} ${j.data.type} ${String(j.data.key).slice(0, 12)}` : (j?.id ?? '?');
  worker.on('active', (j) => { active.add(String(j.id)); lastBusy = Date.now(); });
  worker.on('completed', (j, r) => {
    active.delete(String(j.id)); lastBusy = Date.now();
    const res = r as JobResult;
    moved.jobs++; moved.down += res?.downBytes ?? 0; moved.up += res?.upBytes ?? 0;
    if (res?.already) line(`had ${what(j)}`);
    else line(`ran ${what(j)} ${Math.round(res?.ms ?? 0)} ms`);
  });
  worker.on('failed', (j, err) => {
    // also emitted for a job this worker found stalled (one it did not run)
    if (j) active.delete(String(j.id));
    lastBusy = Date.now();
    const msg = (err?.message ?? String(err)).split('\n')[0];
    const kind = (err as Error & { flowKind?: string })?.flowKind;
    if (err?.name === 'UnrecoverableError' && kind) line(`failed ${what(j)} (${kind} error, not retried): ${msg}`);
    else if (err?.name === 'UnrecoverableError') line(`refused ${what(j)}: ${msg}`);
    else line(`failed ${what(j)} (attempt ${j?.attemptsMade ?? '?'}/${j?.opts?.attempts ?? '?'}): ${msg}`);
  });
  worker.on('error', (e) => process.stderr.write(`flow worker: ${e?.message ?? e}\n`));

  let stopping: Promise<void> | undefined;
  const stop = (why: string, force = false) => {
    if (stopping && !force) return stopping;
    process.stderr.write(`flow worker: ${why}; ${force ? 'stopping now' : 'finishing the job in hand, then stopping'}\n`);
    return (stopping = worker.close(force).catch((e) => { process.stderr.write(`flow worker: closing: ${(e as Error).message}\n`); }));
  };
  let signals = 0;
  const onSignal = (sig: string) => { signals++; void stop(`${sig}`, signals > 1); };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  await within(worker.waitUntilReady(), 10_000, () => new FlowError('run', `cannot reach Redis at ${target.display}: is redis-server running there?`)).catch(async (e) => {
    await worker.close(true).catch(() => {});
    throw e;
  });
  process.stderr.write(`flow worker ${machineName()}: queue ${queue} on ${target.display}, cache ${display}, concurrency ${concurrency}, lock ${lockMs} ms${idleSecs !== undefined ? `, exits after ${idleSecs} s idle` : ''}\n`);

  let idleTimer: NodeJS.Timeout | undefined;
  if (idleSecs !== undefined) {
    idleTimer = setInterval(() => {
      if (active.size === 0 && Date.now() - lastBusy >= idleSecs * 1000) void stop(`idle for ${idleSecs} s`);
    }, Math.min(1000, Math.max(50, idleSecs * 250)));
  }
  const running = worker.run();
  await running.catch((e) => { throw new FlowError('run', `the worker stopped: ${(e as Error)?.message ?? e}`, {}, e); })
    .finally(() => { if (idleTimer) clearInterval(idleTimer); });
  await stopping;
  process.stderr.write(`flow worker: ${moved.jobs} jobs; moved ${(moved.down / 1e6).toFixed(1)} MB from the shared cache, ${(moved.up / 1e6).toFixed(1)} MB to it\n`);
}
