// The sandboxed processor of `flow worker` (src/cli/worker.ts): BullMQ runs this file's
// default export in a worker thread (useWorkerThreads), so a CPU-bound node does not block
// the worker's event loop and its job lock keeps being renewed. It runs from the build
// (dist/remote/processor.js) and knows the built-in node types of that build only
// (dist/nodes/manifest.json): a job for another type, or for other code of a type, is refused
// with UnrecoverableError (no retry) and writes nothing.
//
// One job: check the code hash, fetch and verify the inputs and files from the shared cache
// (cas/, re-hashed), run the node (execute.ts), upload each output to cas/ FIRST and write
// ac/<key>.json LAST (a visible record always has its objects), return { machine, ms }.
// The shared cache's URL comes from FLOW_WORKER_CACHE (set by `flow worker --cache`; worker
// threads inherit the environment); its backend is opened once per thread.
import '../ports/index.js'; // flow's domain port types, before anything is decoded
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowError } from '../errors.js';
import { portModules } from '../graph/ports.js';
import { decode } from '../graph/codec.js';
import { executeNode } from '../graph/execute.js';
import { looksLikeNode } from '../graph/load.js';
import { canonical, sha256 } from '../graph/hash.js';
import type { NodeDef } from '../graph/node.js';
import type { RemoteJob } from '../graph/remote.js';
import type { CacheRecord, OutputRef } from '../graph/store.js';
import { loadBullmq, machineName, type JobResult } from './bullmq-executor.js';
import { openRemote } from './open.js';
import type { RemoteCache } from './remote-cache.js';

/** The virtual project root jobs run under: params' paths resolve inside it, files are keyed by it. */
export const JOB_ROOT = '/flow-project';

interface Manifest { stamp: string; types: Record<string, { file: string; code: string }> }
let manifest: Manifest | undefined;
function loadManifest(): Manifest {
  return (manifest ??= JSON.parse(readFileSync(fileURLToPath(new URL('../nodes/manifest.json', import.meta.url)), 'utf8')) as Manifest);
}

const defs = new Map<string, Promise<NodeDef<any> | undefined>>();
const nodeDef = (type: string, file: string) => {
  let d = defs.get(type);
  if (!d) {
    d = import(new URL(`../nodes/${file}`, import.meta.url).href).then((mod) => Object.values(mod).find((x) => looksLikeNode(x) && x.type === type) as NodeDef<any> | undefined);
    defs.set(type, d);
  }
  return d;
};

let remote: Promise<RemoteCache> | undefined;
function shared(): Promise<RemoteCache> {
  const url = process.env.FLOW_WORKER_CACHE;
  if (!url) return Promise.reject(new Error('FLOW_WORKER_CACHE is not set: the processor runs under flow worker --cache URL'));
  return (remote ??= openRemote(url, undefined, { warn: (msg) => process.stderr.write(`flow worker: warning: ${msg}\n`) }).catch((e) => { remote = undefined; throw e; }));
}

let portsLoaded: Promise<unknown> | undefined;

// Inputs this thread downloaded lately, by hash (verified then): the copies of a multiverse
// share their inputs (one estimation panel for 24 models), so each is fetched once per
// thread, not once per job. Bounded by bytes; the oldest go first.
const RECENT_BYTES = 512 * 2 ** 20;
const recent = new Map<string, Uint8Array>();
let recentBytes = 0;
async function input(cache: RemoteCache, hash: string): Promise<Uint8Array | undefined> {
  const had = recent.get(hash);
  if (had) { recent.delete(hash); recent.set(hash, had); return had; }
  const bytes = await cache.getObject(hash);
  if (!bytes || bytes.byteLength > RECENT_BYTES / 4) return bytes;
  recent.set(hash, bytes);
  recentBytes += bytes.byteLength;
  for (const [h, b] of recent) { if (recentBytes <= RECENT_BYTES) break; recent.delete(h); recentBytes -= b.byteLength; }
  return bytes;
}

const short = (h: string) => h.slice(0, 12) + '…';

/** BullMQ's sandboxed job (the parts used here). */
interface SandboxedJob { id?: string; data: RemoteJob; attemptsMade?: number }

