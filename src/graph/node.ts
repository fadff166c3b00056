// A node type: a versioned, typed, pure function of its params and inputs.
import type { z } from 'zod';
import type { PortType } from './ports.js';

export interface InputSpec {
  /** accepted type(s); an output of another type wired here is a validation error */
  type: PortType | PortType[];
  /** several upstream outputs may be wired (the value is then an array) */
  many?: boolean;
  optional?: boolean;
  description?: string;
}

export interface OutputSpec {
  type: PortType;
  description?: string;
}

export interface RunContext<P> {
  params: P;
  /** input port -> value (an array for `many` ports, undefined for unwired optional ones) */
  inputs: Record<string, any>;
  /** a path param (relative to the workflow file that declared the node) -> absolute path */
  resolvePath(p: string): string;
  /**
   * The bytes of a file the node reads (a path param, as for resolvePath), as a Buffer over a
   * SharedArrayBuffer. When the engine read the whole file to hash it for this node's key in
   * this run, these are those bytes (no second read; exactly the content the key is of),
   * else the file is read now. Optional: code that calls run() directly may leave it out.
   */
  readFile?(p: string): Buffer;
  /** the node id in the workflow (for messages) */
  nodeId: string;
  /** filled only for node types with `provenance: true`: every ancestor of this node */
  provenance?: Provenance;
  /** where each input value came from, in the order of `inputs[port]` (in the key only for
   * node types with `sources: true`: see NodeDef.sources); `branch` is set for values gathered from matrix copies with
   * "node.port[*]" (the matrix params of that copy) */
  sources?: Record<string, InputSource[]>;
}

export interface InputSource { node: string; port: string; branch?: Record<string, unknown> }

export interface ProvenanceNode {
  id: string;
  type: string;
  version: number;
  /** cache key of the node in this run */
  key: string;
  params: unknown;
  /** wired inputs as "port <- upstreamId.port" */
  inputs: { port: string; from: string }[];
  /** data files the node read: path relative to the project, sha256 of the content */
  files: { path: string; sha256: string }[];
}

export interface Provenance {
  workflow: string;
  nodes: ProvenanceNode[];
  /** the run's --set overrides (none: the workflow's own values); part of the key, so that a
   * report says which params a --set run changed */
  sets?: Record<string, unknown>;
  /** the workflow's params after --set (what "$name" resolves to), and its matrix */
  params?: Record<string, unknown>;
  matrix?: Record<string, unknown[]>;
  /** flow and Node versions, git commit, its date and dirty flag (src/graph/about.ts) */
  about?: { flow: string; node: string; commit?: string; commitDate?: string; dirty?: boolean };
}

export interface NodeDef<S extends z.ZodType = z.ZodType> {
  type: string;
  /** bump when the computation changes: part of the cache key */
  version: number;
  description: string;
  params: S;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, OutputSpec>;
  /** files/directories (param values, relative to the workflow file) the node reads; their content is hashed into the key */
  files?: (params: z.infer<S>) => string[];
  /** when true the engine passes ctx.provenance (ancestors, keys, params, file hashes) and hashes it into the key */
  provenance?: boolean;
  /** true when the outputs depend on ctx.sources (which node and port each input came from,
   * e.g. rows labelled by upstream node ids): the engine then puts them in the key, so that a
   * workflow whose nodes have other ids does not hit on this one's result. Without it a node
   * may use ctx.sources in error messages only (failures are not cached). */
  sources?: boolean;
  /** CPU-heavy: run in a worker thread (when flow runs from compiled JS), so that it runs
   * beside other nodes. The node's module must export the definition. */
  worker?: boolean;
  run(ctx: RunContext<z.infer<S>>): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export function defineNode<S extends z.ZodType>(def: NodeDef<S>): NodeDef<S> {
  return def;
}
