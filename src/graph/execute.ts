// Running one node's code: the same steps wherever it runs (the scheduler's thread, a worker
// thread, a `flow worker` on another machine): paths resolved inside the project, declared
// files handed over as the bytes their hashes are of, the result checked against the node's
// output ports and encoded. The caller stores the bytes.
import { dirname, resolve } from 'node:path';
import { FlowError } from '../errors.js';
import type { NodeDef, Provenance } from './node.js';
import type { PortType } from './ports.js';
import { checkValue, encode } from './codec.js';
import { inside } from './load.js';
import { keptInput } from './inputs.js';

export interface NodeCall {
  def: NodeDef<any>;
  nodeId: string;
  /** the workflow file the node is declared in (paths in params are relative to its folder) */
  file: string;
  /** the project root: no path may leave it */
  root: string;
  params: unknown;
  inputs: Record<string, unknown>;
  sources: Record<string, unknown>;
  provenance?: Provenance;
  /** absolute path -> the bytes the node's key is of (ctx.readFile returns these, and only these) */
  files: Map<string, Buffer>;
}

export type Encoded = Record<string, { type: PortType; bytes: Uint8Array }>;

/** Runs the node and encodes each declared output; a missing or ill-typed output is an error naming the port. */
export async function executeNode(c: NodeCall): Promise<Encoded> {
  const base = dirname(c.file);
  const resolvePath = (p: string) => {
    const abs = resolve(base, p);
    if (!inside(c.root, abs)) throw new FlowError('validate', `path ${p} leaves the project tree`, { node: c.nodeId, file: c.file });
    return abs;
  };
  const result = await c.def.run({
    params: c.params, inputs: c.inputs, nodeId: c.nodeId, provenance: c.provenance, sources: c.sources, resolvePath,
    readFile: (p: string) => keptInput(c.files, resolvePath(p), p, { id: c.nodeId, type: c.def.type, file: c.file }),
  } as any);
  const out: Encoded = {};
  for (const [port, spec] of Object.entries(c.def.outputs as Record<string, { type: PortType }>)) {
    const v = (result as Record<string, unknown>)?.[port];
    const bad = checkValue(spec.type, v);
    if (bad) throw new Error(`output ${port}: ${bad}; node types must return { ${Object.keys(c.def.outputs).join(', ')} }`);
    out[port] = { type: spec.type, bytes: await encode(spec.type, v) };
  }
  return out;
}