export default async function processJob(bjob: SandboxedJob): Promise<JobResult> {
  const job = bjob.data;
  const machine = machineName();
  const refuse = async (msg: string): Promise<never> => {
    const { UnrecoverableError } = await loadBullmq();
    throw new UnrecoverableError(msg);
  };
  // ---- refusals: nothing is read or written ----
  let m: Manifest;
  try { m = loadManifest(); } catch (e) {
    return refuse(`worker on ${machine} has no node catalogue (dist/nodes/manifest.json: ${(e as Error).message}): build flow there (npm run build)`);
  }
  const entry = Object.prototype.hasOwnProperty.call(m.types, job.type) ? m.types[job.type] : undefined;
  if (!entry) return refuse(`worker on ${machine} has no node type ${job.type} (plugins run on the coordinator only): deploy the same flow build on coordinator and workers`);
  if (entry.code !== job.code) {
    return refuse(`worker on ${machine} has other code for node type ${job.type} (${short(entry.code)}, job wants ${short(job.code)}): deploy the same flow build on coordinator and workers`);
  }
  if (sha256(canonical(job.fingerprint)) !== job.key || job.fingerprint.code !== job.code || job.fingerprint.type !== job.type) {
    return refuse(`job n-${short(job.key)} for ${job.nodeId} does not match its fingerprint (key, type or code): not run`);
  }
  const def = await nodeDef(job.type, entry.file);
  if (!def) return refuse(`worker on ${machine}: dist/nodes/${entry.file} does not export node type ${job.type}; rebuild flow there (npm run build)`);

  const cache = await shared();
  // an earlier attempt finished (and died before saying so), or another job: done already
  const had = await cache.getRecord(job.key);
  if (had) return { machine: had.machine ?? machine, ms: 0, already: true };

  const { downBytes, upBytes } = cache.moved; // (a thread runs one job at a time)
  // ---- inputs and files, from cas/ (getObject re-hashes: corrupt is missing) ----
  portsLoaded ??= Promise.all(portModules().map((p) => import(p)));
  await portsLoaded;
  const inputs: Record<string, unknown> = {};
  for (const [port, { many, refs }] of Object.entries(job.inputs)) {
    const vals = await Promise.all(refs.map(async (r) => {
      const bytes = await input(cache, r.hash);
      if (!bytes) throw new Error(`input ${port} (${short(r.hash)}) is missing or corrupt in the shared cache; the coordinator uploads it before submitting: run again`);
      return decode(r.type, bytes);
    }));
    inputs[port] = many ? vals : vals[0];
  }
  const files = new Map<string, Buffer>();
  await Promise.all(Object.entries(job.files).map(async ([rel, hash]) => {
    const bytes = await cache.getObject(hash);
    if (!bytes) throw new Error(`file ${rel} (${short(hash)}) is missing or corrupt in the shared cache (a directory input cannot run on a worker yet)`);
    files.set(join(JOB_ROOT, rel), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }));

  // ---- run ----
  const t0 = performance.now();
  let encoded: Awaited<ReturnType<typeof executeNode>>;
  try {
    encoded = await executeNode({
      def, nodeId: job.nodeId, file: join(JOB_ROOT, job.file), root: JOB_ROOT, params: job.params, inputs,
      sources: job.sources, provenance: job.provenance, files,
    });
  } catch (e) {
    // the node's own verdict on its data or params is the same on every attempt: no retry
    const kind = e instanceof FlowError || (e as Error)?.name === 'FlowError' ? (e as FlowError).kind : undefined;
    if (kind === 'data' || kind === 'validate') {
      const { UnrecoverableError } = await loadBullmq();
      throw Object.assign(new UnrecoverableError((e as Error).message), { flowKind: kind });
    }
    throw e;
  }
  // ---- cas/ first, ac/ last ----
  const outputs: Record<string, OutputRef> = {};
  await Promise.all(Object.entries(encoded).map(async ([port, { type, bytes }]) => {
    const hash = await cache.putObject(bytes);
    outputs[port] = { hash, type, size: bytes.byteLength };
  }));
  const ms = performance.now() - t0;
  const rec: CacheRecord = {
    key: job.key, fingerprint: job.fingerprint, outputs, ms, node: job.nodeId, workflow: job.workflow, at: new Date().toISOString(), machine,
  };
  await cache.putRecord(rec);
  return { machine, ms, downBytes: cache.moved.downBytes - downBytes, upBytes: cache.moved.upBytes - upBytes };
}
