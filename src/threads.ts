// Worker threads for kernels that split their work into tasks (the CSV scan of a large
// file, the demeaning of columns), shared by io/ and econ/: started once per process and
// kept, idle and unref'd, for the next call (a multiverse fits many models; a CSV parse
// and a fit share one worker). Kernels go to the workers as source text: worker threads
// cannot load .ts files under tsx or vitest, and the esbuild bundle has no file per
// module; so a kernel set must be self-contained (no imports, no module-level values),
// and its functions then give the same bits on every thread. Tasks are handed out by a
// shared counter: a worker that starts late takes fewer, and the calling thread takes
// tasks too, waiting in Atomics.wait only for tasks a worker has taken. Synchronous on
// purpose: the kernels are plain functions. Data go over shared memory (SharedArrayBuffer
// views in `data` are shared, not copied; other values are cloned, so keep them small).
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/**
 * Functions that run on worker threads from their source text, by name. A task gets the
 * set as its third argument, so it can call functions of other modules through it
 * (calling them directly works within one module only: a bundler may rename them, and
 * vitest rewrites references to imports).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface KernelSet { id: string; functions: Record<string, (...args: any[]) => any> }

/** Who did each task (runTasks' result): */
export const HERE = 1, WORKER = 2, FAILED = -1;
/** A task a worker took and has not finished after this long is given up on (the caller sees it unfinished: 0). */
const WAIT_MS = 10 * 60_000;

/** At most this many threads in all (this one included). */
export const maxThreads = () => Math.min(availableParallelism(), 8);

interface PoolWorker { worker: Worker; port: MessagePort; bell: Int32Array; sets: Set<string> }
const pool: PoolWorker[] = [];
const sources = new Map<string, { source: string; table: string }>();

/** Start (or keep) `threads - 1` workers now, so that their start-up overlaps other work. */
export function warmThreads(threads: number): void {
  while (pool.length < Math.min(threads, maxThreads()) - 1) {
    const { port1, port2 } = new MessageChannel();
    const bell = new Int32Array(new SharedArrayBuffer(4));
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, bell: bell.buffer }, transferList: [port2] });
    } catch {
      return; // no threads here: callers stay on this one
    }
    worker.unref();
    port1.unref();
    const w: PoolWorker = { worker, port: port1, bell, sets: new Set() };
    const drop = () => { const i = pool.indexOf(w); if (i >= 0) pool.splice(i, 1); };
    worker.on('error', drop);
    worker.on('exit', drop);
    pool.push(w);
  }
}

/**
 * Run `set.functions[task](data, t, set.functions)` for t = 0 .. total - 1 on up to
 * `threads` threads. Returns who did each task (HERE, WORKER, FAILED on a worker, 0
 * unfinished after a very long wait), or null when no worker could be started (the caller
 * then runs serially). `hereToo` false leaves every task to the workers (a test of them).
 */
export function runTasks(set: KernelSet, task: string, data: unknown, total: number, threads: number, hereToo = true): Int32Array | null {
  warmThreads(threads);
  const workers = pool.slice(0, threads - 1);
  if (!workers.length) return null;
  const fns = set.functions, run = fns[task];
  if (!run) throw new Error(`runTasks: no task ${task} in kernel set ${set.id}`);
  let src = sources.get(set.id);
  if (!src) {
    const entries = Object.entries(fns);
    sources.set(set.id, src = { source: entries.map(([, f]) => f.toString()).join('\n'), table: `{ ${entries.map(([k, f]) => `${JSON.stringify(k)}: ${f.name}`).join(', ')} }` });
  }
  const ctrl = new Int32Array(new SharedArrayBuffer((4 + total) * 4)); // next task, tasks done, total, -, who did each
  ctrl[2] = total;
  for (const w of workers) {
    const first = !w.sets.has(set.id);
    w.port.postMessage({ set: set.id, source: first ? src.source : undefined, table: first ? src.table : undefined, task, data, ctrl: ctrl.buffer });
    w.sets.add(set.id);
    Atomics.add(w.bell, 0, 1);
    Atomics.notify(w.bell, 0);
  }
  for (let t; hereToo && (t = Atomics.add(ctrl, 0, 1)) < total;) {
    run(data, t, fns);
    ctrl[4 + t] = HERE;
    Atomics.add(ctrl, 1, 1);
  }
  for (let done; (done = Atomics.load(ctrl, 1)) < total;) {
    if (Atomics.wait(ctrl, 1, done, WAIT_MS) === 'timed-out' && Atomics.load(ctrl, 1) === done) break;
  }
  return ctrl.subarray(4);
}

// After each job the worker collects its garbage: an idle worker blocked in Atomics.wait
// never would, and its wrappers of the job's SharedArrayBuffers (a 700 MB CSV file, the
// columns) would keep that memory alive for the rest of the process. (--expose-gc only
// gives new contexts a gc function; taking it from one changes nothing else.)
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
require('node:v8').setFlagsFromString('--expose-gc');
const collect = require('node:vm').runInNewContext('gc');
const sets = new Map();
const bell = new Int32Array(workerData.bell);
let seen = 0;
for (;;) {
  Atomics.wait(bell, 0, seen);
  seen = Atomics.load(bell, 0);
  for (let m; (m = receiveMessageOnPort(workerData.port)); ) run(m.message);
  collect();
}
function run(job) {
  let fns = sets.get(job.set);
  if (!fns) sets.set(job.set, fns = new Function(job.source + '\\nreturn ' + job.table + ';')());
  const ctrl = new Int32Array(job.ctrl), task = fns[job.task], total = ctrl[2];
  for (let t; (t = Atomics.add(ctrl, 0, 1)) < total; ) {
    let who = ${WORKER};
    try { task(job.data, t, fns); } catch (e) { who = ${FAILED}; }
    ctrl[4 + t] = who;
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}
`;
