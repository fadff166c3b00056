// Worker-thread side of running a node (node types with `worker: true`). The worker reads
// its inputs from the content-addressed store and writes its outputs there itself, so only
// hashes cross the thread boundary.
import { parentPort } from 'node:worker_threads';
import { Store } from './store.js';
import { decode } from './codec.js';
import { looksLikeNode } from './load.js';
import type { OutputRef } from './store.js';
import type { Provenance } from './node.js';
import { executeNode } from './execute.js';

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
    const files = new Map(Object.entries(job.files).map(([abs, b]) => [abs, Buffer.from(b.buffer, b.byteOffset, b.byteLength)]));
    const encoded = await executeNode({ def, nodeId: job.nodeId, file: job.file, root: job.root, params: job.params, inputs, sources: job.sources, provenance: job.provenance as Provenance | undefined, files });
    const outputs: Record<string, OutputRef> = {};
    for (const [port, { type, bytes }] of Object.entries(encoded)) {
      const { hash, size } = store.putObject(bytes);
      outputs[port] = { hash, type, size };
    }
    parentPort!.postMessage({ id: job.id, outputs } satisfies WorkerReply);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: { message: (e as Error)?.message ?? String(e), kind: (e as any)?.kind } } satisfies WorkerReply);
  }
});
