// Worker-thread side of running a node (node types with `worker: true`). The worker reads
// its inputs from the content-addressed store and writes its outputs there itself, so only
// hashes cross the thread boundary.
import { parentPort } from 'node:worker_threads';
import { resolve, dirname } from 'node:path';
import { Store } from './store.js';
import { checkValue, decode, encode } from './codec.js';
import { inside, looksLikeNode } from './load.js';
import type { OutputRef } from './store.js';
import { keptInput } from './inputs.js';

export interface WorkerJob {
  id: number;
  module: string;
  type: string;
  cacheDir: string;
  root: string;
  file: string;
  nodeId: string;
  params: unknown;
  inputs: Record<string, { many: boolean; refs: OutputRef[] }>;
  /** modules that define the port types in use (ports.ts), imported before decoding */
  ports: string[];
  sources: Record<string, unknown>;
  provenance?: unknown;
  /** absolute path -> the bytes the engine read for the node's key (shared memory) */
  files: Record<string, Uint8Array>;
}
export type WorkerReply = { id: number; outputs: Record<string, OutputRef> } | { id: number; error: { message: string; kind?: string } };

parentPort?.on('message', async (job: WorkerJob) => {
  try {
    const store = new Store(job.cacheDir);
    for (const p of job.ports) await import(p);
    const mod = await import(job.module);
    const def = [mod.default, ...Object.values(mod)].flat().find((d) => looksLikeNode(d) && d.type === job.type);
    if (!def) throw new Error(`${job.module} does not export node type ${job.type}`);
    const inputs: Record<string, unknown> = {};
    for (const [port, { many, refs }] of Object.entries(job.inputs)) {
      const vals = await Promise.all(refs.map((r) => decode(r.type, store.getObject(r.hash))));
      inputs[port] = many ? vals : vals[0];
    }
    const kept = new Map(Object.entries(job.files).map(([abs, b]) => [abs, Buffer.from(b.buffer, b.byteOffset, b.byteLength)]));
    const base = dirname(job.file);
    const resolvePath = (p: string) => {
      const abs = resolve(base, p);
      if (!inside(job.root, abs)) throw new Error(`path ${p} leaves the project tree`);
      return abs;
    };
    const result = await def.run({
      params: job.params, inputs, nodeId: job.nodeId, sources: job.sources, provenance: job.provenance,
      resolvePath, readFile: (p: string) => keptInput(kept, resolvePath(p), p, { id: job.nodeId, type: job.type, file: job.file }),
    } as any);
    const outputs: Record<string, OutputRef> = {};
    for (const [port, spec] of Object.entries(def.outputs as Record<string, { type: any }>)) {
      const v = (result as Record<string, unknown>)?.[port];
      const bad = checkValue(spec.type, v);
      if (bad) throw new Error(`output ${port}: ${bad}`);
      const { hash, size } = store.putObject(await encode(spec.type, v));
      outputs[port] = { hash, type: spec.type, size };
    }
    parentPort!.postMessage({ id: job.id, outputs } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: { message: (e as Error)?.message ?? String(e), kind: (e as any)?.kind } } satisfies WorkerReply);
  }
});
